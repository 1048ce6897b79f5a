"""The insights store: purchase facts read for aggregates, each community's k, remarks.

Every query carries the community id. Facts are read from the profiles' table (the one place
modules report purchases), and only the columns an aggregate needs: the member id only for
counting distinct residents, never the household, amount or order reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from linli.profiles.tables import PurchaseFactRow
from linli.tables import PickupPoint

from .aggregates import Fact, Point, Remark
from .anonymity import DEFAULT_K
from .tables import InsightSetting, ItemRemark

__all__ = [
    "delete_remark",
    "erase_remarks",
    "facts_between",
    "item_names",
    "items_bought_by",
    "k_of",
    "pickup_points",
    "remarks",
    "remarks_of",
    "remarks_of_members",
    "save_remark",
    "set_k",
]


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def facts_between(community_id: int, first: date, last: date) -> list[Fact]:
    """The community's purchase facts from ``first`` to ``last`` (days, both included)."""
    f = PurchaseFactRow
    rows = await f.select(f.member, f.item, f.item_name, f.pickup_point, f.day, f.quantity).where(
        (f.community == community_id) & (f.day >= first) & (f.day <= last)
    )
    return [
        Fact(
            member=r["member"],
            item=r["item"],
            item_name=r["item_name"],
            point=r["pickup_point"],
            day=_day(r["day"]),
            quantity=r["quantity"],
        )
        for r in rows
    ]


async def item_names(community_id: int, items: Sequence[str]) -> dict[str, str]:
    """The name each of ``items`` was last sold under in the community (items never sold: none)."""
    if not items:
        return {}
    f = PurchaseFactRow
    rows = await (
        f.select(f.item, f.item_name)
        .where((f.community == community_id) & f.item.is_in(list(items)))
        .order_by(f.day)
    )
    return {r["item"]: r["item_name"] for r in rows}


async def items_bought_by(community_id: int, member_id: int) -> dict[str, str]:
    """The items a member bought in the community, with the name each was last sold under."""
    f = PurchaseFactRow
    rows = await (
        f.select(f.item, f.item_name)
        .where((f.community == community_id) & (f.member == member_id))
        .order_by(f.day)
    )
    return {r["item"]: r["item_name"] for r in rows}


async def pickup_points(community_id: int) -> dict[int, Point]:
    """The community's pickup points by id, each with the grid warehouse supplying it."""
    p = PickupPoint
    rows = await p.select(
        p.id, p.name, p.grid_warehouse, p.grid_warehouse.name.as_alias("warehouse")
    ).where(p.community == community_id)
    return {r["id"]: Point(r["name"], r["grid_warehouse"], r["warehouse"]) for r in rows}


async def k_of(community_id: int) -> int:
    """The community's k (`DEFAULT_K` until its operator sets one)."""
    row = await (
        InsightSetting.select(InsightSetting.k)
        .where(InsightSetting.community == community_id)
        .first()
    )
    return DEFAULT_K if row is None else int(row["k"])


async def set_k(community_id: int, k: int) -> None:
    """Set the community's k (bounds are checked by the caller)."""
    now = datetime.now(UTC)
    await InsightSetting.insert(
        InsightSetting(community=community_id, k=k, updated_at=now)
    ).on_conflict(
        target=InsightSetting.community,
        action="DO UPDATE",
        values=[InsightSetting.k, InsightSetting.updated_at],
    )


async def save_remark(community_id: int, member_id: int, item: str, text: str) -> None:
    """Store a member's remark on an item, replacing their earlier one."""
    r = ItemRemark
    await r.insert(
        r(
            community=community_id,
            member=member_id,
            item=item,
            text=text,
            updated_at=datetime.now(UTC),
            scope_key=f"{community_id}:{member_id}:{item}",
        )
    ).on_conflict(target=r.scope_key, action="DO UPDATE", values=[r.text, r.updated_at])


async def delete_remark(community_id: int, member_id: int, item: str) -> bool:
    """Delete a member's remark on an item; whether there was one."""
    deleted = (
        await ItemRemark.delete()
        .where(ItemRemark.scope_key == f"{community_id}:{member_id}:{item}")
        .returning(ItemRemark.id)
    )
    return bool(deleted)


async def remarks_of(community_id: int, member_id: int) -> list[dict[str, Any]]:
    """A member's own remarks in a community (item, text, when), oldest first."""
    r = ItemRemark
    return await (
        r.select(r.item, r.text, r.updated_at)
        .where((r.community == community_id) & (r.member == member_id))
        .order_by(r.id)
    )


async def remarks_of_members(member_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Every remark of these members (a person's export), with its community."""
    if not member_ids:
        return []
    r = ItemRemark
    return await (
        r.select(r.community.slug.as_alias("community"), r.item, r.text, r.updated_at)
        .where(r.member.is_in(list(member_ids)))
        .order_by(r.id)
    )


async def remarks(community_id: int) -> list[Remark]:
    """Every remark in the community, the member kept for counting residents only."""
    r = ItemRemark
    rows = await r.select(r.member, r.item, r.text).where(r.community == community_id)
    return [Remark(member=x["member"], item=x["item"], text=x["text"]) for x in rows]


async def erase_remarks(member_ids: Sequence[int]) -> None:
    """Delete every remark of these members (a person's erasure)."""
    if member_ids:
        await ItemRemark.delete().where(ItemRemark.member.is_in(list(member_ids)))
