"""Tests for the shared toolbox with the SDK's kit: deposits held, voided, kept and expired.

In a package of your own this file would be ``tests/test_toolbox.py`` importing your module.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import toolbox
from linli_sdk import (
    CHARGE_CAPTURED,
    CHARGE_PAID_OUT,
    CHARGE_REFUNDED,
    ChargeStatus,
    Conflict,
    InvalidInput,
    Money,
    Role,
)


def cny(fen: int) -> Money:
    return Money(amount=fen, currency="CNY")


@pytest.fixture
def kit(linli_kit):
    toolbox.HEARD.clear()
    return linli_kit(toolbox)


async def test_a_tool_returned_intact_voids_the_deposit(kit):
    owner = kit.add_member("Owner Li", Role.RESIDENT)
    borrower = kit.add_member("Borrower Chen", Role.RESIDENT)
    lent = await kit.call(
        "lend", {"loan_ref": "drill-1", "owner_id": owner.id, "deposit": cny(20_000)}, as_=borrower
    )
    assert lent.status is ChargeStatus.PENDING and lent.deposit  # held once the call returned
    assert lent.expires_at == kit.clock + timedelta(days=3)
    held = await kit.call("loan", {"charge_id": lent.id}, as_=borrower)
    assert held.status is ChargeStatus.AUTHORIZED

    await kit.call("return", {"charge_id": lent.id}, as_=borrower)
    back = await kit.call("loan", {"charge_id": lent.id}, as_=borrower)
    assert back.status is ChargeStatus.VOIDED and back.parts == {}  # nobody is paid
    assert toolbox.HEARD == []  # nothing was taken


async def test_a_damaged_tool_keeps_the_deposit_split_by_the_deposit_rules(kit):
    owner = kit.add_member("Owner Li", Role.RESIDENT)
    borrower = kit.add_member("Borrower Chen", Role.RESIDENT)
    lent = await kit.call(
        "lend", {"loan_ref": "drill-2", "owner_id": owner.id, "deposit": cny(20_000)}, as_=borrower
    )
    await kit.call("return", {"charge_id": lent.id, "damaged": True}, as_=borrower)
    kept = await kit.call("loan", {"charge_id": lent.id}, as_=borrower)  # captured after the call
    assert kept.parts == {"community_fund": cny(2_000), "owner": cny(18_000)}
    assert kept.remaining == cny(20_000)
    [event] = [e for e in kit.host.events.published if e.type == CHARGE_CAPTURED]
    assert event.payload["module"] == "toolbox"

    # The repair cost CNY 50: the other CNY 150 go back, taken pro rata from owner and fund.
    back = await kit.call("repaired", {"charge_id": lent.id, "cost": cny(5_000)}, as_=borrower)
    assert back.amount == cny(15_000)
    left = await kit.call("loan", {"charge_id": lent.id}, as_=borrower)
    assert left.remaining == cny(5_000)
    assert left.parts == {"community_fund": cny(500), "owner": cny(4_500)}

    [paid] = await kit.pay_out()
    assert paid == (lent.id, "owner")
    assert toolbox.HEARD == [  # each once, as the platform sends them
        (CHARGE_CAPTURED, lent.id),
        (CHARGE_REFUNDED, lent.id),
        (CHARGE_PAID_OUT, lent.id),
    ]


async def test_a_deposit_left_alone_is_voided_at_its_expiry_not_before(kit):
    owner = kit.add_member("Owner Li", Role.RESIDENT)
    borrower = kit.add_member("Borrower Chen", Role.RESIDENT)
    lent = await kit.call(
        "lend",
        {"loan_ref": "drill-3", "owner_id": owner.id, "deposit": cny(5_000), "days": 2},
        as_=borrower,
    )
    await kit.advance(timedelta(days=1))
    assert (await kit.call("loan", {"charge_id": lent.id}, as_=borrower)).status == "authorized"
    await kit.advance(timedelta(days=1))
    assert (await kit.call("loan", {"charge_id": lent.id}, as_=borrower)).status == "voided"
    with pytest.raises(Conflict):
        await kit.call("return", {"charge_id": lent.id, "damaged": True}, as_=borrower)
    assert await kit.pay_out() == []  # nobody is paid from a voided deposit


async def test_a_module_without_deposit_rules_cannot_hold_one(linli_kit):
    import settlement_shop

    kit = linli_kit(settlement_shop)
    buyer = kit.add_member("Chen", Role.RESIDENT)
    with pytest.raises(InvalidInput):
        await kit.host.payments.hold_deposit(
            order_ref="d",
            amount=cny(100),
            payer_id=buyer.id,
            payees={},
            expires_at=kit.clock + timedelta(days=1),
        )
