"""The emergency channel over HTTP: declared for several communities, read, amended, ended.

The platform operator declares one emergency for two communities; each community's members
see it in force there; every enabled module hears of it on ``linli_event`` and reads it through
``host.emergency``; a community operator can act only on their own community; ending it ends
it everywhere. The CLI drives the same service.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

ADMIN = {"Authorization": "Bearer adm"}

pytestmark = pytest.mark.usefixtures("fixture_plugins")


async def test_an_emergency_declared_for_two_communities_is_read_amended_and_ended(
    start_platform,
):
    import linli_fixture_probe

    async with start_platform(admin_token="adm", modules=["probe"]) as running:
        http = running.client
        nothing = await http.get(
            "/v1/communities/home/emergencies/current", headers=running.auth("resident")
        )
        assert nothing.status_code == 404
        refused = await http.post(
            "/v1/emergencies",
            json={"communities": ["home"], "kind": "epidemic"},
            headers=running.auth("operator"),
        )
        assert refused.status_code == 403  # a community operator is not the platform operator
        unknown = await http.post(
            "/v1/emergencies",
            json={"communities": ["home", "nowhere"], "kind": "epidemic"},
            headers=ADMIN,
        )
        assert unknown.status_code == 404
        ends = datetime.now(UTC) + timedelta(days=14)
        declared = await http.post(
            "/v1/emergencies",
            json={
                "communities": ["home", "other"],
                "kind": "epidemic",
                "ends_at": ends.isoformat(),
                "notes": "封控: stay at home, supplies are delivered to doors",
                "reference": "lockdown-1",
            },
            headers=ADMIN,
        )
        assert declared.status_code == 201, declared.text
        assert declared.json()["communities"] == ["home", "other"]
        again = await http.post(
            "/v1/emergencies",
            json={"communities": ["home"], "kind": "epidemic", "reference": "lockdown-1"},
            headers=ADMIN,
        )
        assert again.status_code == 201 and again.json()["ends_at"] is not None  # unchanged

        here = await http.get(
            "/v1/communities/home/emergencies/current", headers=running.auth("resident")
        )
        assert here.status_code == 200, here.text
        assert here.json()["id"] == "lockdown-1" and here.json()["in_force"] is True
        there = await http.get(
            "/v1/communities/other/emergencies/current", headers=running.auth("stranger")
        )
        assert there.json()["kind"] == "epidemic"
        assert ("event:emergency.declared", "home") in linli_fixture_probe.HOOKS

        foreign = await http.post(
            "/v1/communities/other/emergencies/lockdown-1/end", headers=running.auth("operator")
        )
        assert foreign.status_code == 403  # home's operator cannot end it in other
        later = ends + timedelta(days=7)
        amended = await http.patch(
            "/v1/emergencies/lockdown-1", json={"ends_at": later.isoformat()}, headers=ADMIN
        )
        assert amended.status_code == 200, amended.text
        assert datetime.fromisoformat(amended.json()["ends_at"]) == later
        ended = await http.post("/v1/emergencies/lockdown-1/end", headers=ADMIN)
        assert ended.status_code == 200, ended.text
        assert ("event:emergency.ended", "home") in linli_fixture_probe.HOOKS
        for community, who in (("home", "resident"), ("other", "stranger")):
            gone = await http.get(
                f"/v1/communities/{community}/emergencies/current", headers=running.auth(who)
            )
            assert gone.status_code == 404
        listed = await http.get(
            "/v1/communities/home/emergencies", headers=running.auth("newcomer")
        )
        assert [(e["id"], e["in_force"], e["ended"]) for e in listed.json()] == [
            ("lockdown-1", False, True)
        ]
        every = await http.get("/v1/emergencies", headers=ADMIN)
        assert [(d["id"], d["communities"]) for d in every.json()] == [
            ("lockdown-1", ["home", "other"])
        ]


async def test_a_community_operator_declares_amends_and_ends_for_their_own_community(
    start_platform,
):
    async with start_platform() as running:
        http = running.client
        op = running.auth("operator")
        resident = await http.post(
            "/v1/communities/home/emergencies/",
            json={"kind": "flood"},
            headers=running.auth("resident"),
        )
        assert resident.status_code == 403
        backwards = await http.post(
            "/v1/communities/home/emergencies/",
            json={
                "kind": "flood",
                "starts_at": datetime.now(UTC).isoformat(),
                "ends_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
            },
            headers=op,
        )
        assert backwards.status_code == 422 and backwards.json()["field"] == "ends_at"
        made = await http.post(
            "/v1/communities/home/emergencies/",
            json={"kind": "flood", "notes": "river up"},
            headers={**op, "Idempotency-Key": "flood-1"},
        )
        assert made.status_code == 201, made.text
        flood = made.json()["id"]
        replay = await http.post(
            "/v1/communities/home/emergencies/",
            json={"kind": "flood", "notes": "river up"},
            headers={**op, "Idempotency-Key": "flood-1"},
        )
        assert replay.json()["id"] == flood
        moved = await http.patch(
            f"/v1/communities/home/emergencies/{flood}",
            json={"ends_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()},
            headers=op,
        )
        assert moved.status_code == 200 and moved.json()["in_force"] is True
        other = await http.get(
            "/v1/communities/other/emergencies/current", headers=running.auth("stranger")
        )
        assert other.status_code == 404  # declared for home only
        ended = await http.post(f"/v1/communities/home/emergencies/{flood}/end", headers=op)
        assert ended.json()["in_force"] is False and ended.json()["ended"] is True
        late = await http.patch(
            f"/v1/communities/home/emergencies/{flood}", json={"ends_at": None}, headers=op
        )
        assert late.status_code == 409
