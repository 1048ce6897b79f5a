"""Government-service appointments end to end over HTTP, and where an ID number may appear.

A real-name resident (signed in by phone, verified by invitation, ID number given with
consent) books a slot at the community station; an operator assigns the appointment; the
assigned staff member alone reads the ID number, and the identity audit log records the view
with its purpose; completing the errand charges the government's subsidy to its payer account
and credits the station through the ledger. Every other viewer's answers, the captured logs and
the database are scanned for the 18-character number: it is in none of them.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from linli.identity.members import add_member
from linli.testing import captured_logs, resident_token
from linli_sdk import Role

NATIONAL_ID = "11010519491231002X"
C = "/v1/communities/home"
MODULE = f"{C}/modules/gov_services"


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


async def real_name_resident(
    running: Any, phone: str = "13912345678", number: str = NATIONAL_ID, room: str = "701"
) -> dict[str, str]:
    """A resident signed in by phone, verified by an invitation, with an ID number on file."""
    http, op = running.client, running.auth("operator")
    me = await resident_token(http, phone)
    unit = await ok(
        await http.post(f"{C}/units", json={"building": "3", "room": room}, headers=op), 201
    )
    invitation = await ok(
        await http.post(f"{C}/invitations", json={"unit_id": unit["id"]}, headers=op), 201
    )
    await ok(
        await http.post(
            f"{C}/verification/invitation", json={"code": invitation["code"]}, headers=me
        )
    )
    await ok(await http.post(f"{C}/me/consents", json={"purpose": "national_id"}, headers=me), 201)
    await ok(await http.put(f"{C}/me/national-id", json={"number": number}, headers=me))
    return me


async def test_only_the_assigned_staff_member_ever_sees_the_id_number(start_platform, database_url):
    async with start_platform() as running:
        with captured_logs() as logs:  # after the app is made: Litestar resets the root logger
            answers = await appointment_story(running)
        assert_nowhere(answers, logs.lines)
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
        dump = "\n".join(db.iterdump())
    assert NATIONAL_ID not in dump.upper()  # sealed by identity, never kept by the module


async def test_the_same_on_postgres(start_platform, postgres_url):
    async with start_platform(database_url=postgres_url) as running:
        with captured_logs() as logs:
            answers = await appointment_story(running)
        assert_nowhere(answers, logs.lines)


def assert_nowhere(answers: list[Any], log_lines: list[str]) -> None:
    """The number is in no answer given to anyone but the assigned clerk, and in no log line."""
    assert answers
    for answer in answers:
        text = answer.text if hasattr(answer, "text") else str(answer)
        assert NATIONAL_ID not in text.upper()
    logged = "\n".join(log_lines)
    assert "appointment-identity" in logged  # the requests were logged...
    assert NATIONAL_ID not in logged.upper()  # ...the number never


async def appointment_story(running: Any) -> list[Any]:
    """Book, assign, read the number as the clerk, complete; every other viewer's answers."""
    http, home = running.client, running.home
    op = running.auth("operator")
    street_office = await add_member(home, "Street office (payer)", Role.OPERATOR)
    station = await add_member(home, "Community station", Role.PROVIDER_STAFF)
    zhang = await add_member(home, "Clerk Zhang", Role.PROVIDER_STAFF)
    li = await add_member(home, "Clerk Li", Role.PROVIDER_STAFF)
    as_zhang = {"Authorization": f"Bearer {zhang.token}"}
    as_li = {"Authorization": f"Bearer {li.token}"}
    settings = {"subsidy_payer_id": street_office.id, "station_payee_id": station.id}
    await ok(await http.put(MODULE, json={"enabled": True, "settings": settings}, headers=op))
    await ok(
        await http.put(
            f"{C}/member-scopes/gov_services/members.national_id", headers={**op, **key()}
        )
    )
    service = await ok(
        await http.post(
            f"{MODULE}/add-service",
            json={
                "name": "社保查询 Social security look-up",
                "kind": "social_security_lookup",
                "subsidy": {"amount": 500, "currency": "CNY"},
            },
            headers={**op, **key()},
        )
    )
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    (slot,) = (
        await ok(
            await http.post(
                f"{MODULE}/add-slots",
                json={
                    "service_id": service["id"],
                    "starts": [starts.isoformat()],
                    "capacity": 2,
                },
                headers={**op, **key()},
            )
        )
    )["items"]
    for clerk in (zhang, li):
        await ok(
            await http.post(
                f"{MODULE}/add-staff",
                json={"member_id": clerk.id, "display_name": clerk.display_name},
                headers={**op, **key()},
            )
        )

    no_id = await http.post(
        f"{MODULE}/book-appointment",
        json={"slot_id": slot["id"]},
        headers=running.auth("resident"),
    )
    assert no_id.status_code == 403 and "real-name" in no_id.json()["detail"]
    me = await real_name_resident(running)
    booked = await ok(
        await http.post(
            f"{MODULE}/book-appointment",
            json={"slot_id": slot["id"]},
            headers={**me, **key()},
        )
    )
    ask = {"appointment_id": booked["id"]}
    await ok(
        await http.post(
            f"{MODULE}/assign-appointment",
            json={**ask, "staff_id": zhang.id},
            headers={**op, **key()},
        )
    )

    seen = await ok(await http.get(f"{MODULE}/appointment-identity", params=ask, headers=as_zhang))
    assert seen["national_id"] == NATIONAL_ID

    answers: list[Any] = []  # every answer anyone else got, to scan
    for who, headers in {
        "the resident": me,
        "another resident": running.auth("resident"),
        "other staff": as_li,
        "the leader": running.auth("leader"),
        "the operator": op,
    }.items():
        refused = await http.get(f"{MODULE}/appointment-identity", params=ask, headers=headers)
        assert refused.status_code == 403, who
        answers.append(refused)
        for query in ("my-appointments", "station-appointments", "list-staff"):
            answers.append(await http.get(f"{MODULE}/{query}", headers=headers))
    assert [a["id"] for a in answers[1].json()["items"]] == [booked["id"]]
    answers.append(await http.get(f"{C}/me", headers=me))
    views = await http.get(f"{C}/national-id-views", headers=op)
    answers.append(views)
    (view,) = [
        v
        for v in views.json()
        if v["module"] == "gov_services" and f"appointment {booked['id']}" in v["purpose"]
    ]
    assert f"staff member {zhang.id}" in view["purpose"]

    done = await ok(
        await http.post(f"{MODULE}/complete-appointment", json=ask, headers={**as_zhang, **key()})
    )
    assert done["status"] == "completed"
    after = await http.get(f"{MODULE}/appointment-identity", params=ask, headers=as_zhang)
    assert after.status_code == 409  # handled: the number is no longer shown
    answers.append(after)
    (claim,) = (await ok(await http.get(f"{MODULE}/subsidy-claims", headers=op)))["items"]
    assert claim["status"] == "charged"
    await ok(await http.post(f"{C}/settlement/sweep", headers={**op, **key()}))
    charge = await ok(await http.get(f"{C}/settlement/charges/{claim['charge_id']}", headers=op))
    assert charge["status"] == "captured"
    assert charge["parts"]["station"] == {"amount": 500, "currency": "CNY"}
    answers.append(charge)
    return answers
