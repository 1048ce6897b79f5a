"""Supplier insights over HTTP: suppliers read anonymised aggregates as JSON and CSV, the
operator sets k, residents leave remarks; nothing is answered over fewer than k residents."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from insights_helpers import (
    grid_warehouse,
    history,
    insert_facts,
    pickup_point,
    provider_back_end,
    residents,
)
from linli.identity.members import add_member, grant_role
from linli.insights.tables import ItemRemark
from linli.modules.host import CoreHost
from linli.testing.sign_in import resident_token
from linli_sdk import Money, Role

BASE = "/v1/communities/home/insights"


async def seeded(running):
    """Milk at the north gate bought by 12 residents (answered at k=10), milk at building 7 by
    3 and cake by 4 (both suppressed)."""
    grid = await grid_warehouse(running, "Grid East")
    north = await pickup_point(running, "North gate", grid)
    west = await pickup_point(running, "Bldg 7", grid)
    many = await residents(running, 12, "Many")
    await history(running, "milk", north, many)
    await history(running, "milk", west, many[:3], base=2, seed=2)
    await history(running, "cake", north, many[3:7], base=1, seed=3)
    staff = await add_member(running.home, "Dairy staff", Role.PROVIDER_STAFF)
    return north, west, many, {"Authorization": f"Bearer {staff.token}"}


async def test_a_supplier_reads_tomorrows_demand_only_for_cells_over_k_residents(start_platform):
    async with start_platform() as running:
        north, _, _, supplier = await seeded(running)
        response = await running.client.get(f"{BASE}/demand", headers=supplier)
        assert response.status_code == 200, response.text
        body = response.json()
        today = running.home.local(datetime.now(UTC)).date()
        assert body["day"] == str(today + timedelta(days=1)) and body["k"] == 10
        assert body["history_to"] == str(today - timedelta(days=1))
        (cell,) = body["cells"]
        assert (cell["item"], cell["pickup_point_id"], cell["pickup_point"]) == (
            "milk",
            north,
            "North gate",
        )
        assert cell["residents"] == 12 and cell["forecast"] > 0
        assert "An average day sells" in cell["explanation"]
        assert body["totals"] == [
            {
                "item": "milk",
                "item_name": "Milk",
                "day": cell["day"],
                "forecast": cell["forecast"],  # building 7's milk is not in the total
                "pickup_points": 1,
            }
        ]
        assert cell["grid_warehouse"] == "Grid East"
        (supplied,) = body["warehouses"]  # building 7 is supplied by it too, but suppressed
        assert (supplied["grid_warehouse"], supplied["item"], supplied["pickup_points"]) == (
            "Grid East",
            "milk",
            1,
        )
        assert supplied["forecast"] == cell["forecast"]
        assert body["suppressed"] == 2
        assert "member" not in response.text and "Many" not in response.text

        as_csv = await running.client.get(f"{BASE}/demand?format=csv", headers=supplier)
        assert as_csv.status_code == 200
        assert as_csv.headers["content-type"].startswith("text/csv")
        disposition = as_csv.headers["content-disposition"]
        assert disposition == f'attachment; filename="demand-{body["day"]}.csv"'
        rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
        assert [
            (r["item"], r["pickup_point"], r["grid_warehouse"], float(r["forecast"])) for r in rows
        ] == [("milk", "North gate", "Grid East", cell["forecast"])]


async def test_the_operator_sets_k_and_a_cell_one_resident_short_is_suppressed(start_platform):
    async with start_platform() as running:
        _, _, _, supplier = await seeded(running)
        operator = running.auth("operator")
        settings = f"{BASE}/settings"
        assert (await running.client.get(settings, headers=supplier)).json() == {"k": 10}
        put = await running.client.put(settings, json={"k": 13}, headers=operator)
        assert put.status_code == 200 and put.json() == {"k": 13}
        body = (await running.client.get(f"{BASE}/demand", headers=supplier)).json()
        assert body["k"] == 13 and body["cells"] == [] and body["suppressed"] == 3
        await running.client.put(settings, json={"k": 12}, headers=operator)
        body = (await running.client.get(f"{BASE}/demand", headers=supplier)).json()
        assert [c["residents"] for c in body["cells"]] == [12]

        too_small = await running.client.put(settings, json={"k": 3}, headers=operator)
        assert too_small.status_code == 422
        assert too_small.headers["content-type"].startswith("application/problem+json")
        refused = await running.client.put(settings, json={"k": 20}, headers=supplier)
        assert refused.status_code == 403


async def test_only_suppliers_operators_and_auditors_read_insights(start_platform):
    async with start_platform() as running:
        await seeded(running)
        back_end = await provider_back_end(running)
        for path in ("demand", "repurchase", "feedback"):
            url = f"{BASE}/{path}"
            assert (await running.client.get(url, headers=back_end)).status_code == 200
            assert (
                await running.client.get(url, headers=running.auth("operator"))
            ).status_code == 200
            for who in ("resident", "leader", "newcomer"):
                assert (await running.client.get(url, headers=running.auth(who))).status_code == 403
            assert (await running.client.get(url)).status_code == 401
            other = running.auth("stranger")  # the other community's operator
            assert (await running.client.get(url, headers=other)).status_code == 403


async def test_repurchase_rates_count_residents_who_bought_on_two_days(start_platform):
    async with start_platform() as running:
        north = await pickup_point(running, "North gate")
        buyers = await residents(running, 11, "Buyer")
        today = running.home.local(datetime.now(UTC)).date()
        day = lambda ago: today - timedelta(days=ago)  # noqa: E731
        # every buyer once; four of them again, 7, 14 or 21 days later; 2 units on one day
        # by a fifth is one day, not a repurchase
        rows = [(m, day(30), 1) for m in buyers]
        rows += [(buyers[0], day(23), 1), (buyers[1], day(16), 1), (buyers[2], day(9), 1)]
        rows += [(buyers[3], day(23), 1), (buyers[3], day(2), 1), (buyers[4], day(30), 2)]
        await insert_facts(running, "eggs", north, rows)
        await insert_facts(running, "rice", north, [(m, day(3), 1) for m in buyers[:9]])
        await running.client.put(
            f"{BASE}/settings", json={"k": 10}, headers=running.auth("operator")
        )
        response = await running.client.get(f"{BASE}/repurchase", headers=running.auth("operator"))
        body = response.json()
        assert body["items"] == [
            {
                "item": "eggs",
                "item_name": "Eggs",
                "buyers": 11,
                "repeat_buyers": 4,
                "rate": round(4 / 11, 3),
                "median_days_between": None,  # four repeat buyers are fewer than k
            }
        ]
        assert body["suppressed"] == 1  # rice: nine buyers
        exported = await running.client.get(
            f"{BASE}/repurchase?format=csv", headers=running.auth("operator")
        )
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert rows[0][2:] == [
            "item",
            "item_name",
            "buyers",
            "repeat_buyers",
            "rate",
            "median_days_between",
        ]
        assert rows[1][2:] == ["eggs", "Eggs", "11", "4", "0.364", ""]


async def test_remarks_reach_suppliers_cleaned_and_without_authors_once_k_residents_wrote(
    start_platform,
):
    async with start_platform() as running:
        _, _, _, supplier = await seeded(running)
        writers = [await add_member(running.home, f"Writer {n}", Role.RESIDENT) for n in range(10)]
        url = f"{BASE}/items/milk/feedback"
        texts = [f"希望增加低糖选项 {n}" for n in range(8)]
        texts += ["call me on 138 0013 8000 please", '=HYPERLINK("http://x")']
        for writer, text in zip(writers[:9], texts[:9], strict=True):
            headers = {"Authorization": f"Bearer {writer.token}"}
            response = await running.client.put(url, json={"text": text}, headers=headers)
            assert response.status_code == 200, response.text
        cleaned = response.json()
        assert cleaned == {"item": "milk", "text": "call me on [removed] please"}

        body = (await running.client.get(f"{BASE}/feedback", headers=supplier)).json()
        assert body["items"] == [] and body["suppressed"] == 1  # nine residents so far

        last = {"Authorization": f"Bearer {writers[9].token}"}
        await running.client.put(url, json={"text": texts[9]}, headers=last)
        again = await running.client.put(url, json={"text": texts[9]}, headers=last)
        assert again.status_code == 200  # one remark per resident and item, replaced
        response = await running.client.get(f"{BASE}/feedback", headers=supplier)
        (item,) = response.json()["items"]
        assert item["item"] == "milk" and item["item_name"] == "Milk" and item["residents"] == 10
        assert sorted(item["remarks"]) == sorted([*texts[:8], cleaned["text"], texts[9]])
        assert "13800138000" not in response.text and "138 0013" not in response.text
        assert "Writer" not in response.text and "member" not in response.text

        as_csv = (await running.client.get(f"{BASE}/feedback?format=csv", headers=supplier)).text
        remarks = [row[3] for row in csv.reader(io.StringIO(as_csv))][1:]
        assert '\'=HYPERLINK("http://x")' in remarks and '=HYPERLINK("http://x")' not in remarks

        # the author sees, and withdraws, their own remark; then suppliers see none
        mine = await running.client.get(f"{BASE}/my-feedback", headers=last)
        assert mine.json() == [{"item": "milk", "text": texts[9]}]
        assert (await running.client.delete(url, headers=last)).status_code == 204
        assert (await running.client.delete(url, headers=last)).status_code == 404
        body = (await running.client.get(f"{BASE}/feedback", headers=supplier)).json()
        assert body["items"] == [] and body["suppressed"] == 1


async def test_a_remark_is_on_an_item_sold_here_by_a_resident(start_platform):
    async with start_platform() as running:
        await seeded(running)
        url = f"{BASE}/items/caviar/feedback"
        response = await running.client.put(
            url, json={"text": "please"}, headers=running.auth("resident")
        )
        assert response.status_code == 404
        newcomer = running.auth("newcomer")  # not a verified resident
        refused = await running.client.put(
            f"{BASE}/items/milk/feedback", json={"text": "x"}, headers=newcomer
        )
        assert refused.status_code == 403
        empty = await running.client.put(
            f"{BASE}/items/milk/feedback",
            json={"text": "13800138000"},
            headers=running.auth("resident"),
        )
        assert empty.status_code == 200 and empty.json()["text"] == "[removed]"


async def test_a_resident_lists_the_items_they_bought(start_platform):
    async with start_platform() as running:
        north = await pickup_point(running, "North gate")
        me = running.people["resident"].id
        yesterday = running.home.local(datetime.now(UTC)).date() - timedelta(days=1)
        await insert_facts(running, "milk", north, [(me, yesterday, 2)])
        await insert_facts(running, "tea", north, [(running.people["leader"].id, yesterday, 1)])
        body = await running.client.get(f"{BASE}/my-items", headers=running.auth("resident"))
        assert body.status_code == 200 and body.json() == {"milk": "Milk"}


async def test_todays_purchases_wait_for_tomorrows_answer(start_platform):
    """Answers read complete days only: what residents buy today is in none of today's."""
    async with start_platform() as running:
        north, _, _, supplier = await seeded(running)
        buyers = await residents(running, 12, "Today")
        host = CoreHost(running.platform, running.home, "group_buying")
        async with running.platform.engine.transaction():
            for n, member in enumerate(buyers):
                await host.purchases.record(
                    ref=f"order-today-{n}",
                    member_id=member,
                    item="bread",
                    item_name="Bread",
                    category="groceries",
                    quantity=1,
                    amount=Money(amount=800, currency="CNY"),
                    pickup_point_id=north,
                )
        body = (await running.client.get(f"{BASE}/demand", headers=supplier)).json()
        assert {c["item"] for c in body["cells"]} == {"milk"} and body["suppressed"] == 2
        rates = (await running.client.get(f"{BASE}/repurchase", headers=supplier)).json()
        assert "bread" not in {r["item"] for r in rates["items"]}


