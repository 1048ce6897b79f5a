"""Resident verification: units, invitation codes, operator approval, the resident gate."""

from __future__ import annotations

import pytest
from identity_helpers import resident_token

pytestmark = pytest.mark.usefixtures("fixture_plugins")

SAY = "/v1/communities/home/modules/probe/say"


async def _unit(running, building="3", room="1201") -> int:
    made = await running.client.post(
        "/v1/communities/home/units",
        json={"building": building, "room": room},
        headers=running.auth("operator"),
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def test_an_invitation_code_verifies_a_resident_who_may_then_buy(start_platform):
    async with start_platform(admin_token="adm") as running:
        http = running.client
        await http.put(
            "/v1/communities/home/modules/probe",
            json={"enabled": True},
            headers={"Authorization": "Bearer adm"},
        )
        unit = await _unit(running)
        me = await resident_token(http)
        browse = await http.get("/v1/communities/home/modules/probe/whoami", headers=me)
        assert browse.status_code == 200  # an unverified member may browse...
        buy = await http.post(SAY, json={"text": "hi"}, headers=me)
        assert buy.status_code == 403  # ...but not buy or book

        refused = await http.post(
            "/v1/communities/home/invitations", json={"unit_id": unit}, headers=me
        )
        assert refused.status_code == 403
        invited = await http.post(
            "/v1/communities/home/invitations",
            json={"unit_id": unit, "uses": 2},
            headers=running.auth("leader"),
        )
        assert invited.status_code == 201
        code = invited.json()["code"]
        redeemed = await http.post(
            "/v1/communities/home/verification/invitation", json={"code": code}, headers=me
        )
        assert redeemed.json() == {"id": unit, "building": "3", "room": "1201"}
        profile = (await http.get("/v1/communities/home/me", headers=me)).json()
        assert profile["verified"] is True and "resident" in profile["roles"]
        assert profile["unit"] == "3-1201"
        bought = await http.post(SAY, json={"text": "hi"}, headers=me)
        assert bought.status_code == 200, bought.text  # roles are read live from the membership

        second = await http.post(
            "/v1/communities/home/verification/invitation",
            json={"code": code},
            headers=running.auth("newcomer"),
        )
        assert second.status_code == 200  # several members per household
        used_up = await http.post(
            "/v1/communities/home/verification/invitation",
            json={"code": code},
            headers=running.auth("newcomer"),
        )
        assert used_up.status_code == 422


async def test_an_operator_approves_a_verification_request(start_platform):
    async with start_platform() as running:
        http = running.client
        unit = await _unit(running)
        asked = await http.post(
            "/v1/communities/home/verification/requests",
            json={"unit_id": unit},
            headers=running.auth("newcomer"),
        )
        assert asked.status_code == 201
        twice = await http.post(
            "/v1/communities/home/verification/requests",
            json={"unit_id": unit},
            headers=running.auth("newcomer"),
        )
        assert twice.status_code == 409
        pending = await http.get(
            "/v1/communities/home/verification/requests", headers=running.auth("operator")
        )
        (request,) = pending.json()
        assert request["member"] == running.people["newcomer"].id
        by_leader = await http.post(
            f"/v1/communities/home/verification/requests/{request['id']}/decision",
            json={"approve": True},
            headers=running.auth("leader"),
        )
        assert by_leader.status_code == 403
        decided = await http.post(
            f"/v1/communities/home/verification/requests/{request['id']}/decision",
            json={"approve": True},
            headers=running.auth("operator"),
        )
        assert decided.json() == {"id": request["id"], "status": "approved"}
        again = await http.post(
            f"/v1/communities/home/verification/requests/{request['id']}/decision",
            json={"approve": False},
            headers=running.auth("operator"),
        )
        assert again.status_code == 409
        member = await http.get(
            f"/v1/communities/home/members/{running.people['newcomer'].id}",
            headers=running.auth("operator"),
        )
        assert member.json()["verified"] is True


async def test_another_communitys_units_and_requests_are_not_found(start_platform):
    async with start_platform() as running:
        http = running.client
        unit = await _unit(running)
        foreign = await http.post(
            "/v1/communities/other/invitations",
            json={"unit_id": unit},
            headers=running.auth("stranger"),  # an operator, but of "other"
        )
        assert foreign.status_code == 404
        ask = await http.post(
            "/v1/communities/other/verification/requests",
            json={"unit_id": unit},
            headers=running.auth("stranger"),
        )
        assert ask.status_code == 404
        units = await http.get("/v1/communities/other/units", headers=running.auth("stranger"))
        assert units.json() == []
        duplicate = await http.post(
            "/v1/communities/home/units",
            json={"building": "3", "room": "1201"},
            headers=running.auth("operator"),
        )
        assert duplicate.status_code == 409


async def test_callers_are_refused_before_the_body_is_read(start_platform):
    async with start_platform() as running:
        http = running.client
        for path in ("units", "invitations", "verification/requests", "clients"):
            url = f"/v1/communities/home/{path}"
            anonymous = await http.post(url, content=b"not json")
            assert anonymous.status_code == 401, (path, anonymous.text)
            foreign = await http.post(url, content=b"{}", headers=running.auth("stranger"))
            assert foreign.status_code == 403, (path, foreign.text)
        resident = await http.post(
            "/v1/communities/home/units", content=b"{}", headers=running.auth("resident")
        )
        assert resident.status_code == 403


async def test_commands_take_an_idempotency_key(start_platform):
    async with start_platform() as running:
        http = running.client
        operator = {**running.auth("operator"), "Idempotency-Key": "unit-7-701"}
        first = await http.post(
            "/v1/communities/home/units", json={"building": "7", "room": "701"}, headers=operator
        )
        again = await http.post(
            "/v1/communities/home/units", json={"building": "7", "room": "701"}, headers=operator
        )
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        other = await http.post(
            "/v1/communities/home/units", json={"building": "7", "room": "702"}, headers=operator
        )
        assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
        listed = await http.get("/v1/communities/home/units", headers=running.auth("operator"))
        assert [u["room"] for u in listed.json()] == ["701"]

        invited = await http.post(
            "/v1/communities/home/invitations",
            json={"unit_id": first.json()["id"], "uses": 1},
            headers=running.auth("operator"),
        )
        newcomer = {**running.auth("newcomer"), "Idempotency-Key": "redeem-1"}
        code = {"code": invited.json()["code"]}
        redeemed = await http.post(
            "/v1/communities/home/verification/invitation", json=code, headers=newcomer
        )
        replayed = await http.post(
            "/v1/communities/home/verification/invitation", json=code, headers=newcomer
        )
        assert redeemed.status_code == replayed.status_code == 200
        assert replayed.headers["idempotent-replayed"] == "true"  # the one use was spent once
