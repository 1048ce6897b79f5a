"""An emergency end to end over HTTP, on SQLite and on PostgreSQL.

The platform operator declares an epidemic lockdown for ``home``; the community's operator
adds ration packs (one free, one priced); residents register their households, two of them
marked vulnerable with their separate consent; thirty orders of one household race for a
quota of three and exactly three win; the dispatcher dispatches every order with the
vulnerable households first; volunteers (dispatch workers) accept and confirm each delivery
at the door; the public account per building adds up to what was delivered. Throughout, the
vulnerability is absent from every response another viewer gets, from the logs and from
every row of every table of the database.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from linli.dispatch.jobs import service as jobs
from linli.dispatch.tables import DispatchJob
from linli.identity.members import NewMember, add_member
from linli_emergency_supply.rules import CONSENT_TEXT
from linli_sdk import Role

C = "/v1/communities/home"
M = f"{C}/modules/emergency_supply"
ADMIN = {"Authorization": "Bearer adm"}
SENSITIVE = ("elderly_alone", "disability", "vulnerab", "独居", "残")
"""What must never show outside the household, the operator and the dispatcher."""


def clean(text: str) -> bool:
    """Whether ``text`` carries no trace of a household's vulnerability."""
    return not any(word in text for word in SENSITIVE)


async def test_an_emergency_end_to_end_on_sqlite(start_platform, database_url, caplog):
    caplog.set_level(logging.DEBUG)
    async with start_platform(admin_token="adm", modules=["emergency_supply"]) as running:
        await emergency_story(running, caplog)
    dump = dump_sqlite(database_url)
    assert "emergency_supply_household" in dump
    assert clean("\n".join(dump.values()))


async def test_the_same_on_postgres(start_platform, postgres_url, caplog):
    caplog.set_level(logging.DEBUG)
    async with start_platform(
        database_url=postgres_url, admin_token="adm", modules=["emergency_supply"]
    ) as running:
        await emergency_story(running, caplog)
        dump = await dump_postgres(postgres_url)
    assert "emergency_supply_household" in dump
    assert clean("\n".join(dump.values()))


