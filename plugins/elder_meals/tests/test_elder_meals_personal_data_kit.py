"""An elder's registration, family and meals in their export; erasure removes what is personal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from linli_elder_meals import plugin as elder_meals
from linli_elder_meals.models import Menu, Order
from linli_sdk import Community, Role
from linli_sdk.testing import PluginKit

SHANGHAI = Community(id=1, slug="sunny", name="阳光花园", timezone="Asia/Shanghai")
NOW = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def kit(elder_meals_db: None, linli_kit: Callable[..., PluginKit]) -> PluginKit:
    return linli_kit(elder_meals, community=SHANGHAI, now=NOW, granted_scopes={"members.unit"})


async def test_the_export_lists_registration_family_and_meals_and_erasure_removes_them(
    kit: PluginKit,
) -> None:
    kitchen = kit.add_member("Kitchen", Role.PROVIDER_STAFF)
    courier = kit.add_member("Courier Sun", Role.PROVIDER_STAFF)
    payer = kit.add_member("Street office", Role.OPERATOR)
    wang = kit.add_member("Grandpa Wang", Role.RESIDENT, unit="3-701")
    daughter = kit.add_member("Wang Li", Role.RESIDENT, unit="5-202")
    await kit.enable({"subsidy_payer_id": payer.id})
    await kit.call("register-elder", {"birth_year": 1950, "consent": True}, as_=wang)
    await kit.call("add-family", {"family_member_id": daughter.id}, as_=wang)
    menu = await kit.call(
        "publish-menu",
        {
            "day": date(2026, 3, 2).isoformat(),
            "name": "套餐A",
            "dishes": ["米饭"],
            "price": {"amount": 1500, "currency": "CNY"},
            "capacity": 2,
        },
        as_=kitchen,
    )
    assert isinstance(menu, Menu)
    meal = await kit.call(
        "place-order", {"menu_id": menu.id, "for_member_id": wang.id}, as_=daughter
    )
    assert isinstance(meal, Order)
    await kit.call("close-orders", {"menu_id": menu.id}, as_=kitchen)
    kit.clock = datetime(2026, 3, 2, 3, 20, tzinfo=UTC)
    code = {"order_id": meal.id, "code": meal.delivery_code}
    await kit.call("confirm-delivery", code, as_=courier)

    registration, family, meals = await kit.export_member(wang)
    assert [r["birth_year"] for r in registration["records"]] == [1950]
    assert [f["family_id"] for f in family["records"]] == [daughter.id]
    assert [(m["unit"], m["status"]) for m in meals["records"]] == [("3-701", "delivered")]
    assert [m["id"] for m in (await kit.export_member(daughter))[2]["records"]] == [meal.id]

    erased = await kit.erase_member(wang)
    assert erased.erased == 3 and "subsidy" in erased.kept

    registration, family, meals = await kit.export_member(wang)
    assert registration["records"] == [] and family["records"] == []
    assert [(m["unit"], m["building"], m["delivery_code"]) for m in meals["records"]] == [
        ("", "", "")
    ]
    assert meals["records"][0]["subsidy_amount"] == 500  # the money record stays
    for who in (wang, daughter):  # the daughter may no longer order for him
        listed = await kit.call("my-elders", {}, as_=who)
        assert listed.items == []  # type: ignore[attr-defined]
    assert (await kit.erase_member(wang)).erased == 0
