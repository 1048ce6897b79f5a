"""A resident's group buys in their export; erasure clears codes and names, keeps the money."""

from __future__ import annotations

from datetime import timedelta

from group_buying_kit_helpers import Community
from linli_group_buying.models import OrderList
from linli_group_buying.pickup import Pickup


async def test_the_export_lists_orders_and_pickups_and_erasure_clears_codes_and_proxies(
    gb: Community,
) -> None:
    chen, liu = gb.residents[:2]
    opened = await gb.open()
    await gb.join(chen, opened, 2)
    await gb.join(liu, opened, 1)
    await gb.kit.advance(timedelta(days=1))  # formed: pickup codes issued
    mine = await gb.kit.call("my-orders", as_=chen)
    assert isinstance(mine, OrderList)
    code = mine.items[0].pickup_code
    handed = await gb.kit.call(
        "verify-pickup", {"code": code, "proxy": "Neighbour Wu"}, as_=gb.host
    )
    assert isinstance(handed, Pickup)
    photo = await gb.kit.upload(b"\xff\xd8 bruised strawberries")
    claim = {"order_id": handed.order.id, "damaged": 1, "photo": photo, "note": "left at 3-701"}
    await gb.kit.call("claim-damage", claim, as_=chen)

    sections = {s["kind"]: s for s in await gb.kit.export_member(chen)}
    assert set(sections) == {"orders", "pickups", "claims", "live_orders", "campaigns"}
    assert all(s["description"] for s in sections.values())
    assert [o["pickup_code"] for o in sections["orders"]["records"]] == [code]
    assert [p["proxy"] for p in sections["pickups"]["records"]] == ["Neighbour Wu"]
    (claimed,) = sections["claims"]["records"]
    assert (claimed["note"], claimed["photo_id"]) == ("left at 3-701", photo.id)
    opened_by_leader = (await gb.kit.export_member(gb.leader))[-1]["records"]
    assert [c["title"] for c in opened_by_leader] == ["Strawberries"]

    erased = await gb.kit.erase_member(chen)
    assert erased.erased == 3 and "accounting" in erased.kept

    after = {s["kind"]: s["records"] for s in await gb.kit.export_member(chen)}
    assert [o["pickup_code"] for o in after["orders"]] == [None]
    assert [o["amount"] for o in after["orders"]] == [
        o["amount"] for o in sections["orders"]["records"]
    ]
    assert [p["proxy"] for p in after["pickups"]] == [""]
    assert [(c["note"], c["photo_id"]) for c in after["claims"]] == [("", "")]
    assert [c["compensation"] for c in after["claims"]] == [claimed["compensation"]]
    theirs = await gb.kit.call("my-orders", as_=liu)
    assert theirs.items[0].pickup_code  # type: ignore[attr-defined]  # the neighbour's stays
    assert (await gb.kit.erase_member(chen)).erased == 0
