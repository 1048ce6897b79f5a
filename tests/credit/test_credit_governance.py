"""Provider governance over HTTP: admission, ratings, suspension, appeal, reinstatement."""

from __future__ import annotations

import pytest
from credit_helpers import (
    CREDIT,
    LICENSE,
    add_worker,
    admit_provider,
    book,
    enable_probe,
    serve_and_rate,
)
from linli.dispatch.tables import OutboxEvent
from linli.tables import Member


async def test_a_provider_under_the_threshold_gets_no_jobs_is_told_why_and_an_appeal_reinstates_it(
    start_platform, credit_probe, credit_database
):
    async with start_platform(database_url=credit_database) as running:
        await enable_probe(running)
        staff, provider = await admit_provider(running)
        member = await Member.select(Member.roles, Member.provider).where(Member.id == staff.id)
        assert "provider_staff" in str(member[0]["roles"]) and member[0]["provider"] == provider
        worker = await add_worker(running, staff, provider)
        mine = await running.client.get(f"{CREDIT}/provider", headers=running.auth("Clean Co"))
        assert mine.json()["status"] == "probation" and mine.json()["threshold"] == 500

        # three one-star ratings: 600 - 3 x 40 = 480, under the probation threshold of 500
        for n in range(3):
            rated = await serve_and_rate(running, f"clean-{n}", worker, 1, "Clean Co")
            assert rated.status_code == 200, rated.text
        again = await running.client.post(
            f"{CREDIT}/jobs/{rated.json()['job']}/rating",
            json={"stars": 5},
            headers=running.auth("resident"),
        )
        assert again.status_code == 409  # one rating per job

        mine = await running.client.get(f"{CREDIT}/provider", headers=running.auth("Clean Co"))
        told = mine.json()
        assert told["status"] == "suspended" and told["score"] == 480
        assert "fell below the threshold 500" in told["reason"]
        notices = await OutboxEvent.select(OutboxEvent.payload).where(
            OutboxEvent.type == "credit.provider_suspended"
        )
        assert len(notices) == 1 and "fell below" in str(notices[0]["payload"])

        # suspended: a new job is offered to nobody although the worker is free
        assert (await book(running, "while-suspended"))["status"] == "pending"
        batch = await running.client.post(
            "/v1/communities/home/dispatch/rematch", headers=running.auth("operator")
        )
        assert batch.json()["placed"] == {}  # nor in a batch match

        appeal = await running.client.post(
            f"{CREDIT}/provider/appeals",
            json={
                "statement": "Two of the three jobs were the same flat; one rating is a mistake."
            },
            headers=running.auth("Clean Co"),
        )
        assert appeal.status_code == 200, appeal.text
        twice = await running.client.post(
            f"{CREDIT}/provider/appeals",
            json={"statement": "again"},
            headers=running.auth("Clean Co"),
        )
        assert twice.status_code == 409

        why = await running.client.get(
            f"{CREDIT}/providers/{provider}/explanation", headers=running.auth("operator")
        )
        unfair = why.json()["contributions"][0]["event_ref"]
        decided = await running.client.post(
            f"{CREDIT}/appeals/{appeal.json()['id']}/decision",
            json={"grant": True, "reason": "duplicate rating", "annul_events": [unfair]},
            headers=running.auth("operator"),
        )
        assert decided.status_code == 200, decided.text
        assert decided.json()["status"] == "granted"

        mine = await running.client.get(f"{CREDIT}/provider", headers=running.auth("Clean Co"))
        assert mine.json()["status"] == "probation" and mine.json()["score"] == 520
        assert mine.json()["reason"].startswith("reinstated on appeal")
        placed = await running.client.post(
            "/v1/communities/home/dispatch/rematch", headers=running.auth("operator")
        )
        assert list(placed.json()["placed"].values()) == [str(worker)]
        assert (await book(running, "after-appeal"))["status"] == "offered"

        audit = await running.client.get(f"{CREDIT}/audit", headers=running.auth("operator"))
        actions = [line["action"] for line in audit.json()]
        for action in ("provider_suspended", "appeal_filed", "event_annulled", "appeal_granted"):
            assert action in actions


