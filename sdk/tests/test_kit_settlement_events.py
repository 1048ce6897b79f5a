"""The kit's payments: reading a charge back, and the settlement events the platform sends."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from linli_sdk import (
    CHARGE_CAPTURED,
    CHARGE_PAID_OUT,
    CHARGE_REFUNDED,
    ChargeStatus,
    Conflict,
    Context,
    Manifest,
    Money,
    NotFound,
    PayoutHold,
    Role,
    command,
    percent,
    remainder,
)
from linli_sdk.revenue_share import RevenueShareRules
from linli_sdk.testing import PluginKit
from pydantic import BaseModel


def cny(fen: int) -> Money:
    return Money(amount=fen, currency="CNY")


class Buy(BaseModel):
    ref: str
    fen: int
    fail: bool = False


class Back(BaseModel):
    charge_id: str
    fen: int


class Charged(BaseModel):
    charge_id: str


def make_plugin() -> SimpleNamespace:
    @command(Role.RESIDENT)
    async def buy(ctx: Context[BaseModel], data: Buy) -> Charged:
        assert ctx.caller.member_id is not None
        charge = await ctx.host.payments.charge(
            order_ref=data.ref,
            amount=cny(data.fen),
            payer_id=ctx.caller.member_id,
            payees={"seller": 99},
        )
        if data.fail:
            raise Conflict("changed my mind")
        return Charged(charge_id=charge.id)

    @command(Role.RESIDENT)
    async def give_back(ctx: Context[BaseModel], data: Back) -> Charged:
        await ctx.host.payments.refund(data.charge_id, cny(data.fen), reason="r", ref="r1")
        return Charged(charge_id=data.charge_id)

    manifest = Manifest(
        name="stall",
        version="0.1.0",
        sdk=">=0.1",
        title="Stall",
        operations=(buy, give_back),
        revenue_share=RevenueShareRules(shares=(percent("platform", 1000), remainder("seller"))),
        payout_hold=PayoutHold(days=1),
    )
    return SimpleNamespace(manifest=manifest)


@pytest.fixture
def kit() -> PluginKit:
    return PluginKit(make_plugin())


def settled(kit: PluginKit) -> list[tuple[str, dict]]:
    return [(e.type, e.payload) for e in kit.host.events.published if e.module is None]


async def test_a_charge_reads_back_with_what_is_left_to_refund(kit: PluginKit) -> None:
    buyer = kit.add_member("Chen", Role.RESIDENT)
    bought = await kit.call("buy", {"ref": "o-1", "fen": 1_000}, as_=buyer)
    await kit.call("give-back", {"charge_id": bought.charge_id, "fen": 300}, as_=buyer)
    charge = await kit.host.payments.get(bought.charge_id)
    assert charge.status is ChargeStatus.CAPTURED
    assert charge.refunded == cny(300) and charge.remaining == cny(700)
    with pytest.raises(NotFound):
        await kit.host.payments.get("ch_404")


async def test_captured_refunded_and_paid_out_arrive_once_each_like_the_platform(
    kit: PluginKit,
) -> None:
    buyer = kit.add_member("Chen", Role.RESIDENT)
    bought = await kit.call("buy", {"ref": "o-1", "fen": 1_000}, as_=buyer)
    await kit.call("give-back", {"charge_id": bought.charge_id, "fen": 300}, as_=buyer)
    assert await kit.pay_out() == []  # the manifest holds shares a day
    await kit.advance(timedelta(days=1))
    assert await kit.pay_out() == [(bought.charge_id, "seller")]
    assert await kit.pay_out() == []  # paid once
    base = {"charge_id": bought.charge_id, "order_ref": "o-1", "module": "stall"}
    assert settled(kit) == [
        (CHARGE_CAPTURED, base | {"amount": {"amount": 1_000, "currency": "CNY"}}),
        (CHARGE_REFUNDED, base | {"amount": {"amount": 300, "currency": "CNY"}, "ref": "r1"}),
        (
            CHARGE_PAID_OUT,
            base
            | {"party": "seller", "payee_id": 99, "amount": {"amount": 630, "currency": "CNY"}},
        ),
    ]


async def test_a_call_that_raises_announces_nothing(kit: PluginKit) -> None:
    buyer = kit.add_member("Chen", Role.RESIDENT)
    with pytest.raises(Conflict):
        await kit.call("buy", {"ref": "o-1", "fen": 1_000, "fail": True}, as_=buyer)
    assert kit.host.events.published == []
    assert await kit.deliver_events() == []