async def test_a_persons_export_lists_their_remarks_and_erasure_deletes_them(start_platform):
    async with start_platform() as running:
        _, _, _, supplier = await seeded(running)
        http = running.client
        me = await resident_token(http)
        member = (await http.get("/v1/communities/home/me", headers=me)).json()["id"]
        await grant_role(running.home, member, Role.RESIDENT)
        writers = [await add_member(running.home, f"W{n}", Role.RESIDENT) for n in range(9)]
        for writer in writers:
            await http.put(
                f"{BASE}/items/milk/feedback",
                json={"text": "less sugar"},
                headers={"Authorization": f"Bearer {writer.token}"},
            )
        mine = await http.put(
            f"{BASE}/items/milk/feedback", json={"text": "bigger bottles"}, headers=me
        )
        assert mine.status_code == 200, mine.text
        (item,) = (await http.get(f"{BASE}/feedback", headers=supplier)).json()["items"]
        assert item["residents"] == 10 and "bigger bottles" in item["remarks"]

        exported = (await http.get("/v1/communities/home/me/export", headers=me)).json()
        assert [(r["community"], r["item"], r["text"]) for r in exported["insights"]] == [
            ("home", "milk", "bigger bottles")
        ]

        assert (await http.delete("/v1/communities/home/me", headers=me)).status_code == 200
        body = (await http.get(f"{BASE}/feedback", headers=supplier)).json()
        assert body["items"] == [] and body["suppressed"] == 1  # nine residents are left
        assert await ItemRemark.count().where(ItemRemark.member == member) == 0


