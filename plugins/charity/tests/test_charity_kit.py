"""Charity purchases on the SDK's test kit: campaigns, the fund's public ledger, receipts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linli_charity import plugin as charity
from linli_charity.plugin import Campaign, FundEntry, FundLedger, FundList, Purchase
from linli_charity.rules import FUND_PARTY, RULES, EntryKind, totals
from linli_charity.tables import CampaignRow, FundEntryRow, FundRow, PurchaseRow
from linli_sdk import (
    CHARGE_CAPTURED,
    CHARGE_FAILED,
    CHARGE_REFUNDED,
    ChargeStatus,
    Conflict,
    Document,
    Forbidden,
    InvalidInput,
    MemberView,
    Money,
    NotFound,
    Role,
)
from linli_sdk.revenue_share import split
from linli_sdk.testing import PluginKit
from piccolo.engine.sqlite import SQLiteEngine

SECOND = timedelta(seconds=1)

SETTLED = (CHARGE_CAPTURED, CHARGE_REFUNDED)
"""Settlement events about the money itself, beside the module's own."""


def cny(fen: int) -> Money:
    return Money(amount=fen, currency="CNY")


class People:
    def __init__(self, kit: PluginKit) -> None:
        self.leader = kit.add_member("Wang", Role.LEADER, Role.RESIDENT)
        self.buyer = kit.add_member("Chen", Role.RESIDENT)
        self.seller = kit.add_member("Farmer Ma", Role.PROVIDER_STAFF)


async def open_campaign(
    kit: PluginKit, people: People, fund: str, price: int, kind: str = "community"
) -> Campaign:
    campaign = await kit.call(
        "create-campaign",
        {
            "title": f"Apples for {fund}",
            "fund_name": fund,
            "fund_kind": kind,
            "seller_id": people.seller.id,
            "unit_price": cny(price),
        },
        as_=people.leader,
    )
    assert isinstance(campaign, Campaign)
    return campaign


async def buy(kit: PluginKit, who: MemberView, campaign_id: int, quantity: int = 1) -> Purchase:
    bought = await kit.call("buy", {"campaign_id": campaign_id, "quantity": quantity}, as_=who)
    assert isinstance(bought, Purchase)
    return bought


async def ledger(kit: PluginKit, who: MemberView, fund_id: int) -> FundLedger:
    shown = await kit.call("fund-ledger", {"fund_id": fund_id}, as_=who)
    assert isinstance(shown, FundLedger)
    return shown


def test_the_rules_give_the_fund_its_declared_part_and_allow_a_zero_platform_fee() -> None:
    assert charity.manifest.revenue_share is RULES
    assert split(RULES, cny(4_990)) == {
        "platform": cny(149),
        FUND_PARTY: cny(499),
        "seller": cny(4_342),
    }
    free = RULES.with_overrides({"platform": 0})
    assert split(free, cny(4_990))["platform"].is_zero
    assert totals([(EntryKind.DONATION, 500), (EntryKind.REFUND, -50)]).balance == 450


async def test_a_purchase_donates_its_part_on_the_public_ledger(charity_db, linli_kit):
    kit: PluginKit = linli_kit(charity)
    people = People(kit)
    campaign = await open_campaign(kit, people, "Elderly lunches", 4_990)
    assert campaign.declared_donation_bp == 1_000
    purchase = await buy(kit, people.buyer, campaign.id, quantity=2)
    assert purchase.amount == cny(9_980) and purchase.donated is None
    with pytest.raises(Conflict):  # no receipt before the charge is captured and recorded
        await kit.call("donation-receipt", {"purchase_id": purchase.id}, as_=people.buyer)
    await kit.advance(SECOND)
    assert [e.type for e in kit.host.events.published if e.type not in SETTLED] == [
        "charity.donation_recorded"
    ]

    newcomer = kit.add_member("Zhao")  # any member may read the public ledger
    shown = await ledger(kit, newcomer, campaign.fund_id)
    assert [(e.kind, e.amount) for e in shown.entries] == [(EntryKind.DONATION, cny(998))]
    assert shown.fund.balance == cny(998) and shown.totals.donated == 998

    refunded = await kit.call(
        "refund-purchase",
        {"purchase_id": purchase.id, "amount": cny(4_990), "reason": "one box bruised", "ref": "a"},
        as_=people.leader,
    )
    assert isinstance(refunded, Purchase) and refunded.refunded_donation == cny(499)
    again = await kit.call(  # the same ref changes nothing
        "refund-purchase",
        {"purchase_id": purchase.id, "amount": cny(4_990), "reason": "one box bruised", "ref": "a"},
        as_=people.leader,
    )
    assert again == refunded
    grant = await kit.call(
        "disburse",
        {"fund_id": campaign.fund_id, "amount": cny(400), "purpose": "lunches, week 47"},
        as_=people.leader,
    )
    assert isinstance(grant, FundEntry) and grant.amount == cny(-400)
    with pytest.raises(Conflict):  # never more than the fund holds
        await kit.call(
            "disburse",
            {"fund_id": campaign.fund_id, "amount": cny(100), "purpose": "too much"},
            as_=people.leader,
        )
    with pytest.raises(Forbidden):
        await kit.call(
            "disburse",
            {"fund_id": campaign.fund_id, "amount": cny(1), "purpose": "mine"},
            as_=people.buyer,
        )
    shown = await ledger(kit, people.buyer, campaign.fund_id)
    assert [e.kind for e in shown.entries] == ["donation", "refund", "disbursement"]
    assert shown.totals.model_dump() == {
        "donated": 998,
        "refunded": 499,
        "disbursed": 400,
        "balance": 99,
    }

    doc = await kit.call("donation-receipt", {"purchase_id": purchase.id}, as_=people.buyer)
    assert isinstance(doc, Document)
    body = json.loads(doc.content)
    assert body["fund"] == "Elderly lunches" and body["net_donation"] == cny(499).model_dump()
    with pytest.raises(NotFound):  # a neighbour cannot read someone else's receipt
        await kit.call("donation-receipt", {"purchase_id": purchase.id}, as_=newcomer)