class Viewer:
    """Calls the module as one member; keeps every answer a non-privileged viewer received."""

    def __init__(self, running: Any, member: NewMember, seen: list[str]) -> None:
        self.running, self.member, self.seen = running, member, seen
        self.headers = {"Authorization": f"Bearer {member.token}"}

    async def post(self, op: str, data: dict[str, Any] | None = None, status: int = 200) -> Any:
        answer = await self.running.client.post(
            f"{M}/{op}",
            json=data or {},
            headers={**self.headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert answer.status_code == status, answer.text
        self.seen.append(answer.text)
        return answer.json()

    async def get(self, op: str, status: int = 200, **params: Any) -> Any:
        answer = await self.running.client.get(f"{M}/{op}", params=params, headers=self.headers)
        assert answer.status_code == status, answer.text
        self.seen.append(answer.text)
        return answer.json()


async def emergency_story(running: Any, caplog: pytest.LogCaptureFixture) -> None:
    """The whole story, told over the API of a running platform."""
    http, home = running.client, running.home
    others: list[str] = []  # every answer someone other than the household itself received
    privileged: list[str] = []  # the operator's and the dispatcher's answers

    declared = await http.post(
        "/v1/emergencies",
        json={"communities": ["home"], "kind": "epidemic", "notes": "封控 lockdown"},
        headers=ADMIN,
    )
    assert declared.status_code == 201, declared.text
    operator = Viewer(running, running.people["operator"], privileged)
    supplier = await add_member(home, "Grain Co", Role.PROVIDER_STAFF)
    veg = await operator.post(
        "add-pack",
        {
            "name": "Vegetables",
            "contents": "5 kg",
            "price": {"amount": 0, "currency": "CNY"},
            "quota": 3,
        },
    )
    rice = await operator.post(
        "add-pack",
        {
            "name": "Rice",
            "contents": "10 kg",
            "price": {"amount": 3990, "currency": "CNY"},
            "quota": 1,
            "supplier_id": supplier.id,
        },
    )
    assert veg["emergency_id"] == declared.json()["id"]

    people = {}
    for name, building, room in (
        ("Wang", "1", "101"),
        ("Li", "1", "102"),
        ("Grandma Zhao", "2", "201"),
        ("Chen", "2", "202"),
    ):
        member = await add_member(home, name, Role.RESIDENT)
        household_seen: list[str] = []
        viewer = Viewer(running, member, household_seen)
        registered = await viewer.post("register-household", {"building": building, "room": room})
        people[name] = (viewer, registered, household_seen)
    zhao, chen = people["Grandma Zhao"][0], people["Chen"][0]
    refused = await zhao.post(
        "set-care-needs",
        {"vulnerability": "elderly_alone", "consent": False, "consent_text": CONSENT_TEXT},
        status=422,
    )
    assert refused["field"] == "consent"
    for viewer, kind in ((zhao, "elderly_alone"), (chen, "disability")):
        marked = await viewer.post(
            "set-care-needs",
            {"vulnerability": kind, "consent": True, "consent_text": CONSENT_TEXT},
        )
        assert clean(str(marked))
    assert (await zhao.get("my-household"))["vulnerability"] == "elderly_alone"  # her own

    # Thirty orders of one household race for a quota of three: exactly three are served.
    wang = people["Wang"][0]
    wang.seen = others

    async def one() -> tuple[int, Any]:
        answer = await http.post(
            f"{M}/order-pack",
            json={"pack_id": veg["id"], "quantity": 1},
            headers={**wang.headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        return answer.status_code, answer.json()

    raced = await asyncio.gather(*(one() for _ in range(30)))
    assert Counter(status for status, _ in raced) == {200: 3, 409: 27}, raced
    assert {body["reason"] for status, body in raced if status == 409} == {"over_quota"}
    left = {p["name"]: p["left_for_my_household"] for p in (await wang.get("list-packs"))["items"]}
    assert left == {"Vegetables": 0, "Rice": 1}

    li = people["Li"][0]
    li.seen = others
    paid = await li.post("order-pack", {"pack_id": rice["id"]})
    await li.post("order-pack", {"pack_id": veg["id"], "quantity": 2})
    await li.post("order-pack", {"pack_id": rice["id"]}, status=409)  # rice: one per household
    late = [await zhao.post("order-pack", {"pack_id": veg["id"], "quantity": 3})]
    late.append(await chen.post("order-pack", {"pack_id": veg["id"]}))
    late_ids = {order["id"] for order in late}

    swept = await http.post(
        f"{C}/settlement/sweep", headers={**operator.headers, "Idempotency-Key": "sweep-1"}
    )
    assert swept.status_code == 200, swept.text
    charge = await http.get(f"{C}/settlement/charges/{paid['charge_id']}", headers=operator.headers)
    assert charge.json()["status"] == "captured"
    assert {p: m["amount"] for p, m in charge.json()["parts"].items()} == {
        "platform": 0,
        "supplier": 3990,
    }

    # Volunteers are dispatch workers with the volunteer skill.
    now = datetime.now(UTC)
    volunteers = {}
    for name in ("Volunteer Wu", "Volunteer Xu"):
        member = await add_member(home, name, Role.PROVIDER_STAFF)
        worker = await jobs.register_worker(
            home,
            name,
            skills=["emergency_delivery"],
            availability=[(now - timedelta(hours=1), now + timedelta(days=1))],
            capacity=10,
            member_id=member.id,
        )
        volunteers[worker] = Viewer(running, member, others)
    some_volunteer = next(iter(volunteers.values()))
    await some_volunteer.get("households", status=403)
    await some_volunteer.post("dispatch-deliveries", status=403)
    await li.get("households", status=403)
    dispatcher_member = await add_member(home, "Dispatcher Sun", Role.RESIDENT)
    dispatcher = Viewer(running, dispatcher_member, privileged)
    await operator.post("appoint-dispatcher", {"member_id": dispatcher_member.id})
    listed = await dispatcher.get("households")
    assert sorted(h["vulnerability"] or "" for h in listed["items"]) == [
        "",
        "",
        "disability",
        "elderly_alone",
    ]

    dispatched = (await dispatcher.post("dispatch-deliveries"))["order_ids"]
    assert len(dispatched) == 7  # Wang 3, Li 2, Zhao 1, Chen 1
    assert set(dispatched[:2]) == late_ids  # vulnerable households first, though last to order
    offered = await DispatchJob.select(DispatchJob.id, DispatchJob.worker, DispatchJob.reference)
    assert len(offered) == 7 and all(job["worker"] in volunteers for job in offered)
    await running.platform.worker.run_once()  # dispatch's offers reach the module
    for worker, viewer in volunteers.items():  # each volunteer sees only the jobs offered to them
        theirs = {int(j["reference"].removeprefix("delivery-")) for j in offered
                  if j["worker"] == worker}  # fmt: skip
        route = await viewer.get("deliveries")
        assert [d["order_id"] for d in route["items"]] == [o for o in dispatched if o in theirs]

    # Each volunteer accepts the jobs offered to them and delivers to the doors.
    for job in offered:
        accepted = await http.post(
            f"{C}/dispatch/jobs/{job['id']}/accept", headers=volunteers[job["worker"]].headers
        )
        assert accepted.status_code == 200, accepted.text
    await running.platform.worker.run_once()  # dispatch's news reaches the module
    statuses = {d["status"] for d in (await some_volunteer.get("deliveries"))["items"]}
    assert statuses == {"accepted"}
    by_order = {}
    for _name, (viewer, registered, _seen) in people.items():
        for order in (await viewer.get("my-orders"))["items"]:
            by_order[order["id"]] = registered["delivery_code"]
    job_of = {int(job["reference"].removeprefix("delivery-")): job for job in offered}
    wrong = await volunteers[job_of[dispatched[0]]["worker"]].post(
        "confirm-delivery", {"order_id": dispatched[0], "code": "99999999"}, status=403
    )
    assert wrong["status"] == 403
    delivered = dispatched[:-1]  # the last one is still on its way
    for order_id in delivered:
        volunteer = volunteers[job_of[order_id]["worker"]]
        done = await volunteer.post(
            "confirm-delivery", {"order_id": order_id, "code": by_order[order_id]}
        )
        assert done["status"] == "delivered"
    rates = await http.get(f"{C}/dispatch/on-time", headers=running.auth("operator"))
    assert (rates.json()["completed"], rates.json()["community"]) == (6, 1.0)  # jobs completed

    # The public account adds up, per building, counts only; every member reads it.
    account = await Viewer(running, running.people["newcomer"], others).get("public-account")
    all_orders = {}
    for name, (viewer, registered, _seen) in people.items():
        for order in (await viewer.get("my-orders"))["items"]:
            all_orders[order["id"]] = (registered["building"], name, order)
    expected: dict[str, dict[str, Any]] = {}
    for order_id in delivered:
        building, name, order = all_orders[order_id]
        tally = expected.setdefault(
            building, {"households": set(), "orders": 0, "packs": Counter()}
        )
        tally["households"].add(name)
        tally["orders"] += 1
        tally["packs"][order["pack"]] += order["quantity"]
    assert account["buildings"] == [
        {
            "building": building,
            "households_served": len(t["households"]),
            "orders_delivered": t["orders"],
            "packs": dict(sorted(t["packs"].items())),
        }
        for building, t in sorted(expected.items())
    ]
    assert account["orders_delivered"] == len(delivered) and account["orders_waiting"] == 1
    assert account["households_served"] == sum(len(t["households"]) for t in expected.values())
    assert sum(account["packs_delivered"].values()) == sum(
        all_orders[o][2]["quantity"] for o in delivered
    )
    for name in ("Wang", "Li", "Chen", "Grandma Zhao"):
        assert name not in str(account)
    assert all(room not in str(account) for room in ("101", "102", "201", "202"))

    # The vulnerability is nowhere but with the household, the operator and the dispatcher.
    assert any(not clean(text) for text in privileged)  # they do see it
    for text in others + people["Wang"][2] + people["Li"][2]:
        assert clean(text), text
    assert clean(caplog.text), [line for line in caplog.text.splitlines() if not clean(line)]


def dump_sqlite(database_url: str) -> dict[str, str]:
    """Every table of the SQLite database, each as the text of all its rows."""
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
        tables = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: repr(db.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}


async def dump_postgres(database_url: str) -> dict[str, str]:
    """Every table of the PostgreSQL database's public schema, each as its rows' text."""
    db = await asyncpg.connect(database_url)
    try:
        tables = await db.fetch(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        dump = {}
        for (table,) in tables:
            rows = await db.fetch(f'SELECT t::text FROM "{table}" AS t')
            dump[table] = "\n".join(row[0] for row in rows)
        return dump
    finally:
        await db.close()
