"""Bill payment on the SDK's test kit: look up, pay, confirm after commit, refund, receipts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from linli_bill_payment import plugin as bill_payment
from linli_bill_payment.billers import BILLERS, BillerRefused, BillKind, SandboxBiller
from linli_bill_payment.plugin import AccountList, BillQuote, Payment
from linli_bill_payment.rules import RULES, biller_shortfall, next_wait, total_due
from linli_sdk import (
    CHARGE_CAPTURED,
    CHARGE_FAILED,
    CHARGE_REFUNDED,
    ChargeStatus,
    Conflict,
    Document,
    Forbidden,
    InvalidInput,
    Money,
    NotFound,
    Role,
)
from linli_sdk.revenue_share import refund, split
from linli_sdk.testing import PluginKit

SETTLED = (CHARGE_CAPTURED, CHARGE_REFUNDED)
"""Settlement events about the money itself, beside the module's own."""


def cny(fen: int) -> Money:
    return Money(amount=fen, currency="CNY")


async def quote(kit: PluginKit, who, account: str, biller: str = "sandbox_water") -> BillQuote:
    found = await kit.call("look-up-bill", {"biller": biller, "account_number": account}, as_=who)
    assert isinstance(found, BillQuote)
    return found


async def pay(kit: PluginKit, who, found: BillQuote, leader_id: int) -> Payment:
    bill = found.bill
    paid = await kit.call(
        "pay-bill",
        {
            "biller": bill.biller,
            "account_number": bill.account_number,
            "bill_ref": bill.bill_ref,
            "amount": bill.amount,
            "leader_id": leader_id,
            "period": bill.period,
        },
        as_=who,
    )
    assert isinstance(paid, Payment)
    return paid


async def status(kit: PluginKit, who, payment_id: int) -> Payment:
    shown = await kit.call("get-payment", {"payment_id": payment_id}, as_=who)
    assert isinstance(shown, Payment)
    return shown


def test_the_manifest_declares_the_fee_split_and_the_biller_as_remainder() -> None:
    manifest = bill_payment.manifest
    assert (
        manifest.name == "bill_payment"
        and manifest.supports("1.1.0")
        and not manifest.supports("1.0.0")
    )
    assert manifest.revenue_share is RULES
    assert RULES.remainder_party == "biller" and RULES.fee_bearer == "platform"
    assert split(RULES, cny(10_100)) == {
        "platform": cny(50),
        "leader": cny(50),
        "biller": cny(10_000),
    }


@given(
    bill=st.integers(min_value=1, max_value=10_000_000),
    platform=st.integers(min_value=0, max_value=500),
    leader=st.integers(min_value=0, max_value=500),
    refunded=st.integers(min_value=0, max_value=10_001_000),
)
def test_the_biller_gets_the_bill_to_the_cent_whatever_fee_the_operator_sets(
    bill: int, platform: int, leader: int, refunded: int
) -> None:
    rules = RULES.with_overrides({"platform": cny(platform), "leader": cny(leader)})
    total = total_due(cny(bill), cny(platform + leader))
    parts = split(rules, total)
    assert parts == {"platform": cny(platform), "leader": cny(leader), "biller": cny(bill)}
    assert biller_shortfall(parts, cny(bill)) is None
    taken = refund(parts, cny(min(refunded, total.amount)))
    assert sum(p.amount for p in taken.values()) == min(refunded, total.amount)
    assert refund(parts, total) == parts  # a full refund returns every party to zero


def test_a_fee_that_disagrees_with_the_split_is_caught() -> None:
    parts = split(RULES, total_due(cny(5_000), cny(0)))  # fee 0, shares still 0.50 + 0.50
    assert biller_shortfall(parts, cny(5_000)) is not None
    assert next_wait(1) == timedelta(seconds=2) and next_wait(40) == timedelta(hours=1)


