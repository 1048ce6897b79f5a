"""Helpers for the profiles tests: purchase facts on chosen days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from linli.profiles.store import record_fact
from linli_sdk import Community, Money, PurchaseFact

__all__ = ["bought"]


async def bought(
    community: Community, member_id: int, item: str, day: date, ref: str, name: str = ""
) -> PurchaseFact:
    """Record that the member bought one ``item`` on ``day`` (noon UTC) as order ``ref``."""
    fact = PurchaseFact.stamp(
        module="group_buying",
        community=community,
        at=datetime.combine(day, time(12), tzinfo=UTC),
        ref=ref,
        member_id=member_id,
        item=item,
        item_name=name or item,
        category="groceries",
        quantity=1,
        amount=Money(amount=16800, currency="CNY"),
    )
    kept, _ = await record_fact(community, fact)
    return kept
