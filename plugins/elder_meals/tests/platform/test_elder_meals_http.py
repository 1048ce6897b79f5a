"""Elderly meals end to end over HTTP on the platform: menu to statements, exact to the fen.

A kitchen publishes tomorrow's menu; Grandpa Wang registers with consent and names his
daughter family; she orders his meal (subsidised: the government pays ¥5, she ¥10, held until
delivery); a neighbour orders his own (¥15, cancelled once and ordered again). The kitchen reads
its list (JSON and CSV) and closes orders: one delivery round per building goes to dispatch,
the registered courier accepts both and hands each meal over with the diner's code. Then every
party's statement adds up: the kitchen's and the courier's ledger payables, the platform's
revenue, the government payer's subsidy statement and the residents' own charges.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from linli.dispatch.jobs import service as jobs
from linli.identity.demo_accounts import give_phone_accounts
from linli.identity.members import NewMember, add_member
from linli_sdk import Role

C = "/v1/communities/home"
MODULE = f"{C}/modules/elder_meals"


def as_(member: NewMember) -> dict[str, str]:
    return {"Authorization": f"Bearer {member.token}"}


async def ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


async def command(running: Any, op: str, body: dict[str, Any], who: dict[str, str]) -> Any:
    headers = {**who, "Idempotency-Key": str(uuid.uuid4())}
    return await ok(await running.client.post(f"{MODULE}/{op}", json=body, headers=headers))


async def resident(running: Any, name: str, phone: str, unit: tuple[str, str]) -> NewMember:
    """A verified resident living in ``unit`` (building, room)."""
    member = await add_member(running.home, name, Role.RESIDENT)
    await give_phone_accounts(running.platform.identity, running.home, [(member.id, phone, unit)])
    return member


async def statement(running: Any, account: str) -> list[dict[str, Any]]:
    lines = await ok(
        await running.client.get(
            f"{C}/settlement/statements/{account}", headers=running.auth("operator")
        )
    )
    return list(lines["lines"])


def owed(lines: list[dict[str, Any]], party: str | None) -> int:
    return sum(line["amount"]["amount"] for line in lines if line["party"] == party)


async def test_meals_are_ordered_subsidised_delivered_and_settled_to_the_fen(start_platform):
    async with start_platform() as running:
        await meals_story(running)


@pytest.mark.slow
async def test_the_same_on_postgres(start_platform, postgres_url):
    async with start_platform(database_url=postgres_url) as running:
        await meals_story(running)


async def meals_story(running: Any) -> None:
    http, home, op = running.client, running.home, running.auth("operator")
    kitchen = await add_member(home, "Happy Kitchen", Role.PROVIDER_STAFF)
    courier = await add_member(home, "Courier Sun", Role.PROVIDER_STAFF)
    payer = await add_member(home, "Street office (payer)", Role.OPERATOR)
    wang = await resident(running, "Grandpa Wang", "13900000001", ("3", "701"))
    daughter = await resident(running, "Wang Li", "13900000002", ("5", "202"))
    chen = await resident(running, "Chen", "13900000003", ("5", "101"))
    settings = {"subsidy_payer_id": payer.id}
    await ok(await http.put(MODULE, json={"enabled": True, "settings": settings}, headers=op))
    await ok(
        await http.put(
            f"{C}/member-scopes/elder_meals/members.unit",
            headers={**op, "Idempotency-Key": str(uuid.uuid4())},
        )
    )
    now = datetime.now(UTC)
    await jobs.register_worker(
        home,
        "Courier Sun",
        skills=["meal_delivery"],
        availability=[(now - timedelta(hours=1), now + timedelta(days=3))],
        capacity=5,
        member_id=courier.id,
    )

    day = (home.today(now) + timedelta(days=1)).isoformat()
    menu = await command(
        running,
        "publish-menu",
        {
            "day": day,
            "name": "套餐A 红烧肉",
            "dishes": ["红烧肉", "清炒时蔬", "米饭"],
            "price": {"amount": 1500, "currency": "CNY"},
            "capacity": 40,
        },
        as_(kitchen),
    )
    refused = await http.post(f"{MODULE}/publish-menu", json={}, headers=running.auth("resident"))
    assert refused.status_code == 403
    listed = await ok(await http.get(f"{MODULE}/list-menus", headers=as_(chen)))
    assert [(m["id"], m["left"]) for m in listed["items"]] == [(menu["id"], 40)]

    await command(running, "register-elder", {"birth_year": 1948, "consent": True}, as_(wang))
    elder = await command(running, "add-family", {"family_member_id": daughter.id}, as_(wang))
    assert elder["eligible"] and elder["family"] == [daughter.id]
    stranger = await http.post(
        f"{MODULE}/place-order",
        json={"menu_id": menu["id"], "for_member_id": wang.id},
        headers={**as_(chen), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert stranger.status_code == 403, stranger.text

    for_wang = await command(
        running, "place-order", {"menu_id": menu["id"], "for_member_id": wang.id}, as_(daughter)
    )
    assert (for_wang["subsidy"]["amount"], for_wang["to_pay"]["amount"]) == (500, 1000)
    assert for_wang["unit"] == "3-701"
    first = await command(running, "place-order", {"menu_id": menu["id"]}, as_(chen))
    cancelled = await command(running, "cancel-order", {"order_id": first["id"]}, as_(chen))
    again = await command(running, "cancel-order", {"order_id": first["id"]}, as_(chen))
    assert cancelled["status"] == again["status"] == "cancelled"
    chens = await command(running, "place-order", {"menu_id": menu["id"]}, as_(chen))
    assert (chens["subsidy"]["amount"], chens["to_pay"]["amount"]) == (0, 1500)

    kitchen_list = await ok(
        await http.get(f"{MODULE}/kitchen-list", params={"day": day}, headers=as_(kitchen))
    )
    assert kitchen_list["meals"] == 2
    assert {d["dish"]: d["count"] for d in kitchen_list["dishes"]} == {
        "红烧肉": 2,
        "清炒时蔬": 2,
        "米饭": 2,
    }
    assert [(b["building"], b["count"]) for b in kitchen_list["buildings"]] == [("3", 1), ("5", 1)]
    as_csv = await http.get(f"{MODULE}/kitchen-list-csv", params={"day": day}, headers=op)
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [day, "building", "3", "套餐A 红烧肉", "1"] in rows
    assert "Wang" not in as_csv.text and "Chen" not in as_csv.text

    closed = await command(running, "close-orders", {"menu_id": menu["id"]}, as_(kitchen))
    assert closed["status"] == "closed"
    mine = (await ok(await http.get(f"{MODULE}/my-orders", headers=as_(daughter))))["items"]
    assert [(o["id"], o["status"]) for o in mine] == [(for_wang["id"], "dispatched")]
    stops = await ok(
        await http.get(f"{MODULE}/delivery-list", params={"day": day}, headers=as_(courier))
    )
    rounds = {s["job_id"] for s in stops["items"]}
    assert len(rounds) == 2  # one round per building
    for job_id in sorted(rounds):
        accepted = await http.post(f"{C}/dispatch/jobs/{job_id}/accept", headers=as_(courier))
        assert accepted.json()["status"] == "accepted", accepted.text

    wrong = await http.post(
        f"{MODULE}/confirm-delivery",
        json={"order_id": chens["id"], "code": "x"},
        headers={**as_(courier), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert wrong.status_code == 403
    for placed in (for_wang, chens):
        code = {"order_id": placed["id"], "code": placed["delivery_code"]}
        done = await command(running, "confirm-delivery", code, as_(courier))
        assert done["status"] == "delivered" and done["delivery_code"] is None
    rates = await ok(await http.get(f"{C}/dispatch/on-time", headers=op))
    assert (rates["completed"], rates["community"]) == (2, 1.0)  # each round's one door: done

    sweep = {**op, "Idempotency-Key": str(uuid.uuid4())}
    await ok(await http.post(f"{C}/settlement/sweep", headers=sweep))
    await running.platform.worker.run_once()  # captured: the holds are released
    sweep["Idempotency-Key"] = str(uuid.uuid4())
    await ok(await http.post(f"{C}/settlement/sweep", headers=sweep))
    await assert_statements(running, kitchen, courier, payer, daughter, chen, for_wang, chens)


async def assert_statements(
    running: Any,
    kitchen: NewMember,
    courier: NewMember,
    payer: NewMember,
    daughter: NewMember,
    chen: NewMember,
    for_wang: dict[str, Any],
    chens: dict[str, Any],
) -> None:
    """Every party's statement, exact to the fen (the sandbox's 0.6 % fee borne by the kitchen)."""
    http, op = running.client, running.auth("operator")

    async def charge(charge_id: str) -> dict[str, Any]:
        return dict(await ok(await http.get(f"{C}/settlement/charges/{charge_id}", headers=op)))

    orders = {
        o["id"]: o
        for who in (daughter, chen)
        for o in (await ok(await http.get(f"{MODULE}/my-orders", headers=as_(who))))["items"]
    }
    wang_order, chen_order = orders[for_wang["id"]], orders[chens["id"]]
    # the residents: each paid their share once; the holds were released, nothing taken twice
    paid_by = {}
    for order, share in ((wang_order, 1000), (chen_order, 1500)):
        paid = await charge(order["charge_id"])
        assert (paid["status"], paid["amount"]["amount"]) == ("captured", share)
        assert (await charge(order["hold_id"]))["status"] == "voided"
        paid_by[order["ordered_by"]] = paid["amount"]["amount"] - paid["refunded"]["amount"]
    assert paid_by == {daughter.id: 1000, chen.id: 1500}
    # the government payer: one subsidy of ¥5, on its statement and in the ledger
    subsidy = await ok(await http.get(f"{MODULE}/subsidy-statement", headers=as_(payer)))
    assert subsidy["charged"] == {"amount": 500, "currency": "CNY"}
    assert [line["order_id"] for line in subsidy["items"]] == [for_wang["id"]]
    granted = await charge(wang_order["subsidy_charge_id"])
    assert (granted["status"], granted["amount"]["amount"]) == ("captured", 500)
    assert {p: m["amount"] for p, m in granted["parts"].items()} == {
        "platform": 15,
        "delivery": 50,
        "kitchen": 435,
    }
    refused = await http.get(f"{MODULE}/subsidy-statement", headers=as_(daughter))
    assert refused.status_code == 403
    # the kitchen: 870 + 435 + 1305 of the splits, less the fees 6 + 3 + 9
    kitchen_lines = await statement(running, f"payable:kitchen:{kitchen.id}")
    assert owed(kitchen_lines, "kitchen") == 870 + 435 + 1305
    assert owed(kitchen_lines, None) == -(6 + 3 + 9)
    # the courier: 10 % of every payment for the two meals delivered
    delivery = owed(await statement(running, f"payable:delivery:{courier.id}"), "delivery")
    assert delivery == 100 + 50 + 150
    # the platform: 3 %
    platform = owed(await statement(running, "platform_revenue"), "platform")
    assert platform == 30 + 15 + 45
    # what the payers paid is exactly what the parties are owed
    kitchen_share = owed(kitchen_lines, "kitchen")
    assert kitchen_share + delivery + platform == subsidy["charged"]["amount"] + sum(
        paid_by.values()
    )
