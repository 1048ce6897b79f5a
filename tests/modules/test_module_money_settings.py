"""Bounded money in a module's settings: its schema shows the bounds, a bad amount is a 422."""

from __future__ import annotations

from linli.modules.enablement import module_state
from linli_sdk import Money

URL = "/v1/communities/home/modules/notes"


async def test_the_settings_schema_shows_the_bounds_and_the_currency(start_platform, notes_plugin):
    async with start_platform() as running:
        listing = await running.client.get("/v1/modules")
    (notes,) = [m for m in listing.json()["modules"] if m["name"] == "notes"]
    deposit = notes["settings_schema"]["properties"]["deposit"]
    assert deposit["properties"]["amount"]["minimum"] == 0
    assert deposit["properties"]["amount"]["maximum"] == 50000
    assert deposit["properties"]["currency"]["const"] == "CNY"


async def test_an_amount_past_the_bounds_is_a_problem_naming_the_field(
    start_platform, notes_plugin
):
    async with start_platform() as running:
        operator = running.auth("operator")
        too_much = {"amount": 60000, "currency": "CNY"}
        answer = await running.client.put(
            URL, json={"enabled": True, "settings": {"deposit": too_much}}, headers=operator
        )
        assert answer.status_code == 422
        problem = answer.json()
        assert problem["errors"] == [
            {
                "field": "settings.deposit",
                "message": "must be between CNY 0.00 and CNY 500.00, not CNY 600.00",
            }
        ]
        usd = {"amount": 100, "currency": "USD"}
        answer = await running.client.put(
            URL, json={"enabled": True, "settings": {"deposit": usd}}, headers=operator
        )
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"] == "settings.deposit"


async def test_an_amount_within_the_bounds_is_stored_as_money(start_platform, notes_plugin):
    async with start_platform() as running:
        answer = await running.client.put(
            URL,
            json={"enabled": True, "settings": {"deposit": 30000}},
            headers=running.auth("operator"),
        )
        assert answer.status_code == 200, answer.text
        loaded = running.platform.registry.modules["notes"]
        state = await module_state(running.home, loaded)
        assert state.settings.deposit == Money(amount=30000, currency="CNY")
