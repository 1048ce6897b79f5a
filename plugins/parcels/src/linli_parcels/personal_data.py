"""Parcels a member collected or handed over: their copy (PIPL art. 45), their erasure (art. 47).

No table holds a recipient's name or phone number; a parcel names its unit, which belongs to
the household (and stays for its other residents), not to one member.
"""

from __future__ import annotations

from linli_sdk import Host, MemberErasure, MemberRecords, hookimpl

from .tables import ParcelRow

__all__ = ["linli_member_data", "linli_member_erased"]

KEPT = (
    "The parcels stay as their unit's and as the accounting records of the commission and "
    "storage fees charged (accounting law), no longer saying who collected or handed them over."
)
SHOWN = (
    ParcelRow.id,
    ParcelRow.tracking_number,
    ParcelRow.unit,
    ParcelRow.point_id,
    ParcelRow.status,
    ParcelRow.registered_at,
    ParcelRow.collected_at,
    ParcelRow.returned_at,
    ParcelRow.currency,
    ParcelRow.storage_fee,
    ParcelRow.storage_charge_id,
)


@hookimpl
async def linli_member_data(host: Host, member_id: int) -> list[MemberRecords]:
    """The parcels the member collected and, as a pickup host, handed over or back."""
    here = ParcelRow.community_id == host.community.id
    collected = await ParcelRow.select(*SHOWN).where(here & (ParcelRow.collected_by == member_id))
    handled = await ParcelRow.select(*SHOWN).where(here & (ParcelRow.handled_by == member_id))
    return [
        MemberRecords.of(
            "collected", "Parcels you collected, and the storage fee you paid.", collected
        ),
        MemberRecords.of("handed_over", "Parcels you handed over or back as a host.", handled),
    ]


@hookimpl
async def linli_member_erased(host: Host, member_id: int) -> MemberErasure:
    """Forget who collected and who handed over; the parcels stay."""
    here = ParcelRow.community_id == host.community.id
    collected = (
        await ParcelRow.update({ParcelRow.collected_by: None})
        .where(here & (ParcelRow.collected_by == member_id))
        .returning(ParcelRow.id)
    )
    handled = (
        await ParcelRow.update({ParcelRow.handled_by: None})
        .where(here & (ParcelRow.handled_by == member_id))
        .returning(ParcelRow.id)
    )
    return MemberErasure(erased=len(collected) + len(handled), kept=KEPT)
