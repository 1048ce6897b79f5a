"""The kit's deposits and its gateway's announcements, through the host's ports directly.

A deposit is asked inside a unit and held after it; its payees are checked against the
deposit rules; the kit's clock voids it at its expiry unless it was captured first. Each
settlement event is announced once, when the gateway answers (``settle``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from linli_sdk import (
    CHARGE_CAPTURED,
    CHARGE_REFUNDED,
    ChargeStatus,
    Conflict,
    InvalidInput,
    Manifest,
    Money,
    percent,
    remainder,
)
from linli_sdk.revenue_share import RevenueShareRules
from linli_sdk.testing import PluginKit

OWNER = 7


def cny(fen: int) -> Money:
    return Money(amount=fen, currency="CNY")


@pytest.fixture
def kit() -> PluginKit:
    manifest = Manifest(
        name="lockers",
        version="0.1.0",
        sdk=">=1.0,<2",
        title="Lockers",
        revenue_share=RevenueShareRules(shares=(percent("platform", 500), remainder("seller"))),
        deposit_rules=RevenueShareRules(
            shares=(percent("community_fund", 1000), remainder("owner"))
        ),
    )
    return PluginKit(SimpleNamespace(manifest=manifest))


async def hold(kit: PluginKit, ref: str = "d-1", days: int = 2, **payees: int) -> str:
    deposit = await kit.host.payments.hold_deposit(
        order_ref=ref,
        amount=cny(10_000),
        payer_id=1,
        payees=payees or {"owner": OWNER},
        expires_at=kit.clock + timedelta(days=days),
    )
    assert (deposit.status, deposit.deposit) == (ChargeStatus.PENDING, True)
    return deposit.id


async def test_a_deposit_names_the_payees_of_the_deposit_rules_not_the_sale_rules(
    kit: PluginKit,
) -> None:
    payments = kit.host.payments
    with pytest.raises(InvalidInput) as refused:
        await hold(kit, seller=OWNER)  # a payee for the sale rules only
    assert refused.value.extensions["party"] == "owner"
    with pytest.raises(InvalidInput, match="timezone-aware"):
        await payments.hold_deposit(
            order_ref="d-2",
            amount=cny(100),
            payer_id=1,
            payees={"owner": OWNER},
            expires_at=datetime(2026, 1, 2),
        )
    assert payments.charges == {}


async def test_a_deposit_is_held_after_its_unit_and_voided_at_its_expiry_not_before(
    kit: PluginKit,
) -> None:
    payments = kit.host.payments
    deposit = await hold(kit)
    assert payments.settle() == []  # held: nothing to tell the module
    assert payments.charges[deposit].status is ChargeStatus.AUTHORIZED

    await kit.advance(timedelta(days=1, hours=23))
    assert payments.charges[deposit].status is ChargeStatus.AUTHORIZED
    await kit.advance(timedelta(hours=1))
    assert payments.charges[deposit].status is ChargeStatus.VOIDED
    with pytest.raises(Conflict):
        await payments.capture(deposit)
    assert [e for e in kit.host.events.published if e.type == CHARGE_CAPTURED] == []


async def test_a_deposit_captured_before_its_expiry_is_kept_and_announced_once(
    kit: PluginKit,
) -> None:
    payments = kit.host.payments
    deposit = await hold(kit)
    payments.settle()
    await payments.capture(deposit)
    [(kind, payload)] = payments.settle()
    assert (kind, payload["charge_id"], payload["amount"]) == (
        CHARGE_CAPTURED,
        deposit,
        {"amount": 10_000, "currency": "CNY"},
    )
    assert payments.settle() == []  # announced once

    await kit.advance(timedelta(days=3))  # past the expiry: a kept deposit stays kept
    kept = payments.charges[deposit]
    assert kept.status is ChargeStatus.CAPTURED
    assert kept.parts == {"community_fund": cny(1_000), "owner": cny(9_000)}
    await payments.refund(deposit, cny(2_500), reason="repaired", ref="repair")
    [(kind, payload)] = payments.settle()
    assert (kind, payload["amount"], payload["ref"]) == (
        CHARGE_REFUNDED,
        {"amount": 2_500, "currency": "CNY"},
        "repair",
    )
