"""Credit over HTTP: my score and why, any member's, annulment, the distribution and its plots."""

from __future__ import annotations

import pytest
from credit_helpers import CREDIT, emit, enable_probe


async def test_an_operator_annuls_an_event_and_the_score_follows(start_platform, credit_probe):
    async with start_platform() as running:
        await enable_probe(running)
        resident = running.people["resident"].id
        assert (await emit(running, resident, "helped", 15, "tea")).status_code == 200
        assert (await emit(running, resident, "returned_late", -30, "drill")).status_code == 200
        recorded = await running.client.post(
            f"{CREDIT}/members/{resident}/events",
            json={"event": "volunteering", "weight": 30, "event_id": "clean-up-day"},
            headers=running.auth("operator"),
        )
        assert recorded.json() == {"recorded": True, "score": 615}
        seen = await running.client.get(
            f"{CREDIT}/members/{resident}", headers=running.auth("operator")
        )
        lines = seen.json()["explanation"]["contributions"]
        assert [(line["event"], line["points"]) for line in lines] == [
            ("returned_late", -30.0),
            ("volunteering", 30.0),
            ("helped", 15.0),
        ]
        late = lines[0]["event_ref"]
        refused = await running.client.post(
            f"{CREDIT}/events/{late}/annul", json={"reason": ""}, headers=running.auth("operator")
        )
        assert refused.status_code == 422
        annulled = await running.client.post(
            f"{CREDIT}/events/{late}/annul",
            json={"reason": "the drill was returned on time; the shop's clock was wrong"},
            headers=running.auth("operator"),
        )
        assert annulled.json() == {"event_ref": late, "subject": f"member:{resident}", "score": 645}
        mine = await running.client.get(f"{CREDIT}/me", headers=running.auth("resident"))
        assert mine.json()["standing"] == {
            "score": 645,
            "tier": "standard",
            "pay_after_service": False,
            "deposits_waived": False,
            "suspended": False,
        }
        audit = await running.client.get(f"{CREDIT}/audit", headers=running.auth("operator"))
        assert audit.json()[0]["action"] == "event_annulled"
        assert "clock was wrong" in audit.json()[0]["detail"]["reason"]
        other = await running.client.get(
            f"/v1/communities/other/credit/members/{resident}", headers=running.auth("stranger")
        )
        assert other.status_code == 404  # not a member of that community


async def test_the_distribution_and_its_pictures(start_platform, credit_probe):
    async with start_platform() as running:
        await enable_probe(running)
        resident = running.people["resident"].id
        for n in range(5):
            await emit(running, resident, "helped", 20, f"h{n}")
        summary = await running.client.get(
            f"{CREDIT}/distribution", headers=running.auth("operator")
        )
        body = summary.json()
        assert body["count"] == 4  # every member of home; those without events stand at 600
        assert body["tiers"] == {"trusted": 1, "standard": 3, "restricted": 0}
        assert body["bins"] == {"600-699": 3, "700-799": 1}
        for fmt, magic in (("png", b"\x89PNG"), ("svg", b"<svg")):
            picture = await running.client.get(
                f"{CREDIT}/plots/distribution",
                params={"format": fmt},
                headers=running.auth("operator"),
            )
            assert picture.status_code == 200
            assert picture.headers["content-type"].startswith(("image/png", "image/svg+xml"))
            assert magic in picture.content[:400]
            history = await running.client.get(
                f"{CREDIT}/plots/members/{resident}",
                params={"format": fmt, "days": 30},
                headers=running.auth("operator"),
            )
            assert history.status_code == 200 and magic in history.content[:400]
        providers = await running.client.get(
            f"{CREDIT}/distribution", params={"kind": "provider"}, headers=running.auth("operator")
        )
        assert providers.json()["count"] == 0


@pytest.mark.parametrize(
    "path", ["/distribution", "/plots/distribution", "/members/3", "/audit", "/plots/members/3"]
)
async def test_residents_do_not_see_others_credit(start_platform, path):
    async with start_platform() as running:
        answer = await running.client.get(f"{CREDIT}{path}", headers=running.auth("resident"))
        assert answer.status_code == 403
        assert answer.headers["content-type"].startswith("application/problem+json")
