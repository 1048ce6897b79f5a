"""A household's registration and care needs in its export; erasure unlinks and erases them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from linli_emergency_supply import plugin as emergency_supply
from linli_emergency_supply.models import HouseholdList, HouseholdOut
from linli_emergency_supply.rules import CONSENT_TEXT
from linli_sdk import Conflict, Role

START = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("supply_db")
PACK = {
    "name": "Vegetables",
    "contents": "5 kg",
    "price": {"amount": 0, "currency": "CNY"},
    "quota": 3,
}


async def test_the_export_opens_the_care_needs_and_erasure_leaves_nothing_of_the_member(
    linli_kit,
):
    kit = linli_kit(emergency_supply, now=START)
    operator = kit.add_member("Op", Role.OPERATOR)
    zhao, li = kit.add_member("Zhao", Role.RESIDENT), kit.add_member("Li", Role.RESIDENT)
    await kit.declare_emergency("flood")
    pack = await kit.call("add-pack", PACK, as_=operator)
    home = await kit.call("register-household", {"building": "3", "room": "201"}, as_=zhao)
    assert isinstance(home, HouseholdOut)
    await kit.call("register-household", {"building": "3", "room": "202"}, as_=li)
    consent = {"vulnerability": "elderly_alone", "consent": True, "consent_text": CONSENT_TEXT}
    await kit.call("set-care-needs", consent, as_=zhao)
    await kit.call("order-pack", {"pack_id": pack.id, "quantity": 2}, as_=zhao)  # type: ignore[attr-defined]

    household, orders, dispatcher = await kit.export_member(zhao)
    (mine,) = household["records"]
    assert (mine["building"], mine["room"], mine["vulnerability"]) == ("3", "201", "elderly_alone")
    assert mine["delivery_code"] == home.delivery_code and "sealed" not in mine
    assert [o["quantity"] for o in orders["records"]] == [2]
    assert dispatcher["records"] == []

    erased = await kit.erase_member(zhao)
    assert erased.erased == 1 and "accounting" in erased.kept

    assert (await kit.export_member(zhao))[0]["records"] == []
    with pytest.raises(Conflict):  # the module no longer knows a household of theirs
        await kit.call("my-household", as_=zhao)
    listed = await kit.call("households", as_=operator)
    assert isinstance(listed, HouseholdList)
    units = {(h.room, h.vulnerability, h.delivery_code) for h in listed.items}  # type: ignore[attr-defined]
    assert ("201", None, "") in units  # no care needs, no code: nothing of Zhao's
    assert (await kit.erase_member(zhao)).erased == 0
    zhou = kit.add_member("Zhou", Role.RESIDENT)  # who lives in 201 now registers it anew
    again = await kit.call("register-household", {"building": "3", "room": "201"}, as_=zhou)
    assert isinstance(again, HouseholdOut) and again.id != home.id
