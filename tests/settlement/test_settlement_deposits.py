"""Deposits on the platform, and a module reading its own charges back.

The toolbox of docs/examples/toolbox.py holds a deposit over HTTP: it reads ``authorized``
once the gateway confirmed it, a return voids it (the memo pair reversed, nobody paid), a
damaged tool captures it split by the manifest's ``deposit_rules``, and one left alone is voided
by the worker at its expiry, not before.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from linli.dispatch.worker import DispatchWorker
from linli.settlement import store
from linli.settlement.payments import HostPayments
from linli.unit_of_work import UnitOfWork
from linli_sdk import ChargeStatus, Conflict, InvalidInput, Money, NotFound
from settlement_helpers import SHOP, cny, order, per_currency, settlement

TOOLBOX = "/v1/communities/home/modules/toolbox"


async def _lend(running, ref: str, fen: int = 20_000, days: int = 3) -> dict:
    lent = await running.client.post(
        f"{TOOLBOX}/lend",
        json={
            "loan_ref": ref,
            "owner_id": running.people["leader"].id,
            "deposit": cny(fen),
            "days": days,
        },
        headers=running.auth("resident"),
    )
    assert lent.status_code == 200, lent.text
    await settlement(running).idle()
    return lent.json()


async def _loan(running, charge_id: str) -> dict:
    read = await running.client.get(
        f"{TOOLBOX}/loan", params={"charge_id": charge_id}, headers=running.auth("resident")
    )
    assert read.status_code == 200, read.text
    return read.json()


async def test_a_deposit_is_held_then_voided_or_kept_under_its_own_rules(start_shop):
    async with start_shop() as running:
        await running.enable("toolbox")
        intact, damaged = await _lend(running, "drill-1"), await _lend(running, "drill-2")
        assert intact["status"] == "pending" and intact["deposit"]  # inside the call
        assert (await _loan(running, intact["id"]))["status"] == "authorized"

        back = await running.client.post(
            f"{TOOLBOX}/return", json={"charge_id": intact["id"]}, headers=running.auth("resident")
        )
        kept = await running.client.post(
            f"{TOOLBOX}/return",
            json={"charge_id": damaged["id"], "damaged": True},
            headers=running.auth("resident"),
        )
        assert back.status_code == kept.status_code == 200, back.text + kept.text
        await settlement(running).idle()

        returned = await _loan(running, intact["id"])
        assert returned["status"] == "voided" and returned["parts"] == {}
        taken = await _loan(running, damaged["id"])
        assert taken["status"] == "captured"
        assert taken["parts"] == {"community_fund": cny(2_000), "owner": cny(18_000)}
        balances = await store.balances(running.home.id)
        owner = f"payable:owner:{running.people['leader'].id}"
        assert balances[(owner, "CNY")] == -(18_000 - 120)  # the owner bears the 0.6 % fee
        entries = await store.charge_entries(running.home.id, int(intact["id"][3:]))
        assert sorted(e.kind for e in entries) == ["authorize"] * 2 + ["void"] * 2
        assert not any(e.account.startswith("payable:") for e in entries)
        assert await per_currency(running.home.id) == {"CNY": 0}

        repaired = await running.client.post(  # reads the charge back, refunds what is left
            f"{TOOLBOX}/repaired",
            json={"charge_id": damaged["id"], "cost": cny(5_000)},
            headers=running.auth("resident"),
        )
        assert repaired.status_code == 200, repaired.text
        assert repaired.json()["amount"] == cny(15_000)
        left = await _loan(running, damaged["id"])
        assert left["refunded"] == cny(15_000)
        assert left["parts"] == {"community_fund": cny(500), "owner": cny(4_500)}


async def test_an_expired_deposit_is_voided_by_the_worker_and_an_unexpired_one_left(start_shop):
    async with start_shop() as running:
        await running.enable("toolbox")
        soon, later = await _lend(running, "drill-3", days=1), await _lend(running, "drill-4")
        service = settlement(running)
        now = datetime.now(UTC)
        assert await service.expire_deposits(now=now) == []  # nothing is due yet
        voided = await service.expire_deposits(now=now + timedelta(days=2))
        await service.idle()
        assert voided == [(running.home.id, int(soon["id"][3:]))]
        assert (await _loan(running, soon["id"]))["status"] == "voided"
        assert (await _loan(running, later["id"]))["status"] == "authorized"
        assert await service.expire_deposits(now=now + timedelta(days=2)) == []  # once
        assert await per_currency(running.home.id) == {"CNY": 0}


async def test_a_deposit_is_refused_without_deposit_rules_or_a_future_expiry(start_shop):
    async with start_shop() as running:
        await running.enable("toolbox")
        people = running.people

        def hold(module: str, expires_at: datetime):
            return settlement(running).charge(
                running.home,
                module,
                order_ref=f"{module}-{expires_at.timestamp()}",
                amount=Money(amount=100, currency="CNY"),
                payer_id=people["resident"].id,
                payees={"owner": people["leader"].id},
                capture=False,
                expires_at=expires_at,
            )

        with pytest.raises(InvalidInput, match="deposit_rules"):
            await hold("shop", datetime.now(UTC) + timedelta(days=1))
        with pytest.raises(InvalidInput, match="future"):
            await hold("toolbox", datetime.now(UTC) - timedelta(seconds=1))


async def test_a_module_reads_its_own_charges_back_and_no_one_elses(start_shop):
    async with start_shop() as running:
        bought = await running.client.post(
            f"{SHOP}/buy", json=order(running, "g-1"), headers=running.auth("resident")
        )
        await settlement(running).idle()
        charge_id = bought.json()["id"]
        refund = await running.client.post(
            f"{SHOP}/compensate",
            json={"charge_id": charge_id, "amount": cny(2_500), "ref": "r1"},
            headers=running.auth("leader"),
        )
        assert refund.status_code == 200, refund.text

        def port(module: str, community=None) -> HostPayments:
            where = running.home if community is None else community
            return HostPayments(running.platform, where, module, UnitOfWork())

        charge = await port("shop").get(charge_id)
        assert charge.status is ChargeStatus.CAPTURED
        assert charge.amount == Money(amount=10_000, currency="CNY")
        assert charge.refunded == Money(amount=2_500, currency="CNY")
        assert charge.remaining == Money(amount=7_500, currency="CNY")
        assert sum(p.amount for p in charge.parts.values()) == 7_500
        for stranger in (port("pickup"), port("shop", running.other)):
            with pytest.raises(NotFound):
                await stranger.get(charge_id)
        with pytest.raises(NotFound):
            await port("shop").get("ch_999999")


async def test_capturing_a_deposit_past_its_expiry_is_refused(start_shop):
    async with start_shop() as running:
        await running.enable("toolbox")
        service = settlement(running)
        held = await _hold_for_a_second(running)
        await service.sweep(running.home.id)
        await asyncio.sleep(1.1)  # expired, and the worker has not voided it yet
        with pytest.raises(Conflict, match="expired"):
            await service.capture(running.home, int(held.id[3:]))


async def _hold_for_a_second(running):
    people = running.people
    return await settlement(running).charge(
        running.home,
        "toolbox",
        order_ref="key-card",
        amount=Money(amount=5_000, currency="CNY"),
        payer_id=people["resident"].id,
        payees={"owner": people["leader"].id},
        capture=False,
        expires_at=datetime.now(UTC) + timedelta(seconds=1),
    )


async def test_the_dispatch_worker_voids_a_deposit_once_it_expired(start_shop):
    async with start_shop() as running:
        await _voided_by_the_worker_once_expired(running)


async def test_the_worker_voids_an_expired_deposit_on_postgres(start_shop, postgres_url):
    async with start_shop(database_url=postgres_url) as running:
        await _voided_by_the_worker_once_expired(running)


async def _voided_by_the_worker_once_expired(running) -> None:
    """Held for a second, then voided by one round of the dispatch worker."""
    await running.enable("toolbox")
    service = settlement(running)
    held = await _hold_for_a_second(running)
    await service.sweep(running.home.id)
    assert (await service.get(running.home, int(held.id[3:]))).status == "authorized"
    await asyncio.sleep(1.1)
    await DispatchWorker(running.platform).run_once()
    await service.idle()
    voided = await service.get(running.home, int(held.id[3:]))
    assert voided.status is ChargeStatus.VOIDED and voided.deposit
