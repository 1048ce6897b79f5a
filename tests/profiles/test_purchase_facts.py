"""Purchase facts on the platform: recorded in the call's transaction, once per ref and item."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from linli.modules.host import CoreHost
from linli.profiles.store import facts_of
from linli_sdk import InvalidInput, Money, NotFound
from profiles_helpers import bought

CNY = "CNY"


def _fact(member_id: int, ref: str = "order-1", quantity: int = 1) -> dict[str, object]:
    return {
        "ref": ref,
        "member_id": member_id,
        "item": "formula",
        "item_name": "婴儿奶粉 900g",
        "category": "groceries",
        "quantity": quantity,
        "amount": Money(amount=16800 * quantity, currency=CNY),
    }


async def test_a_fact_is_kept_once_and_undone_with_the_call_that_recorded_it(
    start_platform, any_database
):
    async with start_platform(database_url=any_database) as running:
        member = running.people["resident"].id
        host = CoreHost(running.platform, running.home, "group_buying")
        async with running.platform.engine.transaction():
            first = await host.purchases.record(**_fact(member))  # type: ignore[arg-type]
            again = await host.purchases.record(**_fact(member, quantity=3))  # type: ignore[arg-type]
        assert again == first and first.quantity == 1
        assert first.day == first.recorded_at.date() and first.module == "group_buying"

        with pytest.raises(RuntimeError):
            async with running.platform.engine.transaction():
                await host.purchases.record(**_fact(member, ref="order-2"))  # type: ignore[arg-type]
                raise RuntimeError("the order failed after the fact was recorded")

        facts = await facts_of(running.home.id, member)
        assert [f.ref for f in facts] == ["order-1"]


async def test_a_fact_about_no_member_here_or_with_a_bad_field_is_refused(
    start_platform, any_database
):
    async with start_platform(database_url=any_database) as running:
        host = CoreHost(running.platform, running.home, "group_buying")
        stranger = running.people["stranger"].id  # a member of the other community
        with pytest.raises(NotFound):
            await host.purchases.record(**_fact(stranger))  # type: ignore[arg-type]
        with pytest.raises(InvalidInput) as refused:
            await host.purchases.record(**_fact(running.people["resident"].id, quantity=0))  # type: ignore[arg-type]
        assert refused.value.extensions["errors"][0]["field"] == "quantity"
        assert await facts_of(running.home.id, stranger) == []


async def test_a_consenting_buyers_new_purchase_updates_their_tag_at_once(start_platform):
    async with start_platform() as running:
        home, member = running.home, running.people["resident"].id
        today = datetime.now(UTC).date()
        for n, back in enumerate((40, 20)):
            await bought(home, member, "formula", today - timedelta(days=back), f"old-{n}")
        await running.platform.profiles.give_consent(home, member)
        assert await running.platform.profiles.tags(home, member) == []  # two purchases
        host = CoreHost(running.platform, home, "group_buying")
        async with running.platform.engine.transaction():
            await host.purchases.record(**_fact(member, ref="new"))  # type: ignore[arg-type]
        [tag] = await running.platform.profiles.tags(home, member)
        assert (tag["cycle_days"], tag["orders"]) == (20, ["old-0", "old-1", "new"])