async def test_the_sandbox_biller_is_deterministic_and_idempotent_by_reference() -> None:
    water = BILLERS["sandbox_water"]
    first, again = await water.look_up("3101001234"), await water.look_up("3101001234")
    assert first == again and first.kind is BillKind.WATER
    assert 1_000 <= first.amount.amount < 51_000
    paid = await water.pay(first.bill_ref, first.amount, reference="r-1")
    assert paid == await water.pay(first.bill_ref, first.amount, reference="r-1")
    assert paid != await water.pay(first.bill_ref, first.amount, reference="r-2")
    with pytest.raises(BillerRefused):
        await water.pay(first.bill_ref, first.amount + cny(1), reference="r-3")
    with pytest.raises(NotFound):
        await water.look_up("1234404")
    with pytest.raises(NotFound):
        await water.look_up("12ab")
    closed = await water.look_up("5550000")
    with pytest.raises(BillerRefused):
        await water.pay(closed.bill_ref, closed.amount, reference="r-4")
    refusing = SandboxBiller("sandbox_water", BillKind.WATER, "t", refuse_payments=True)
    with pytest.raises(BillerRefused):
        await refusing.pay(first.bill_ref, first.amount, reference="r-5")


async def test_pay_a_bill_the_biller_is_paid_after_commit_and_a_receipt_follows(kit: PluginKit):
    resident = kit.add_member("Chen", Role.RESIDENT)
    leader = kit.add_member("Wang", Role.LEADER, Role.RESIDENT)
    found = await quote(kit, resident, "3101001234")
    assert found.fee == cny(100) and found.total == found.bill.amount + cny(100)
    payment = await pay(kit, resident, found, leader.id)
    assert payment.status == "pending" and payment.total == found.total
    (charge,) = kit.host.payments.charges.values()
    assert charge.parts["biller"] == found.bill.amount
    assert charge.parts["platform"] == charge.parts["leader"] == cny(50)
    with pytest.raises(Conflict):  # no receipt before the biller confirmed
        await kit.call("receipt", {"payment_id": payment.id}, as_=resident)

    fired = await kit.advance(timedelta(seconds=1))
    assert [d.key for d in fired] == [f"confirm:{payment.id}"]
    paid = await status(kit, resident, payment.id)
    assert paid.status == "paid" and paid.confirmation.startswith("SBX-")
    assert [e.type for e in kit.host.events.published if e.type not in SETTLED] == [
        "bill_payment.bill_paid"
    ]
    doc = await kit.call("receipt", {"payment_id": payment.id}, as_=resident)
    assert isinstance(doc, Document) and doc.media_type == "application/json"
    body = json.loads(doc.content)
    assert body["bill_amount"] == found.bill.amount.model_dump()
    assert body["biller_confirmation"] == paid.confirmation
    again = await quote(kit, resident, "3101001234")
    assert again.payment_id == payment.id and again.payment_status == "paid"

    neighbour = kit.add_member("Liu", Role.RESIDENT)
    with pytest.raises(NotFound):  # another resident cannot see it
        await kit.call("get-payment", {"payment_id": payment.id}, as_=neighbour)
    with pytest.raises(Conflict):  # nor pay the same bill again
        await pay(kit, neighbour, found, leader.id)
    repeat = await pay(kit, resident, found, leader.id)  # the payer gets the same payment
    assert repeat.id == payment.id and len(kit.host.payments.charges) == 1


async def test_a_refused_payment_is_refunded_in_full_and_the_bill_may_be_paid_again(
    kit: PluginKit,
):
    resident = kit.add_member("Chen", Role.RESIDENT)
    host = kit.add_member("Li", Role.PICKUP_HOST)
    found = await quote(kit, resident, "7770000", biller="sandbox_power")
    payment = await pay(kit, resident, found, host.id)
    await kit.advance(timedelta(seconds=1))
    refunded = await status(kit, resident, payment.id)
    assert refunded.status == "refunded" and "closed" in refunded.failure
    (charge,) = kit.host.payments.charges.values()
    assert charge.status == "refunded" and charge.refunded == found.total
    assert all(part.is_zero for part in charge.parts.values())
    assert [e.type for e in kit.host.events.published if e.type not in SETTLED] == [
        "bill_payment.bill_payment_refunded"
    ]
    retry = await pay(kit, resident, found, host.id)  # the claim was released
    assert retry.id != payment.id and len(kit.host.payments.charges) == 2


