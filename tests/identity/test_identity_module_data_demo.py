"""Over the demo: a resident's data export has every module's part; erasure empties each.

The demo community enables every installed module; a resident puts data in several of them
over HTTP, exports (every module's section is there, with what they put in), erases, and the
module tables (read straight from the database file) hold nothing of theirs any more.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from linli.demo import DEMO_SLUG, seed_demo

BASE = f"/v1/communities/{DEMO_SLUG}"
MODULES = {
    "bill_payment",
    "charity",
    "elder_meals",
    "emergency_supply",
    "gov_services",
    "group_buying",
    "housekeeping",
    "noticeboard",
    "parcels",
}


def rows(database_url: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
        return db.execute(sql, args).fetchall()


async def test_a_residents_export_has_every_modules_part_and_erasure_empties_them(
    start_platform, database_url
):
    async with start_platform() as running:
        http = running.client
        _, members = await seed_demo(running.platform)
        chen = next(m for m in members if m.display_name == "Resident Chen")
        me = {"Authorization": f"Bearer {chen.token}"}

        async def call(module: str, op: str, data: dict[str, Any]) -> dict[str, Any]:
            answer = await http.post(f"{BASE}/modules/{module}/{op}", json=data, headers=me)
            assert answer.status_code in (200, 201), answer.text
            body: dict[str, Any] = answer.json()
            return body

        account = {"biller": "sandbox_gas", "account_number": "4455667788", "label": "home gas"}
        await call("bill_payment", "save-account", account)
        await call("elder_meals", "register-elder", {"birth_year": 1950, "consent": True})
        campaigns = await http.get(f"{BASE}/modules/group_buying/list-campaigns", headers=me)
        campaign = campaigns.json()["items"][0]
        point = campaign["pickup_points"][0]["id"]
        join = {"campaign_id": campaign["id"], "quantity": 1, "pickup_point_id": point}
        order = await call("group_buying", "join-campaign", join)

        exported = await http.get(f"{BASE}/me/export", headers=me)
        assert exported.status_code == 200, exported.text
        sections = {s["module"]: s for s in exported.json()["modules"]}
        assert set(sections) == MODULES  # every loaded module gives its part
        assert all(s["community"] == DEMO_SLUG for s in sections.values())
        assert all(k["description"] for s in sections.values() for k in s["records"])
        kinds = {m: {k["kind"]: k["records"] for k in s["records"]} for m, s in sections.items()}
        assert [a["account_number"] for a in kinds["bill_payment"]["accounts"]] == ["4455667788"]
        assert [e["birth_year"] for e in kinds["elder_meals"]["registration"]] == [1950]
        assert [o["id"] for o in kinds["group_buying"]["orders"]] == [order["id"]]

        erased = await http.delete(f"{BASE}/me", headers=me)
        assert erased.status_code == 200, erased.text
        body = erased.json()
        assert body["erased"] is True
        assert {m["module"] for m in body["modules"]} == MODULES
        assert [m for m in body["modules"] if m["failed"]] == []
        assert all(m["kept"] for m in body["modules"])  # each says what it keeps and why

    url = database_url
    assert rows(url, "SELECT * FROM bill_payment_account WHERE member_id = ?", chen.id) == []
    assert rows(url, "SELECT * FROM elder_meals_elder WHERE member_id = ?", chen.id) == []
    assert rows(url, "SELECT amount FROM group_buying_order WHERE member_id = ?", chen.id) == [
        (order["amount"]["amount"],)
    ]  # the money record stays...
    assert (
        rows(  # ...with nothing that leads to the person
            url,
            "SELECT * FROM group_buying_order WHERE member_id = ? AND pickup_code IS NOT NULL",
            chen.id,
        )
        == []
    )