async def test_an_erased_residents_purchases_leave_todays_answers_at_once(start_platform):
    """Answers are kept for the day, but not past an erasure: a cell of exactly k residents
    one of whom is erased is suppressed on the next call."""
    async with start_platform() as running:
        http = running.client
        north = await pickup_point(running, "North gate")
        me = await resident_token(http)
        member = (await http.get("/v1/communities/home/me", headers=me)).json()["id"]
        await grant_role(running.home, member, Role.RESIDENT)
        buyers = [*await residents(running, 9, "Buyer"), member]
        await history(running, "milk", north, buyers)
        supplier = running.auth("operator")
        body = (await http.get(f"{BASE}/demand", headers=supplier)).json()
        assert [c["residents"] for c in body["cells"]] == [10]

        assert (await http.delete("/v1/communities/home/me", headers=me)).status_code == 200
        body = (await http.get(f"{BASE}/demand", headers=supplier)).json()
        assert body["cells"] == [] and body["suppressed"] == 1


async def test_the_insights_answer_the_same_on_postgresql(start_platform, any_database):
    async with start_platform(database_url=any_database) as running:
        _, _, _, supplier = await seeded(running)
        operator = running.auth("operator")
        assert (
            await running.client.put(f"{BASE}/settings", json={"k": 11}, headers=operator)
        ).json() == {"k": 11}
        assert (
            await running.client.put(f"{BASE}/settings", json={"k": 12}, headers=operator)
        ).json() == {"k": 12}
        body = (await running.client.get(f"{BASE}/demand", headers=supplier)).json()
        assert [(c["item"], c["residents"], c["grid_warehouse"]) for c in body["cells"]] == [
            ("milk", 12, "Grid East")
        ]
        rates = (await running.client.get(f"{BASE}/repurchase", headers=supplier)).json()
        assert [(r["item"], r["buyers"]) for r in rates["items"]] == [("milk", 12)]
        writer = {
            "Authorization": f"Bearer {(await add_member(running.home, 'W', Role.RESIDENT)).token}"
        }
        for text in ("first", "second"):
            put = await running.client.put(
                f"{BASE}/items/milk/feedback", json={"text": text}, headers=writer
            )
            assert put.status_code == 200, put.text
        mine = await running.client.get(f"{BASE}/my-feedback", headers=writer)
        assert mine.json() == [{"item": "milk", "text": "second"}]
