"""The purchase facts store: record one (idempotently), read a member's, erase a member's.

Every query carries the community id. The household is the member's unit as identity knows it
when the fact is recorded.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from linli_sdk import Community, Money, NotFound, PurchaseFact

from linli.identity.tables import Membership
from linli.tables import Member

from .tables import PurchaseFactRow

__all__ = ["erase_facts", "facts_of", "record_fact", "row_to_fact"]


def _scope_key(community_id: int, fact: PurchaseFact) -> str:
    return f"{community_id}:{fact.module}:{fact.ref}:{fact.item}"


def row_to_fact(row: dict[str, Any]) -> PurchaseFact:
    """A stored row as the SDK's :class:`~linli_sdk.PurchaseFact`."""
    return PurchaseFact(
        module=row["module"],
        ref=row["order_ref"],
        member_id=row["member"],
        item=row["item"],
        item_name=row["item_name"],
        category=row["category"],
        quantity=row["quantity"],
        amount=Money(amount=row["amount"], currency=row["currency"]),
        pickup_point_id=row["pickup_point"],
        day=row["day"] if isinstance(row["day"], date) else date.fromisoformat(str(row["day"])),
        recorded_at=row["recorded_at"],
    )


async def _household(community: Community, member_id: int) -> int | None:
    if not await Member.exists().where(
        (Member.id == member_id) & (Member.community == community.id)
    ):
        raise NotFound(f"there is no member {member_id} in {community.slug}")
    link = await Membership.select(Membership.unit).where(Membership.member == member_id).first()
    return None if link is None else link["unit"]


async def record_fact(community: Community, fact: PurchaseFact) -> PurchaseFact:
    """Store ``fact`` in the current transaction; the first fact for its ref and item wins."""
    unit = await _household(community, fact.member_id)
    key = _scope_key(community.id, fact)
    await PurchaseFactRow.insert(
        PurchaseFactRow(
            community=community.id,
            member=fact.member_id,
            unit=unit,
            module=fact.module,
            order_ref=fact.ref,
            item=fact.item,
            item_name=fact.item_name,
            category=fact.category,
            quantity=fact.quantity,
            amount=fact.amount.amount,
            currency=fact.amount.currency,
            pickup_point=fact.pickup_point_id,
            day=fact.day,
            recorded_at=fact.recorded_at,
            scope_key=key,
        )
    ).on_conflict(target=PurchaseFactRow.scope_key, action="DO NOTHING")
    row = await PurchaseFactRow.select().where(PurchaseFactRow.scope_key == key).first()
    assert row is not None
    return row_to_fact(row)


async def facts_of(
    community_id: int, member_id: int, item: str | None = None
) -> list[PurchaseFact]:
    """A member's facts in a community (of one item if given), oldest first."""
    where = (PurchaseFactRow.community == community_id) & (PurchaseFactRow.member == member_id)
    if item is not None:
        where &= PurchaseFactRow.item == item
    rows = await PurchaseFactRow.select().where(where).order_by(PurchaseFactRow.day)
    return [row_to_fact(r) for r in rows]


async def erase_facts(community_id: int, member_id: int, item: str | None = None) -> int:
    """Delete a member's facts (of one item if given); how many were deleted."""
    where = (PurchaseFactRow.community == community_id) & (PurchaseFactRow.member == member_id)
    if item is not None:
        where &= PurchaseFactRow.item == item
    deleted = await PurchaseFactRow.delete().where(where).returning(PurchaseFactRow.id)
    return len(deleted)
