"""Group buying on the SDK's test kit: campaigns, joins, closing, pickup, after-sale, reports."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import zxingcpp
from group_buying_kit_helpers import POINT, Community
from linli_group_buying import plugin as group_buying
from linli_group_buying.after_sale import Claim
from linli_group_buying.models import Campaign, OrderList
from linli_group_buying.pickup import Pickup
from linli_group_buying.reports import Reports
from linli_sdk import ChargeStatus, Conflict, Document, Forbidden, InvalidInput, Money, split
from linli_sdk.testing import PluginKit
from PIL import Image


def cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


def published(kit: PluginKit) -> list[str]:
    return [event.type for event in kit.host.events.published]


async def campaign(gb: Community, campaign_id: int) -> Campaign:
    found = await gb.kit.call("get-campaign", {"campaign_id": campaign_id}, as_=gb.leader)
    assert isinstance(found, Campaign)
    return found


async def orders_of(gb: Community, who: object) -> OrderList:
    listed = await gb.kit.call("my-orders", as_=who)  # type: ignore[arg-type]
    assert isinstance(listed, OrderList)
    return listed


def test_the_manifest_declares_shares_hold_and_credit_events() -> None:
    manifest = group_buying.manifest
    assert manifest.revenue_share is not None
    assert manifest.revenue_share.parties == (
        "platform",
        "leader",
        "pickup_host",
        "community_fund",
        "supplier",
    )
    assert split(manifest.revenue_share, cny(10_000)) == {
        "platform": cny(500),
        "leader": cny(1000),
        "pickup_host": cny(50),
        "community_fund": cny(100),
        "supplier": cny(8350),
    }
    assert manifest.payout_hold is not None and manifest.payout_hold.until_released
    assert {e.name for e in manifest.credit_events} == {
        "collected_on_time",
        "no_show",
        "damage_claim",
        "claim_abuse",
    }
    names = {op.name for op in manifest.operations}
    assert {"open-campaign", "join-campaign", "verify-pickup", "claim-damage"} <= names


async def test_joining_authorises_and_takes_stock(gb: Community) -> None:
    opened = await gb.open()
    chen = gb.residents[0]
    order = await gb.join(chen, opened, quantity=2)
    assert order.amount == cny(2000) and order.status == "authorized"
    assert order.pickup_code is None  # only once confirmed
    charge = gb.kit.host.payments.charges[order.charge_id]
    assert charge.status is ChargeStatus.AUTHORIZED and charge.amount == cny(2000)
    assert (await campaign(gb, opened.id)).left == 8
    assert "group_buying.order_placed" in published(gb.kit)


async def test_each_order_is_a_purchase_fact_under_its_product_across_campaigns(
    gb: Community,
) -> None:
    chen = gb.residents[0]
    first = await gb.join(chen, await gb.open(), quantity=2)
    second = await gb.join(chen, await gb.open(title="Again"), quantity=1)
    facts = gb.kit.host.purchases.facts
    recorded = sorted(facts.values(), key=lambda f: f.ref)
    assert [(f.ref, f.member_id, f.quantity, f.amount) for f in recorded] == [
        (f"order-{first.id}", chen.id, 2, cny(2000)),
        (f"order-{second.id}", chen.id, 1, cny(1000)),
    ]
    assert recorded[0].item == recorded[1].item  # the same product, two campaigns
    assert recorded[0].pickup_point_id == gb.point.id and recorded[0].category == "groceries"
    assert recorded[0].item_name == "Strawberries"


async def test_clear_refusals_beyond_limit_stock_and_deadline(gb: Community) -> None:
    opened = await gb.open(stock_cap=4, per_person_limit=3)
    chen, liu, zhou = gb.residents[:3]
    await gb.join(chen, opened, quantity=3)
    with pytest.raises(Conflict, match="at most 3 per person"):
        await gb.join(chen, opened, quantity=1)
    with pytest.raises(Conflict, match="only 1 left") as refused:
        await gb.join(liu, opened, quantity=2)
    assert refused.value.extensions == {"left": 1}
    await gb.join(liu, opened, quantity=1)
    with pytest.raises(Conflict, match="only 0 left"):
        await gb.join(zhou, opened, quantity=1)
    assert (await campaign(gb, opened.id)).sold == 4  # never oversold
    elsewhere = gb.kit.add_pickup_point("Gate 2", host=gb.host)
    with pytest.raises(InvalidInput, match="not one of this campaign's") as wrong:
        await gb.kit.call(
            "join-campaign",
            {"campaign_id": opened.id, "quantity": 1, "pickup_point_id": elsewhere.id},
            as_=zhou,
        )
    assert wrong.value.extensions == {"field": "pickup_point_id"}
    later = await gb.open(title="Later")
    await gb.kit.advance(timedelta(days=1))
    with pytest.raises(Conflict, match="closed"):
        await gb.join(zhou, later, quantity=1)


async def test_opening_checks_people_tiers_and_deadline(gb: Community) -> None:
    with pytest.raises(InvalidInput, match="supplier_id"):
        await gb.open(supplier_id=gb.residents[0].id)
    hostless = gb.kit.add_pickup_point("Unkept corner")
    with pytest.raises(InvalidInput, match="has no host"):
        await gb.open(pickup_point_ids=[hostless.id])
    with pytest.raises(InvalidInput, match="no pickup point 99"):
        await gb.open(pickup_point_ids=[99])
    with pytest.raises(InvalidInput, match="must cost less"):
        await gb.open(tiers=[{"at_least": 3, "unit_price": {"amount": 1200, "currency": "CNY"}}])
    with pytest.raises(InvalidInput, match="deadline"):
        await gb.open(deadline=(gb.kit.clock - timedelta(minutes=1)).isoformat())
    with pytest.raises(Forbidden):
        await gb.kit.call("open-campaign", {}, as_=gb.residents[0])
    # a supplier opens one naming the leader
    data = {
        "title": "Rice",
        "product": "5 kg",
        "unit_price": {"amount": 4500, "currency": "CNY"},
        "stock_cap": 5,
        "per_person_limit": 1,
        "minimum": 1,
        "deadline": (gb.kit.clock + timedelta(hours=3)).isoformat(),
        "pickup_point_ids": [gb.point.id],
        "leader_id": gb.leader.id,
    }
    rice = await gb.kit.call("open-campaign", data, as_=gb.supplier)
    assert isinstance(rice, Campaign)
    assert (rice.leader_id, rice.supplier_id) == (gb.leader.id, gb.supplier.id)


async def test_a_campaign_missing_its_minimum_voids_every_authorisation(gb: Community) -> None:
    opened = await gb.open(minimum=3)
    orders = [await gb.join(r, opened, quantity=2) for r in gb.residents[:2]]
    await gb.kit.advance(timedelta(days=1))
    closed = await campaign(gb, opened.id)
    assert closed.status == "cancelled"
    for order in orders:
        assert gb.kit.host.payments.charges[order.charge_id].status is ChargeStatus.VOIDED
    for resident in gb.residents[:2]:
        assert (await orders_of(gb, resident)).items[0].status == "cancelled"
    (event,) = [e for e in gb.kit.host.events.published if e.type.endswith("campaign_cancelled")]
    assert event.payload["members"] == sorted(r.id for r in gb.residents[:2])


async def test_a_formed_campaign_captures_and_refunds_the_tier_difference(gb: Community) -> None:
    tiers = [
        {"at_least": 3, "unit_price": {"amount": 900, "currency": "CNY"}},
        {"at_least": 4, "unit_price": {"amount": 850, "currency": "CNY"}},
    ]
    opened = await gb.open(tiers=tiers)
    quantities = [1, 2, 3]
    orders = [await gb.join(r, opened, q) for r, q in zip(gb.residents, quantities, strict=False)]
    await gb.kit.advance(timedelta(days=1))
    closed = await campaign(gb, opened.id)
    assert closed.status == "confirmed" and closed.final_unit_price == cny(900)  # 3 buyers
    payments = gb.kit.host.payments
    for order, quantity in zip(orders, quantities, strict=True):
        charge = payments.charges[order.charge_id]
        assert charge.status is ChargeStatus.CAPTURED
        assert charge.refunded == cny(100 * quantity)  # (1000 - 900) per unit, exactly
        assert sum(p.amount for p in charge.parts.values()) == 900 * quantity
    mine = (await orders_of(gb, gb.residents[2])).items[0]
    assert mine.status == "confirmed" and mine.pickup_code and len(mine.pickup_code) == 8
    assert mine.unit_price == cny(900) and mine.refunded == cny(300)
    qr = await gb.kit.call("pickup-qr", {"order_id": mine.id}, as_=gb.residents[2])
    assert isinstance(qr, Document) and qr.media_type == "image/png"
    scanned = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.content)))
    # A regular QR code (not Micro QR, which phone scanners miss) holding the pickup code.
    assert [(c.text, c.format) for c in scanned] == [
        (mine.pickup_code, zxingcpp.BarcodeFormat.QRCode)
    ]
    with pytest.raises(Exception, match="no order"):
        await gb.kit.call("pickup-qr", {"order_id": mine.id}, as_=gb.residents[0])


async def formed(gb: Community, **fields: object) -> list[str]:
    opened = await gb.open(**fields)
    await gb.join(gb.residents[0], opened, 3)
    await gb.join(gb.residents[1], opened, 1)
    await gb.kit.advance(timedelta(days=1))
    codes = [(await orders_of(gb, r)).items[0].pickup_code for r in gb.residents[:2]]
    assert all(codes)
    return [c for c in codes if c]


async def test_pickup_partial_and_proxy_releases_when_all_is_collected(gb: Community) -> None:
    code, _ = await formed(gb)
    first = await gb.kit.call("verify-pickup", {"code": code, "quantity": 2}, as_=gb.host)
    assert isinstance(first, Pickup) and first.remaining == 1
    assert first.order.status == "partially_collected"
    charge_id = first.order.charge_id
    assert charge_id not in gb.kit.host.payments.released_at
    rest = await gb.kit.call("verify-pickup", {"code": code, "proxy": "Neighbour Wu"}, as_=gb.host)
    assert isinstance(rest, Pickup) and rest.remaining == 0 and rest.handed_over == 1
    assert rest.order.status == "collected" and rest.proxy == "Neighbour Wu"
    assert gb.kit.host.payments.payable(charge_id)
    credit = gb.kit.host.credit.events
    assert credit[f"collected-{first.order.id}"] == (gb.residents[0].id, "collected_on_time", 2)
    with pytest.raises(Conflict):
        await gb.kit.call("verify-pickup", {"code": code}, as_=gb.host)
    other_host = gb.kit.add_member("Host Ma", *gb.host.roles)
    with pytest.raises(Forbidden):
        await gb.kit.call("verify-pickup", {"code": code}, as_=other_host)


async def test_uncollected_units_follow_the_policy(gb: Community) -> None:
    code, untouched = await formed(gb)
    await gb.kit.call("verify-pickup", {"code": code, "quantity": 1}, as_=gb.host)
    await gb.kit.advance(timedelta(days=4))  # the closing day and three local pickup days
    payments = gb.kit.host.payments
    partial, none = [(await orders_of(gb, r)).items[0] for r in gb.residents[:2]]
    assert partial.status == none.status == "uncollected"
    assert payments.charges[partial.charge_id].refunded == cny(2000)
    assert payments.charges[none.charge_id].status is ChargeStatus.REFUNDED
    assert payments.payable(partial.charge_id)
    assert gb.kit.host.credit.events[f"no-show-{none.id}"][1:] == ("no_show", -5)
    assert untouched


async def test_a_damage_claim_is_compensated_within_the_window_and_limit(gb: Community) -> None:
    await gb.kit.enable({"claim_monthly_limit": 1500})
    code, _ = await formed(gb)
    await gb.kit.call("verify-pickup", {"code": code}, as_=gb.host)
    chen = gb.residents[0]
    order = (await orders_of(gb, chen)).items[0]
    photo = await gb.kit.upload(b"\xff\xd8 bruised strawberries")

    async def claim(damaged: int) -> Claim:
        data = {"order_id": order.id, "damaged": damaged, "photo": photo}
        made = await gb.kit.call("claim-damage", data, as_=chen)
        assert isinstance(made, Claim)
        return made

    first = await claim(1)
    assert first.status == "compensated" and first.compensation == cny(1000)
    second = await claim(2)  # 2000 asked, 500 left of the monthly limit
    assert second.compensation == cny(500)
    third = await claim(1)
    assert third.status == "refused" and third.compensation == cny(0)
    charge = gb.kit.host.payments.charges[order.charge_id]
    assert charge.refunded == cny(1500)
    events = gb.kit.host.credit.events
    assert events[f"claim-abuse-order-{order.id}"] == (chen.id, "claim_abuse", -10)
    assert events[f"claim-{first.id}"][1] == "damage_claim"
    await gb.kit.advance(timedelta(hours=49))
    with pytest.raises(Conflict, match="48 h"):
        await claim(1)


async def test_a_claim_needs_a_collected_order_and_a_photo(gb: Community) -> None:
    _, code = await formed(gb)
    liu = gb.residents[1]
    order = (await orders_of(gb, liu)).items[0]
    photo = await gb.kit.upload(b"%PDF", filename="x.pdf", media_type="application/pdf")
    data = {"order_id": order.id, "damaged": 1, "photo": photo}
    with pytest.raises(Conflict, match="not been collected"):
        await gb.kit.call("claim-damage", data, as_=liu)
    await gb.kit.call("verify-pickup", {"code": code}, as_=gb.host)
    with pytest.raises(InvalidInput, match="photo"):
        await gb.kit.call("claim-damage", data, as_=liu)


async def test_pick_lists_go_through_dispatch(gb: Community) -> None:
    opened = await gb.open()
    await gb.join(gb.residents[0], opened, 3)
    await gb.join(gb.residents[1], opened, 1)
    request = {"campaign_id": opened.id, "format": "csv"}
    with pytest.raises(Conflict, match="not confirmed"):
        await gb.kit.call("goods-documents", request, as_=gb.leader)
    await gb.kit.advance(timedelta(days=1))
    document = await gb.kit.call("goods-documents", request, as_=gb.host)
    assert isinstance(document, Document) and document.media_type == "text/csv"
    (sent,) = gb.kit.host.dispatch.goods
    assert [(o.pickup_point, o.lines[0].quantity) for o in sent] == [(POINT, 3), (POINT, 1)]
    assert sent[0].member == "C***"


async def test_reports_show_gmv_conversion_and_demand(gb: Community) -> None:
    code, _ = await formed(
        gb, tiers=[{"at_least": 2, "unit_price": {"amount": 800, "currency": "CNY"}}]
    )
    await gb.kit.call("verify-pickup", {"code": code}, as_=gb.host)
    missed = await gb.open(title="Durian", minimum=4)
    await gb.join(gb.residents[2], missed, 1)
    await gb.kit.advance(timedelta(days=1))
    reports = await gb.kit.call("campaign-reports", as_=gb.supplier)
    assert isinstance(reports, Reports)
    first, second = reports.campaigns
    assert first.gmv == cny(800 * 4) and first.buyers == 2 and first.units_sold == 4
    assert (first.orders_placed, first.orders_confirmed, first.orders_collected) == (2, 2, 1)
    assert first.conversion_bp == 10_000 and first.pickup_bp == 5_000
    assert second.status == "cancelled" and second.gmv == cny(0) and second.conversion_bp == 0
    assert [(d.pickup_point, d.orders, d.units) for d in reports.demand] == [(POINT, 2, 4)]
    outsider = gb.kit.add_member("Other leader", *gb.leader.roles)
    theirs = await gb.kit.call("campaign-reports", as_=outsider)
    assert isinstance(theirs, Reports) and theirs.campaigns == []


async def test_the_demo_seed_opens_a_campaign_at_a_led_pickup_point(gb: Community) -> None:
    led = gb.kit.add_pickup_point("Lobby", host=gb.host, leader=gb.leader)
    await gb.kit.seed_demo()
    listed = await gb.kit.call("list-campaigns", {"status": "open"}, as_=gb.residents[0])
    (demo,) = listed.items  # type: ignore[attr-defined]
    assert demo.pickup_points[0].id == led.id and demo.pickup_points[0].host_id == gb.host.id
    assert demo.leader_id == gb.leader.id
    assert any(key.startswith("close:") for key in gb.kit.host.deadlines.pending)
