"""A household's registration, care needs and orders: its copy (PIPL art. 45), erasure (art. 47).

The care needs are opened for the export (the household may see its own) and, on erasure,
sealed again as "none", like every household without a mark.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import Host, MemberErasure, MemberRecords, hookimpl

from .rules import PURPOSE, Sensitive, open_record, record
from .tables import DispatcherRow, HouseholdRow, OrderRow

__all__ = ["linli_member_data", "linli_member_erased"]

KEPT = (
    "Orders stay as the accounting records of the packs paid for and delivered, and "
    "appointments as a dispatcher as the record of who could see vulnerable households; the "
    "household no longer names you, its care needs and delivery code are erased, and the unit "
    "may be registered again."
)


async def _households(host: Host, member_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await HouseholdRow.select().where(
        (HouseholdRow.community_id == host.community.id) & (HouseholdRow.member_id == member_id)
    )
    return rows


@hookimpl
async def linli_member_data(host: Host, member_id: int) -> list[MemberRecords]:
    """The household the member registered (with its care needs), its orders, appointments."""
    community = host.community.id
    households = []
    for row in await _households(host, member_id):
        care = open_record(await host.vault.open(row["sealed"], PURPOSE))
        fields = {k: v for k, v in row.items() if k not in ("sealed", "key")}
        households.append({**fields, **care.model_dump(mode="json")})
    ids = [row["id"] for row in households]
    orders = (
        await OrderRow.select().where(
            (OrderRow.community_id == community) & OrderRow.household_id.is_in(ids)
        )
        if ids
        else []
    )
    dispatcher = await DispatcherRow.select().where(
        (DispatcherRow.community_id == community) & (DispatcherRow.member_id == member_id)
    )
    return [
        MemberRecords.of(
            "household",
            "The household you registered: unit, delivery code, care needs and consent.",
            households,
        ),
        MemberRecords.of("orders", "Ration packs your household ordered.", orders),
        MemberRecords.of(
            "dispatcher", "Emergencies you were appointed to dispatch deliveries for.", dispatcher
        ),
    ]


@hookimpl
async def linli_member_erased(host: Host, member_id: int) -> MemberErasure:
    """Unlink the member's household, erase its care needs and delivery code, free the unit."""
    rows = await _households(host, member_id)
    for row in rows:
        await HouseholdRow.update(
            {
                HouseholdRow.member_id: 0,
                HouseholdRow.key: f"{host.community.id}:erased:{row['id']}",
                HouseholdRow.delivery_code: "",
                HouseholdRow.sealed: await host.vault.seal(record(Sensitive()), PURPOSE),
            }
        ).where(HouseholdRow.id == row["id"])
    return MemberErasure(erased=len(rows), kept=KEPT)
