"""Housekeeping end to end over HTTP on the platform: catalogue, booking, dispatch, codes, money.

A provider lists a service; a resident books it (the price is authorised); dispatch offers the
job to the provider's registered worker, who accepts over the dispatch API; the worker starts
and completes with the resident's codes (the capture follows); the resident rates the service
and the provider's credit shows it. A second resident whose credit allows it pays after the
service; a third cancels late and keeps only the fee's refund. Every check reads the API.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from linli.dispatch.jobs import service as jobs
from linli.identity.members import add_member
from linli_sdk import Role

MODULE = "/v1/communities/home/modules/housekeeping"
SETTLEMENT = "/v1/communities/home/settlement"


def next_slot(after: datetime) -> datetime:
    """The next half hour strictly after ``after``."""
    start = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return start + timedelta(minutes=(30 - start.minute % 30) % 30)


async def command(running: Any, op: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    answer = await running.client.post(
        f"{MODULE}/{op}", json=body, headers={**headers, "Idempotency-Key": str(uuid.uuid4())}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def settle(running: Any, charge_id: str) -> dict[str, Any]:
    """Carry out pending gateway intents (as the sweep does), then read the charge."""
    op = running.auth("operator")
    swept = await running.client.post(
        f"{SETTLEMENT}/sweep", headers={**op, "Idempotency-Key": str(uuid.uuid4())}
    )
    assert swept.status_code == 200, swept.text
    charge = await running.client.get(f"{SETTLEMENT}/charges/{charge_id}", headers=op)
    assert charge.status_code == 200, charge.text
    return dict(charge.json())


async def test_a_resident_books_a_cleaner_who_is_dispatched_paid_and_rated(start_platform):
    async with start_platform(credit_pay_after_service_score=600) as running:
        await booking_to_rating(running)


async def test_the_same_on_postgres(start_platform, postgres_url):
    async with start_platform(
        database_url=postgres_url, credit_pay_after_service_score=600
    ) as running:
        await booking_to_rating(running)


async def booking_to_rating(running: Any) -> None:
    """The whole story, told over the API of a running platform."""
    http, home = running.client, running.home
    enabled = await http.put(
        MODULE,
        json={"enabled": True, "settings": {"min_lead_hours": 0, "free_cancel_hours": 24}},
        headers=running.auth("operator"),
    )
    assert enabled.status_code == 200, enabled.text
    sun = await add_member(home, "Cleaner Sun", Role.PROVIDER_STAFF)
    me = {"Authorization": f"Bearer {sun.token}"}
    now = datetime.now(UTC)
    await jobs.register_worker(
        home,
        "Cleaner Sun",
        skills=["hourly_cleaning"],
        availability=[(now - timedelta(hours=1), now + timedelta(days=2))],
        capacity=3,
        member_id=sun.id,
    )
    service = await command(
        running,
        "add-service",
        {
            "name": "日常保洁 Cleaning by the hour",
            "kind": "hourly_cleaning",
            "unit": "hour",
            "price": {"amount": 4500, "currency": "CNY"},
            "min_units": 2,
            "max_units": 4,
        },
        me,
    )
    refused = await http.post(f"{MODULE}/add-service", json={}, headers=running.auth("resident"))
    assert refused.status_code == 403
    catalogue = await http.get(f"{MODULE}/list-services", headers=running.auth("newcomer"))
    assert [s["name"] for s in catalogue.json()["items"]] == [service["name"]]

    slot = next_slot(now)
    resident = running.auth("resident")
    booking = await command(
        running,
        "book",
        {"service_id": service["id"], "starts_at": slot.isoformat(), "units": 2},
        resident,
    )
    assert booking["status"] == "dispatched"  # offered to Sun at once
    assert booking["price"] == {"amount": 9000, "currency": "CNY"}
    unverified = await http.post(
        f"{MODULE}/book",
        json={"service_id": service["id"], "starts_at": slot.isoformat()},
        headers=running.auth("newcomer"),
    )
    assert unverified.status_code == 403
    authorised = await settle(running, booking["charge_id"])
    assert authorised["status"] == "authorized"

    open_jobs = await http.get(f"{MODULE}/open-bookings", headers=me)
    assert [b["start_code"] for b in open_jobs.json()["items"]] == [None]
    accepted = await http.post(
        f"/v1/communities/home/dispatch/jobs/{booking['job_id']}/accept",
        headers=me,
    )
    assert accepted.json()["status"] == "accepted", accepted.text
    await running.platform.worker.run_once()  # dispatch's news reaches the module
    mine = (await http.get(f"{MODULE}/my-bookings", headers=resident)).json()["items"]
    assert [b["status"] for b in mine] == ["accepted"]

    wrong = "000000" if booking["start_code"] != "000000" else "111111"
    refused = await http.post(
        f"{MODULE}/start-service", json={"booking_id": booking["id"], "code": wrong}, headers=me
    )
    assert refused.status_code == 403
    start = {"booking_id": booking["id"], "code": booking["start_code"]}
    assert (await command(running, "start-service", start, me))["status"] == "in_progress"
    done = await command(
        running,
        "complete-service",
        {"booking_id": booking["id"], "code": booking["completion_code"]},
        me,
    )
    assert done["status"] == "completed"
    rates = await http.get(
        "/v1/communities/home/dispatch/on-time", headers=running.auth("operator")
    )
    assert (rates.json()["completed"], rates.json()["community"]) == (1, 1.0)  # its job, done
    captured = await settle(running, booking["charge_id"])
    assert captured["status"] == "captured"
    assert {p: m["amount"] for p, m in captured["parts"].items()} == {
        "platform": 900,
        "community_fund": 90,
        "provider": 8010,
    }
    rated = await command(
        running, "rate-service", {"booking_id": booking["id"], "stars": 5}, resident
    )
    assert rated["rating"] == 5
    twice = await http.post(
        f"{MODULE}/rate-service",
        json={"booking_id": booking["id"], "stars": 1},
        headers=resident,
    )
    assert twice.status_code == 409
    credit = await http.get("/v1/communities/home/credit/me", headers=me)
    assert credit.status_code == 200, credit.text
    assert "service_rated" in credit.text
    assert credit.json()["standing"]["score"] > 600  # the base score, raised by 5 stars

    # The leader's credit (base 600, threshold lowered to 600) lets them pay after service.
    leader = running.auth("leader")
    later = await command(
        running,
        "book",
        {
            "service_id": service["id"],
            "starts_at": (slot + timedelta(hours=3)).isoformat(),
            "units": 2,
            "payment": "after_service",
        },
        leader,
    )
    assert later["charge_id"] is None

    # A late cancellation keeps 20 % and refunds the rest once the capture is confirmed.
    late = await command(
        running,
        "book",
        {
            "service_id": service["id"],
            "starts_at": (slot + timedelta(hours=6)).isoformat(),
            "units": 2,
        },
        resident,
    )
    cancelled = await command(running, "cancel-booking", {"booking_id": late["id"]}, resident)
    assert cancelled["fee_kept"] == {"amount": 1800, "currency": "CNY"}
    await settle(running, late["charge_id"])
    await running.platform.worker.run_once()  # the refund deadline, due at once
    refunded = await settle(running, late["charge_id"])
    assert refunded["refunded"] == {"amount": 7200, "currency": "CNY"}
    assert sum(m["amount"] for m in refunded["parts"].values()) == 1800