async def test_a_declined_charge_fails_the_payment_at_once_and_frees_the_bill(kit: PluginKit):
    resident = kit.add_member("Chen", Role.RESIDENT)
    leader = kit.add_member("Wang", Role.LEADER, Role.RESIDENT)
    found = await quote(kit, resident, "3101001234")
    kit.host.payments.decline_next()
    payment = await pay(kit, resident, found, leader.id)
    assert payment.status == "pending"  # inside the call the gateway has not answered
    failed = await status(kit, resident, payment.id)
    assert failed.status == "failed" and payment.charge_id in failed.failure
    assert kit.host.deadlines.pending == {}  # nothing polls the refused charge any more
    assert await kit.advance(timedelta(hours=2)) == []
    assert [e.type for e in kit.host.events.published if e.type not in SETTLED] == [
        CHARGE_FAILED,
        "bill_payment.bill_payment_failed",
    ]
    await kit.deliver_events()  # a repeated delivery changes nothing
    again = await quote(kit, resident, "3101001234")
    assert again.payment_id is None  # the bill is free to be paid again
    retry = await pay(kit, resident, found, leader.id)
    assert retry.id != payment.id
    await kit.advance(timedelta(seconds=1))
    assert (await status(kit, resident, retry.id)).status == "paid"


async def test_a_confirm_that_finds_the_charge_failed_stops_there(kit: PluginKit):
    resident = kit.add_member("Chen", Role.RESIDENT)
    leader = kit.add_member("Wang", Role.LEADER, Role.RESIDENT)
    payment = await pay(kit, resident, await quote(kit, resident, "3101001234"), leader.id)
    charge = kit.host.payments.charges[payment.charge_id]
    kit.host.payments.charges[charge.id] = charge.model_copy(update={"status": ChargeStatus.FAILED})
    await kit.advance(timedelta(seconds=1))  # the confirm deadline sees it before any event
    assert (await status(kit, resident, payment.id)).status == "failed"
    assert kit.host.deadlines.pending == {}


async def test_payments_are_checked_before_anything_is_charged(kit: PluginKit):
    resident = kit.add_member("Chen", Role.RESIDENT)
    newcomer = kit.add_member("Zhao")
    found = await quote(kit, resident, "3101001234")
    with pytest.raises(InvalidInput):  # the station must be a leader or pickup host
        await pay(kit, resident, found, resident.id)
    with pytest.raises(Forbidden):
        await pay(kit, newcomer, found, resident.id)
    with pytest.raises(NotFound):
        await quote(kit, resident, "3101001234", biller="moon_water")
    await kit.enable({"billers": ["sandbox_gas"]})
    with pytest.raises(NotFound):  # not enabled here
        await quote(kit, resident, "3101001234")
    assert kit.host.payments.charges == {}


async def test_saved_accounts_and_the_demo_seed(kit: PluginKit):
    await kit.seed_demo()
    resident = kit.add_member("Chen", Role.RESIDENT)
    leader = kit.add_member("Wang", Role.LEADER)
    await kit.call(
        "save-account",
        {"biller": "sandbox_gas", "account_number": "4455667788", "label": "my gas"},
        as_=resident,
    )
    with pytest.raises(Forbidden):
        await kit.call(
            "save-account",
            {"biller": "sandbox_gas", "account_number": "4455667789", "label": "x", "shared": True},
            as_=resident,
        )
    await kit.call(
        "save-account",
        {"biller": "sandbox_gas", "account_number": "4455667790", "label": "hall", "shared": True},
        as_=leader,
    )
    mine = await kit.call("list-accounts", {}, as_=resident)
    theirs = await kit.call("list-accounts", {}, as_=leader)
    assert isinstance(mine, AccountList) and isinstance(theirs, AccountList)
    assert len(mine.items) == 5 and len(theirs.items) == 4  # 3 seeded + 1 shared (+ own)
    for account in mine.items:  # every seeded account has a bill to pay
        await quote(kit, resident, account.account_number, biller=account.biller)