async def test_a_declined_purchase_fails_and_gives_nothing(charity_db, linli_kit):
    kit: PluginKit = linli_kit(charity)
    people = People(kit)
    campaign = await open_campaign(kit, people, "Elderly lunches", 4_990)
    kit.host.payments.decline_next()
    purchase = await buy(kit, people.buyer, campaign.id)
    assert purchase.failed is False  # inside the call the gateway has not answered
    [mine] = (await kit.call("my-purchases", {}, as_=people.buyer)).items  # type: ignore[attr-defined]
    assert mine.failed is True and mine.donated is None
    assert kit.host.deadlines.pending == {}  # nothing waits for the refused charge
    assert await kit.advance(timedelta(hours=2)) == []
    assert [e.type for e in kit.host.events.published if e.type not in SETTLED] == [
        CHARGE_FAILED,
        "charity.purchase_failed",
    ]
    await kit.deliver_events()  # a repeated delivery changes nothing
    shown = await ledger(kit, people.buyer, campaign.fund_id)
    assert shown.entries == [] and shown.fund.balance == cny(0)
    with pytest.raises(Conflict, match="refused"):
        await kit.call(
            "refund-purchase",
            {"purchase_id": purchase.id, "amount": cny(1), "reason": "x", "ref": "r"},
            as_=people.leader,
        )
    paid = await buy(kit, people.buyer, campaign.id)  # the next purchase goes through
    await kit.advance(SECOND)
    assert (await ledger(kit, people.buyer, campaign.fund_id)).fund.balance == cny(499)
    assert paid.id != purchase.id


async def test_a_donation_deadline_that_finds_the_charge_failed_stops_there(charity_db, linli_kit):
    kit: PluginKit = linli_kit(charity)
    people = People(kit)
    campaign = await open_campaign(kit, people, "Elderly lunches", 4_990)
    purchase = await buy(kit, people.buyer, campaign.id)
    charge = kit.host.payments.charges[purchase.charge_id]
    failed = charge.model_copy(update={"status": ChargeStatus.FAILED, "parts": {}})
    kit.host.payments.charges[charge.id] = failed
    await kit.advance(SECOND)  # the deadline sees the failure before any event
    [mine] = (await kit.call("my-purchases", {}, as_=people.buyer)).items  # type: ignore[attr-defined]
    assert mine.failed is True and mine.donated is None
    assert (await ledger(kit, people.buyer, campaign.fund_id)).entries == []
    assert kit.host.deadlines.pending == {}


async def test_campaigns_are_checked(charity_db, linli_kit):
    kit: PluginKit = linli_kit(charity)
    people = People(kit)
    with pytest.raises(InvalidInput):
        await kit.call(
            "create-campaign",
            {"title": "x", "fund_name": "f", "seller_id": 999, "unit_price": cny(100)},
            as_=people.leader,
        )
    with pytest.raises(Forbidden):
        await kit.call(
            "create-campaign",
            {"title": "x", "fund_name": "f", "seller_id": people.seller.id, "unit_price": cny(1)},
            as_=people.buyer,
        )
    with pytest.raises(NotFound):
        await buy(kit, people.buyer, 42)
    first = await open_campaign(kit, people, "Shared fund", 1_000, kind="ngo")
    second = await open_campaign(kit, people, "Shared fund", 2_000)
    assert first.fund_id == second.fund_id  # one fund, found by name
    funds = await kit.call("list-funds", {}, as_=people.buyer)
    assert isinstance(funds, FundList) and [f.kind for f in funds.items] == ["ngo"]
    listed = await kit.call("list-campaigns", {}, as_=people.buyer)
    assert [c.id for c in listed.items] == [second.id, first.id]  # type: ignore[attr-defined]


