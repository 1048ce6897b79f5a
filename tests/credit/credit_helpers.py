"""Helpers shared by the credit tests: the probe plugin's calls and the provider's life."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from linli.dispatch.jobs import service as jobs
from linli.identity.members import NewMember, add_member

PROBE = "/v1/communities/home/modules/probe_credit"
CREDIT = "/v1/communities/home/credit"
DAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=3)
LICENSE = {"kind": "business_license", "title": "营业执照", "reference": "91310000MA1FL0000X"}


async def enable_probe(running: Any) -> None:
    answer = await running.client.put(
        "/v1/communities/home/modules/probe_credit",
        json={"enabled": True},
        headers=running.auth("operator"),
    )
    assert answer.status_code == 200, answer.text


async def emit(running: Any, member_id: int, event: str, weight: int, event_id: str) -> Any:
    return await running.client.post(
        f"{PROBE}/emit",
        json={"member_id": member_id, "event": event, "weight": weight, "event_id": event_id},
        headers=running.auth("operator"),
    )


async def book(running: Any, ref: str) -> dict[str, Any]:
    answer = await running.client.post(
        f"{PROBE}/book",
        json={
            "ref": ref,
            "start": (DAY + timedelta(hours=9)).isoformat(),
            "end": (DAY + timedelta(hours=12)).isoformat(),
        },
        headers=running.auth("resident"),
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def admit_provider(running: Any, name: str = "Clean Co") -> tuple[NewMember, int]:
    """A member applies with documents, the operator admits: (staff member, provider id)."""
    staff = await add_member(running.home, f"{name} staff")
    running.people[name] = staff
    filed = await running.client.post(
        f"{CREDIT}/provider-applications",
        json={"provider_name": name, "documents": [LICENSE]},
        headers=running.auth(name),
    )
    assert filed.status_code == 200, filed.text
    reviewed = await running.client.post(
        f"{CREDIT}/provider-applications/{filed.json()['id']}/review",
        json={"admit": True, "reason": "documents checked, training done"},
        headers=running.auth("operator"),
    )
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["status"] == "admitted"
    return staff, int(reviewed.json()["provider"])


async def add_worker(running: Any, staff: NewMember, provider: int) -> int:
    return await jobs.register_worker(
        running.home,
        staff.display_name,
        skills=["cleaning"],
        availability=[(DAY, DAY + timedelta(hours=20))],
        capacity=5,
        member_id=staff.id,
        provider_id=provider,
    )


async def serve_and_rate(running: Any, ref: str, worker: int, stars: int, who: str) -> Any:
    """Book a job, the worker accepts over HTTP and completes it, the resident rates it."""
    ticket = await book(running, ref)
    assert ticket["status"] == "offered", ticket
    accepted = await running.client.post(
        f"/v1/communities/home/dispatch/jobs/{ticket['id']}/accept", headers=running.auth(who)
    )
    assert accepted.status_code == 200, accepted.text
    await jobs.complete(running.home, int(ticket["id"]), worker, DAY + timedelta(hours=10))
    return await running.client.post(
        f"{CREDIT}/jobs/{ticket['id']}/rating",
        json={"stars": stars, "comment": "late and careless" if stars < 3 else "good"},
        headers=running.auth("resident"),
    )
