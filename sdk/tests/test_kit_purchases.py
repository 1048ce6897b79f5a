"""The kit's purchases port: facts on the kit's clock, once per ref and item, undone with a call."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from linli_sdk import (
    Community,
    InvalidInput,
    Manifest,
    Money,
    NotFound,
    PurchaseFact,
    Role,
    command,
)
from linli_sdk.testing import PluginKit
from pydantic import BaseModel


class Buy(BaseModel):
    ref: str
    quantity: int = 1
    fail: bool = False


class Bought(BaseModel):
    day: date


@command(Role.RESIDENT)
async def buy(ctx, data: Buy) -> Bought:  # type: ignore[no-untyped-def]
    """Report a purchase, then fail if asked to."""
    assert ctx.caller.member_id is not None
    fact = await ctx.host.purchases.record(
        ref=data.ref,
        member_id=ctx.caller.member_id,
        item="formula",
        item_name="婴儿奶粉",
        category="groceries",
        quantity=data.quantity,
        amount=Money(amount=16800 * data.quantity, currency="CNY"),
        pickup_point_id=3,
    )
    if data.fail:
        raise RuntimeError("payment refused")
    return Bought(day=fact.day)


class _Plugin:
    manifest = Manifest(
        name="shop", title="Shop", version="1.0.0", sdk=">=1.0,<2", operations=[buy]
    )


def _kit() -> PluginKit:
    shanghai = Community(id=1, slug="c", name="C", timezone="Asia/Shanghai")
    # 20:00 UTC on 1 March is 04:00 on 2 March in Shanghai: the fact's day is the local one
    return PluginKit(_Plugin(), community=shanghai, now=datetime(2026, 3, 1, 20, tzinfo=UTC))


async def test_a_fact_carries_the_local_day_and_is_kept_once_per_ref_and_item():
    kit = _kit()
    resident = kit.add_member("Li", Role.RESIDENT)
    assert (await kit.call("buy", {"ref": "o-1"}, as_=resident)) == Bought(day=date(2026, 3, 2))
    await kit.advance(timedelta(days=1))
    await kit.call("buy", {"ref": "o-1", "quantity": 5}, as_=resident)
    fact = kit.host.purchases.facts[("o-1", "formula")]
    assert isinstance(fact, PurchaseFact)
    assert (fact.quantity, fact.pickup_point_id, fact.module) == (1, 3, "shop")
    assert fact.recorded_at == datetime(2026, 3, 1, 20, tzinfo=UTC)


async def test_a_failed_call_leaves_no_fact():
    kit = _kit()
    resident = kit.add_member("Li", Role.RESIDENT)
    with pytest.raises(RuntimeError):
        await kit.call("buy", {"ref": "o-2", "fail": True}, as_=resident)
    assert kit.host.purchases.facts == {}


async def test_bad_fields_and_unknown_members_are_refused():
    kit = _kit()
    resident = kit.add_member("Li", Role.RESIDENT)
    with pytest.raises(InvalidInput) as refused:
        await kit.call("buy", {"ref": "o-3", "quantity": 0}, as_=resident)
    assert [e["field"] for e in refused.value.extensions["errors"]] == ["quantity"]
    with pytest.raises(NotFound):
        await kit.host.purchases.record(
            ref="o-4",
            member_id=999,
            item="x",
            item_name="x",
            category="x",
            quantity=1,
            amount=Money(amount=1, currency="CNY"),
        )
