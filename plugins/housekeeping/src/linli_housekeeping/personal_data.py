"""A resident's bookings and vouchers: their copy (PIPL art. 45) and their erasure (art. 47)."""

from __future__ import annotations

from linli_sdk import Host, MemberErasure, MemberRecords, hookimpl

from .tables import BookingRow, VoucherRow

__all__ = ["linli_member_data", "linli_member_erased"]

KEPT = (
    "Bookings stay as the record of what was bought and paid (service, time, price, charges, "
    "rating, as accounting law requires), without your comment or codes; unused vouchers stay "
    "as money owed."
)


@hookimpl
async def linli_member_data(host: Host, member_id: int) -> list[MemberRecords]:
    """The member's bookings (as a resident) and compensation vouchers."""
    community = host.community.id
    bookings = await BookingRow.select().where(
        (BookingRow.community_id == community) & (BookingRow.resident_id == member_id)
    )
    vouchers = await VoucherRow.select().where(
        (VoucherRow.community_id == community) & (VoucherRow.member_id == member_id)
    )
    return [
        MemberRecords.of(
            "bookings",
            "Services you booked: when, the price, payment, codes, status, rating and comment.",
            bookings,
        ),
        MemberRecords.of(
            "vouchers", "Compensation owed to you when a provider did not show.", vouchers
        ),
    ]


@hookimpl
async def linli_member_erased(host: Host, member_id: int) -> MemberErasure:
    """Clear the member's comments and codes on their bookings; the bookings stay."""
    cleared = (
        await BookingRow.update(
            {BookingRow.comment: "", BookingRow.start_code: "", BookingRow.completion_code: ""}
        )
        .where(
            (BookingRow.community_id == host.community.id)
            & (BookingRow.resident_id == member_id)
            & (
                (BookingRow.comment != "")
                | (BookingRow.start_code != "")
                | (BookingRow.completion_code != "")
            )
        )
        .returning(BookingRow.id)
    )
    return MemberErasure(erased=len(cleared), kept=KEPT)
