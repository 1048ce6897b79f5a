"""The identity service on PostgreSQL: sign-in, tokens, verification, personal data, matrix."""

from __future__ import annotations

import pytest
from identity_helpers import REDIRECT, authorization_code, resident_token, sign_in_code
from linli.identity.clients import register_client

pytestmark = pytest.mark.usefixtures("fixture_plugins")


async def test_identity_runs_on_postgresql(start_platform, postgres_url):
    async with start_platform(database_url=postgres_url) as running:
        http = running.client
        me = await resident_token(http)
        profile = (await http.get("/v1/communities/home/me", headers=me)).json()
        assert profile["phone"] == "13912345678" and profile["verified"] is False

        unit = await http.post(
            "/v1/communities/home/units",
            json={"building": "1", "room": "101"},
            headers=running.auth("operator"),
        )
        invited = await http.post(
            "/v1/communities/home/invitations",
            json={"unit_id": unit.json()["id"]},
            headers=running.auth("operator"),
        )
        redeemed = await http.post(
            "/v1/communities/home/verification/invitation",
            json={"code": invited.json()["code"]},
            headers=me,
        )
        assert redeemed.status_code == 200, redeemed.text
        assert (await http.get("/v1/communities/home/me", headers=me)).json()["verified"]

        consent = await http.post(
            "/v1/communities/home/me/consents", json={"purpose": "national_id"}, headers=me
        )
        assert consent.status_code == 201
        exported = (await http.get("/v1/communities/home/me/export", headers=me)).json()
        assert exported["account"]["phone"] == "13912345678"
        erased = await http.delete("/v1/communities/home/me", headers=me)
        assert erased.json()["erased"] is True


async def test_a_code_is_exchanged_once_on_postgresql(start_platform, postgres_url):
    async with start_platform(database_url=postgres_url) as running:
        http = running.client
        frontend = await register_client("Resident app", redirect_uris=[REDIRECT])
        otp = await sign_in_code(http, "13812341234")
        code, verifier = await authorization_code(
            http, frontend.client_id, phone="13812341234", otp=otp
        )
        exchange = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": frontend.client_id,
            "code_verifier": verifier,
        }
        import asyncio

        answers = await asyncio.gather(
            *(http.post("/oauth/token", data=exchange) for _ in range(4))
        )
        assert sorted(a.status_code for a in answers) == [200, 400, 400, 400]


async def test_a_refresh_token_rotates_once_on_postgresql(start_platform, postgres_url):
    import asyncio

    from identity_helpers import exchange

    async with start_platform(database_url=postgres_url) as running:
        http = running.client
        frontend = await register_client("Resident app", redirect_uris=[REDIRECT])
        otp = await sign_in_code(http, "13812341234")
        code, verifier = await authorization_code(
            http, frontend.client_id, phone="13812341234", otp=otp
        )
        tokens = await exchange(http, frontend.client_id, code, verifier)
        refresh = {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": frontend.client_id,
        }
        answers = await asyncio.gather(*(http.post("/oauth/token", data=refresh) for _ in range(4)))
        assert sorted(a.status_code for a in answers) == [200, 400, 400, 400]


async def test_reusing_a_refresh_token_stops_its_access_tokens_on_postgresql(
    start_platform, postgres_url
):
    from identity_helpers import reuse_ends_the_sign_in

    async with start_platform(database_url=postgres_url) as running:
        await reuse_ends_the_sign_in(running.client)
