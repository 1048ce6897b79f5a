"""Payout holds per module: shares held until the module releases the charge, or for days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from linli.modules.enablement import set_module
from linli.settlement import store
from linli.settlement.ledger import ModuleHold
from linli.settlement.payouts import module_holds, pay_out
from linli_sdk import ChargeStatus, Money, PayoutHold, Role
from linli_sdk.revenue_share import split
from settlement_helpers import cny, order, per_currency, settlement

PAYOUTS = "/v1/communities/home/settlement/payouts"
MODULES = "/v1/communities/home/modules"


async def _paid(running, key: str) -> dict[str, int]:
    batch = await running.client.post(
        PAYOUTS, headers={**running.auth("operator"), "Idempotency-Key": key}
    )
    assert batch.status_code == 200, batch.text
    return {line["account"]: line["amount"]["amount"] for line in batch.json()["payouts"]}


async def _held_until_release(running) -> None:
    await set_module(running.platform, running.home, "pickup", enabled=True)
    resident, leader = running.auth("resident"), running.auth("leader")
    bought = {}
    for module, ref in (("shop", "s-1"), ("pickup", "p-1")):
        answer = await running.client.post(
            f"{MODULES}/{module}/buy", json=order(running, ref), headers=resident
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == ChargeStatus.PENDING  # not confirmed inside the call
        bought[module] = answer.json()["id"]
    await settlement(running).idle()
    leader_account = f"payable:leader:{running.people['leader'].id}"

    first = await _paid(running, "b1")
    assert first[leader_account] == 1_000  # the shop's share only: pickup's is held

    verify = f"{MODULES}/pickup/verify-pickup"
    released = await running.client.post(
        verify, json={"charge_id": bought["pickup"]}, headers=leader
    )
    assert released.status_code == 200, released.text
    assert released.json()["released"] is True and released.json()["status"] == "captured"
    again = await running.client.post(verify, json={"charge_id": bought["pickup"]}, headers=leader)
    assert again.json() == released.json()  # idempotent
    missing = await running.client.post(verify, json={"charge_id": "ch_999999"}, headers=leader)
    assert missing.status_code == 404
    others = await running.client.post(verify, json={"charge_id": bought["shop"]}, headers=leader)
    assert others.status_code == 404  # a module reaches only its own charges

    second = await _paid(running, "b2")
    assert second[leader_account] == 1_000  # now pickup's share, once
    assert await _paid(running, "b3") == {}
    assert await per_currency(running.home.id) == {"CNY": 0}


async def test_a_share_held_until_release_is_paid_only_after_the_pickup_is_verified(start_shop):
    async with start_shop() as running:
        await _held_until_release(running)


async def test_a_share_held_until_release_on_postgres(start_shop, postgres_url):
    async with start_shop(database_url=postgres_url) as running:
        await _held_until_release(running)


async def test_a_hold_in_days_keeps_young_shares_back(start_shop):
    async with start_shop() as running:
        await running.client.post(
            f"{MODULES}/shop/buy", json=order(running, "d-1"), headers=running.auth("resident")
        )
        await settlement(running).idle()
        gateway = settlement(running).gateway
        holds = {"shop": PayoutHold(days=1)}
        assert await pay_out(running.home, gateway, hold=timedelta(0), holds=holds) == []
        paid = await pay_out(running.home, gateway, hold=timedelta(0), holds={"shop": None})
        assert {p.account.split(":")[1] for p in paid} == {"leader", "pickup_host", "supplier"}
        assert await store.balances(running.home.id) is not None


def test_module_holds_turn_days_into_cutoffs():
    now = datetime(2026, 11, 22, tzinfo=UTC)
    holds = module_holds(
        {
            "a": PayoutHold(days=2),
            "b": PayoutHold(until_released=True),
            "c": PayoutHold(),
            "d": None,
        },
        now,
    )
    assert holds == {
        "a": ModuleHold(now - timedelta(days=2), False),
        "b": ModuleHold(now, True),
    }


async def test_the_kit_honours_hold_and_release(linli_kit, shop_installed):
    import settlement_pickup_shop

    held = settlement_pickup_shop.manifest.model_copy(
        update={"payout_hold": PayoutHold(days=2, until_released=True)}
    )
    plugin = type("Plugin", (), {"manifest": held})()
    kit = linli_kit(plugin)
    leader = kit.add_member("Lead", Role.LEADER, Role.RESIDENT)
    resident = kit.add_member("Res", Role.RESIDENT)
    body = {
        "order_ref": "k-1",
        "amount": {"amount": 10_000, "currency": "CNY"},
        "leader_id": leader.id,
        "pickup_host_id": leader.id,
        "supplier_id": leader.id,
    }
    charge = await kit.call("buy", body, as_=resident)
    payments = kit.host.payments
    assert not payments.payable(charge.id)  # type: ignore[attr-defined]
    released = await kit.call("verify-pickup", {"charge_id": charge.id}, as_=leader)
    assert released.released  # type: ignore[attr-defined]
    assert not payments.payable(charge.id)  # two more days
    await kit.advance(timedelta(days=2))
    assert payments.payable(charge.id)
    await kit.call("verify-pickup", {"charge_id": charge.id}, as_=leader)  # idempotent
    assert payments.released_at[charge.id] == kit.clock - timedelta(days=2)
    assert charge.amount == Money(amount=10_000, currency="CNY")


async def _refunded_in_full_before_release(running) -> None:
    """Four held charges; one refunded in full and never released, three released."""
    import settlement_pickup_shop

    await set_module(running.platform, running.home, "pickup", enabled=True)
    resident, leader = running.auth("resident"), running.auth("leader")
    amounts = {"pet-1": 2_330, "pet-2": 3_330, "pet-3": 4_440, "pet-4": 10_000}
    charges = {}
    for ref, fen in amounts.items():
        answer = await running.client.post(
            f"{MODULES}/pickup/buy", json=order(running, ref, fen), headers=resident
        )
        assert answer.status_code == 200, answer.text
        charges[ref] = answer.json()["id"]
    await settlement(running).idle()
    body = {"charge_id": charges["pet-1"], "amount": cny(2_330), "ref": "cancelled"}
    refunded = await running.client.post(f"{MODULES}/pickup/compensate", json=body, headers=leader)
    assert refunded.status_code == 200, refunded.text
    await settlement(running).idle()
    assert await _paid(running, "before-release") == {}  # everything is still held

    for ref in ("pet-2", "pet-3", "pet-4"):
        released = await running.client.post(
            f"{MODULES}/pickup/verify-pickup", json={"charge_id": charges[ref]}, headers=leader
        )
        assert released.status_code == 200, released.text

    rules = settlement_pickup_shop.manifest.revenue_share
    fee = settlement(running).gateway.fee  # type: ignore[attr-defined]
    people = running.people
    share: dict[str, int] = {}
    for ref, fen in amounts.items():
        amount = Money(amount=fen, currency="CNY")
        if ref != "pet-1":  # the refunded charge's split went back to the payer in full
            for party, part in split(rules, amount).items():
                share[party] = share.get(party, 0) + part.amount
        share["supplier"] = share.get("supplier", 0) - fee(amount)  # the fee is never refunded
    expected = {
        f"payable:leader:{people['leader'].id}": share["leader"],
        f"payable:pickup_host:{people['leader'].id}": share["pickup_host"],
        f"payable:supplier:{people['operator'].id}": share["supplier"],
    }
    assert await _paid(running, "after-release") == expected  # each its net share, in full
    assert await _paid(running, "again") == {}  # and only once
    balances = await store.balances(running.home.id)
    assert {account: balances[(account, "CNY")] for account in expected} == dict.fromkeys(
        expected, 0
    )
    assert await per_currency(running.home.id) == {"CNY": 0}


async def test_a_charge_refunded_in_full_before_release_withholds_nothing(start_shop):
    async with start_shop() as running:
        await _refunded_in_full_before_release(running)


async def test_a_charge_refunded_in_full_before_release_on_postgres(start_shop, postgres_url):
    async with start_shop(database_url=postgres_url) as running:
        await _refunded_in_full_before_release(running)