async def test_admission_needs_documents_and_a_refused_appeal_keeps_the_suspension(
    start_platform, credit_probe
):
    async with start_platform() as running:
        await enable_probe(running)
        lacking = await running.client.post(
            f"{CREDIT}/provider-applications",
            json={"provider_name": "No Papers", "documents": []},
            headers=running.auth("newcomer"),
        )
        assert lacking.status_code == 422 and "business_license" in lacking.text
        rejected = await running.client.post(
            f"{CREDIT}/provider-applications",
            json={"provider_name": "Shady", "documents": [LICENSE]},
            headers=running.auth("newcomer"),
        )
        review = await running.client.post(
            f"{CREDIT}/provider-applications/{rejected.json()['id']}/review",
            json={"admit": False, "reason": "licence expired"},
            headers=running.auth("operator"),
        )
        assert review.json()["status"] == "rejected" and review.json()["provider"] is None
        listed = await running.client.get(
            f"{CREDIT}/provider-applications", headers=running.auth("operator")
        )
        assert [a["status"] for a in listed.json()] == ["rejected"]

        staff, provider = await admit_provider(running, "Fixit")
        for n, weight in enumerate((-60, -60)):
            answer = await running.client.post(
                f"{CREDIT}/providers/{provider}/events",
                json={"event": "dispute_lost", "weight": weight, "event_id": f"dispute-{n}"},
                headers=running.auth("operator"),
            )
            assert answer.status_code == 200, answer.text
        beyond = await running.client.post(
            f"{CREDIT}/providers/{provider}/events",
            json={"event": "dispute_lost", "weight": -61, "event_id": "dispute-x"},
            headers=running.auth("operator"),
        )
        assert beyond.status_code == 422 and "min_weight=-60" in beyond.text
        mine = await running.client.get(f"{CREDIT}/provider", headers=running.auth("Fixit"))
        assert mine.json()["status"] == "suspended"
        appeal = await running.client.post(
            f"{CREDIT}/provider/appeals",
            json={"statement": "please"},
            headers=running.auth("Fixit"),
        )
        refused = await running.client.post(
            f"{CREDIT}/appeals/{appeal.json()['id']}/decision",
            json={"grant": False, "reason": "both disputes stand"},
            headers=running.auth("operator"),
        )
        assert refused.json()["status"] == "refused"
        mine = await running.client.get(f"{CREDIT}/provider", headers=running.auth("Fixit"))
        assert mine.json()["status"] == "suspended"
        assert [a["status"] for a in mine.json()["appeals"]] == ["refused"]
        standing = await running.client.get(
            "/v1/communities/home/modules/probe_credit/standing",
            params={"member_id": staff.id},
            headers=running.auth("resident"),
        )
        assert standing.json()["suspended"] is True  # the gate modules read


@pytest.mark.parametrize("who", ["resident", "newcomer"])
async def test_only_provider_staff_read_a_provider_standing(start_platform, who):
    async with start_platform() as running:
        answer = await running.client.get(f"{CREDIT}/provider", headers=running.auth(who))
        assert answer.status_code == 403


async def test_a_repeated_application_is_replayed_not_filed_twice(start_platform):
    async with start_platform() as running:
        headers = {**running.auth("newcomer"), "Idempotency-Key": "apply-1"}
        body = {"provider_name": "Tidy Co", "documents": [LICENSE]}
        filed = await running.client.post(
            f"{CREDIT}/provider-applications", json=body, headers=headers
        )
        again = await running.client.post(
            f"{CREDIT}/provider-applications", json=body, headers=headers
        )
        assert filed.status_code == again.status_code == 200, again.text
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == filed.json()
        listed = await running.client.get(
            f"{CREDIT}/provider-applications", headers=running.auth("operator")
        )
        assert len(listed.json()) == 1
        other = await running.client.post(
            f"{CREDIT}/provider-applications",
            json={**body, "provider_name": "Other Co"},
            headers=headers,
        )
        assert other.status_code == 422
