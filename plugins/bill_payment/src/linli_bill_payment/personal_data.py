"""A member's saved accounts and bill payments: their copy (PIPL art. 45), erasure (art. 47)."""

from __future__ import annotations

from linli_sdk import Host, MemberErasure, MemberRecords, hookimpl

from .models import PaymentStatus
from .tables import BillAccountRow, BillPaymentRow

__all__ = ["linli_member_data", "linli_member_erased"]

KEPT = (
    "Bill payments stay as accounting records (biller, bill, amounts, charge, confirmation), "
    "as accounting law requires, with the account number masked once settled; a payment "
    "still pending is masked by running the erasure again once it settled."
)


def masked(account_number: str) -> str:
    """An account number with all but its last four characters hidden."""
    return "*" * max(len(account_number) - 4, 0) + account_number[-4:]


@hookimpl
async def linli_member_data(host: Host, member_id: int) -> list[MemberRecords]:
    """The member's saved biller accounts and the bills they paid."""
    community = host.community.id
    accounts = await BillAccountRow.select(
        BillAccountRow.id,
        BillAccountRow.biller,
        BillAccountRow.account_number,
        BillAccountRow.label,
    ).where((BillAccountRow.community_id == community) & (BillAccountRow.member_id == member_id))
    payments = await BillPaymentRow.select().where(
        (BillPaymentRow.community_id == community) & (BillPaymentRow.payer_id == member_id)
    )
    return [
        MemberRecords.of("accounts", "Biller accounts (户号) you saved.", accounts),
        MemberRecords.of(
            "payments", "Bills you paid: biller, account, amount, fee and status.", payments
        ),
    ]


@hookimpl
async def linli_member_erased(host: Host, member_id: int) -> MemberErasure:
    """Delete the member's saved accounts; mask the account number of their settled payments."""
    community = host.community.id
    deleted = (
        await BillAccountRow.delete()
        .where((BillAccountRow.community_id == community) & (BillAccountRow.member_id == member_id))
        .returning(BillAccountRow.id)
    )
    settled = await BillPaymentRow.select(BillPaymentRow.id, BillPaymentRow.account_number).where(
        (BillPaymentRow.community_id == community)
        & (BillPaymentRow.payer_id == member_id)
        & (BillPaymentRow.status != str(PaymentStatus.PENDING))
    )
    changed = [row for row in settled if masked(row["account_number"]) != row["account_number"]]
    for row in changed:
        await BillPaymentRow.update(
            {BillPaymentRow.account_number: masked(row["account_number"])}
        ).where(BillPaymentRow.id == row["id"])
    return MemberErasure(erased=len(deleted) + len(changed), kept=KEPT)
