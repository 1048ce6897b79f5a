"""A member's charity purchases in their export; erasure keeps them as money records."""

from __future__ import annotations

from linli_charity import plugin as charity
from linli_charity.plugin import Campaign
from linli_sdk import Money, Role


async def test_the_export_lists_purchases_and_erasure_keeps_the_money_records(
    charity_db, linli_kit
):
    kit = linli_kit(charity)
    leader = kit.add_member("Wang", Role.LEADER, Role.RESIDENT)
    chen = kit.add_member("Chen", Role.RESIDENT)
    liu = kit.add_member("Liu", Role.RESIDENT)
    seller = kit.add_member("Farmer Ma", Role.PROVIDER_STAFF)
    campaign = await kit.call(
        "create-campaign",
        {
            "title": "Apples",
            "fund_name": "Hall fund",
            "fund_kind": "community",
            "seller_id": seller.id,
            "unit_price": Money(amount=2000, currency="CNY"),
        },
        as_=leader,
    )
    assert isinstance(campaign, Campaign)
    await kit.call("buy", {"campaign_id": campaign.id, "quantity": 2}, as_=chen)
    await kit.call("buy", {"campaign_id": campaign.id, "quantity": 1}, as_=liu)

    purchases, campaigns = await kit.export_member(chen)
    assert [(p["buyer_id"], p["quantity"]) for p in purchases["records"]] == [(chen.id, 2)]
    assert campaigns["records"] == []
    assert [c["title"] for c in (await kit.export_member(leader))[1]["records"]] == ["Apples"]

    erased = await kit.erase_member(chen)
    assert erased.erased == 0 and "accounting" in erased.kept
    mine = await kit.call("my-purchases", {}, as_=chen)
    assert [p.quantity for p in mine.items] == [2]  # the money record stays, nothing more