async def test_the_demo_has_a_farm_aid_campaign(charity_db, linli_kit):
    kit: PluginKit = linli_kit(charity)
    await kit.seed_demo()
    people = People(kit)
    listed = await kit.call("list-campaigns", {}, as_=people.buyer)
    (campaign,) = listed.items  # type: ignore[attr-defined]
    assert campaign.unit_price == cny(4_990) and "Farm-aid" in campaign.title
    await buy(kit, people.buyer, campaign.id)
    await kit.advance(SECOND)
    assert (await ledger(kit, people.buyer, campaign.fund_id)).fund.balance == cny(499)


_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("buy"), st.integers(0, 1), st.integers(1, 5)),
        st.tuples(st.just("refund"), st.integers(0, 40), st.integers(1, 100)),
        st.tuples(st.just("disburse"), st.integers(0, 1), st.integers(1, 3_000)),
        st.tuples(st.just("confirm"), st.just(0), st.just(0)),
    ),
    max_size=30,
)


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(prices=st.tuples(st.integers(1, 99_999), st.integers(1, 99_999)), steps=_STEPS)
async def test_the_public_ledger_adds_up_to_the_cent_against_the_purchases(
    charity_db: SQLiteEngine, linli_kit, prices: tuple[int, int], steps: list[tuple[str, int, int]]
):
    for table in (FundEntryRow, PurchaseRow, CampaignRow, FundRow):
        await table.delete(force=True)
    kit: PluginKit = linli_kit(charity)
    people = People(kit)
    campaigns = [
        await open_campaign(kit, people, "Fund A", prices[0]),
        await open_campaign(kit, people, "NGO B", prices[1], kind="ngo"),
    ]
    purchases: list[Purchase] = []
    disbursed = 0
    for n, (step, pick, size) in enumerate(steps):
        if step == "buy":
            purchases.append(await buy(kit, people.buyer, campaigns[pick].id, size))
        elif step == "confirm":
            await kit.advance(SECOND)
        elif step == "refund" and purchases:
            purchase = purchases[pick % len(purchases)]
            charge = kit.host.payments.charges[purchase.charge_id]
            left = (charge.amount - charge.refunded).amount
            data = {
                "purchase_id": purchase.id,
                "amount": cny(max(1, left * size // 100)),
                "reason": "returned",
                "ref": f"r{n}",
            }
            if left == 0:
                continue
            recorded = (await ledger(kit, people.buyer, campaigns[0].fund_id)).entries + (
                await ledger(kit, people.buyer, campaigns[1].fund_id)
            ).entries
            if not any(e.purchase_id == purchase.id for e in recorded):
                with pytest.raises(Conflict):
                    await kit.call("refund-purchase", data, as_=people.leader)
                continue
            await kit.call("refund-purchase", data, as_=people.leader)
        elif step == "disburse":
            fund_id = campaigns[pick].fund_id
            balance = (await ledger(kit, people.buyer, fund_id)).fund.balance.amount
            grant = {"fund_id": fund_id, "amount": cny(size), "purpose": f"grant {n}"}
            if size > balance:
                with pytest.raises(Conflict):
                    await kit.call("disburse", grant, as_=people.leader)
                continue
            await kit.call("disburse", grant, as_=people.leader)
            disbursed += size
    await kit.advance(SECOND)

    ledgers = [await ledger(kit, people.buyer, c.fund_id) for c in campaigns]
    for shown in ledgers:
        assert shown.totals == totals((e.kind, e.amount.amount) for e in shown.entries)
        assert (
            shown.fund.balance.amount
            == shown.totals.balance
            == sum(e.amount.amount for e in shown.entries)
        )
    # what the funds hold net of refunds is exactly what the charges' fund party holds now
    held = sum(c.parts[FUND_PARTY].amount for c in kit.host.payments.charges.values())
    assert sum(s.totals.donated - s.totals.refunded for s in ledgers) == held
    assert sum(s.totals.disbursed for s in ledgers) == disbursed
    # and each purchase donated exactly its declared part
    donations = {
        e.purchase_id: e.amount.amount for s in ledgers for e in s.entries if e.kind == "donation"
    }
    assert donations == {p.id: p.amount.amount * 1_000 // 10_000 for p in purchases}
