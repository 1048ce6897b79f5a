"""The OAuth 2.0 server end to end, over a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn
from identity_helpers import (
    REDIRECT,
    authorization_code,
    exchange,
    provider_token,
    reuse_ends_the_sign_in,
    sign_in_code,
)
from linli.http.app import create_app
from linli.identity.clients import register_client

pytestmark = pytest.mark.usefixtures("fixture_plugins")

PHONE = "13812341234"


@asynccontextmanager
async def served(running) -> AsyncIterator[httpx.AsyncClient]:
    """The platform's app behind uvicorn on a free loopback port, and a client for it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(platform=running.platform)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.02)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


async def test_authorization_code_with_pkce_refresh_and_revocation(start_platform):
    async with start_platform() as running, served(running) as http:
        frontend = await register_client("Resident app", redirect_uris=[REDIRECT])
        otp = await sign_in_code(http, PHONE)
        code, verifier = await authorization_code(http, frontend.client_id, phone=PHONE, otp=otp)

        exchange = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": frontend.client_id,
        }
        wrong = await http.post("/oauth/token", data={**exchange, "code_verifier": "x" * 50})
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
        issued = await http.post("/oauth/token", data={**exchange, "code_verifier": verifier})
        assert issued.status_code == 200, issued.text
        tokens = issued.json()
        assert tokens["token_type"] == "Bearer" and tokens["scope"] == "profile read write"
        assert issued.headers["cache-control"] == "no-store"
        again = await http.post("/oauth/token", data={**exchange, "code_verifier": verifier})
        assert again.status_code == 400  # a code is used once

        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        me = await http.get("/v1/communities/home/me", headers=bearer)
        assert me.status_code == 200, me.text
        assert me.json()["phone"] == PHONE and me.json()["verified"] is False
        elsewhere = await http.get("/v1/communities/other/me", headers=bearer)
        assert elsewhere.status_code == 403

        refresh = {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": frontend.client_id,
        }
        rotated = await http.post("/oauth/token", data=refresh)
        assert rotated.status_code == 200, rotated.text
        newer = rotated.json()
        assert newer["refresh_token"] != tokens["refresh_token"]
        reused = await http.post("/oauth/token", data=refresh)
        assert reused.status_code == 400  # rotation: the old refresh token is spent...
        after_reuse = await http.post(
            "/oauth/token", data={**refresh, "refresh_token": newer["refresh_token"]}
        )
        assert after_reuse.status_code == 400  # ...and its reuse revoked the whole family

        revoked = await http.post(
            "/oauth/revoke",
            data={"token": newer["access_token"], "client_id": frontend.client_id},
        )
        assert revoked.status_code == 200
        refused = await http.get(
            "/v1/communities/home/me", headers={"Authorization": f"Bearer {newer['access_token']}"}
        )
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "revoked" in refused.json()["detail"]


async def test_reusing_a_refresh_token_stops_its_access_tokens_at_once(start_platform):
    async with start_platform() as running:
        await reuse_ends_the_sign_in(running.client)


async def test_revoking_a_refresh_token_ends_it(start_platform):
    async with start_platform() as running:
        http = running.client
        frontend = await register_client("Resident app", redirect_uris=[REDIRECT])
        otp = await sign_in_code(http, PHONE)
        code, verifier = await authorization_code(http, frontend.client_id, phone=PHONE, otp=otp)
        tokens = await exchange(http, frontend.client_id, code, verifier)
        revoked = await http.post(
            "/oauth/revoke",
            data={"token": tokens["refresh_token"], "client_id": frontend.client_id},
        )
        assert revoked.status_code == 200
        refused = await http.post(
            "/oauth/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
                "client_id": frontend.client_id,
            },
        )
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
        # Signing out (revoking the refresh token) ends the sign-in's access token too.
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        signed_out = await http.get("/v1/communities/home/me", headers=bearer)
        assert signed_out.status_code == 401 and "revoked" in signed_out.json()["detail"]


async def test_client_credentials_tokens_carry_their_scopes(start_platform):
    async with start_platform(admin_token="adm") as running:
        http = running.client
        await http.put(
            "/v1/communities/home/modules/probe",
            json={"enabled": True},
            headers={"Authorization": "Bearer adm"},
        )
        reader = {"Authorization": f"Bearer {await provider_token(running, 'read')}"}
        modules = await http.get("/v1/communities/home/modules", headers=reader)
        assert modules.status_code == 200, modules.text
        assert modules.json()["modules"][0]["settings"] is None  # not staff
        other = await http.get("/v1/communities/other/modules", headers=reader)
        assert other.status_code == 403
        # A back end is provider staff, not a member: member operations are not its to call.
        whoami = await http.get("/v1/communities/home/modules/probe/whoami", headers=reader)
        assert whoami.status_code == 403 and "roles" in whoami.json()["detail"]
        profile_only = {"Authorization": f"Bearer {await provider_token(running, 'profile')}"}
        refused = await http.get("/v1/communities/home/modules", headers=profile_only)
        assert refused.status_code == 403 and "'read'" in refused.json()["detail"]


async def test_a_backend_client_needs_its_secret(start_platform):
    async with start_platform() as running:
        backend = await register_client("Back end", community=running.home, scopes="read")
        response = await running.client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(backend.client_id, "not-the-secret"),
        )
        assert response.status_code == 401 and response.json()["error"] == "invalid_client"


async def test_metadata_and_jwks_describe_the_server(start_platform):
    async with start_platform(identity_issuer="https://linli.example") as running:
        meta = (await running.client.get("/.well-known/oauth-authorization-server")).json()
        assert meta["issuer"] == "https://linli.example"
        assert meta["token_endpoint"] == "https://linli.example/oauth/token"
        assert meta["code_challenge_methods_supported"] == ["S256"]
        discovery = await running.client.get("/.well-known/openid-configuration")
        assert discovery.json() == meta
        (key,) = (await running.client.get("/.well-known/jwks.json")).json()["keys"]
        assert key["alg"] == "ES256" and key["kty"] == "EC" and "d" not in key


async def test_an_operator_signs_in_with_a_password(start_platform):
    from identity_helpers import pkce
    from linli.identity.accounts import create_operator_account, link_member

    async with start_platform() as running:
        http = running.client
        account = await create_operator_account("zhou", "correct horse battery")
        await link_member(account, running.home, running.people["operator"].id)
        console = await register_client("Console", redirect_uris=[REDIRECT], scopes="read admin")
        verifier, challenge = pkce()
        params = {
            "response_type": "code",
            "client_id": console.client_id,
            "redirect_uri": REDIRECT,
            "scope": "read admin",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "community": "home",
        }
        wrong = await http.post(
            "/oauth/authorize", data={**params, "username": "zhou", "password": "nope"}
        )
        assert wrong.status_code == 401
        stranger = await http.post(
            "/oauth/authorize",
            data={
                **params,
                "community": "other",
                "username": "zhou",
                "password": "correct horse battery",
            },
        )
        assert stranger.status_code == 403
        signed_in = await http.post(
            "/oauth/authorize",
            data={**params, "username": "zhou", "password": "correct horse battery"},
        )
        assert signed_in.status_code == 302, signed_in.text
        code = signed_in.headers["location"].split("code=")[1].split("&")[0]
        tokens = await exchange(http, console.client_id, code, verifier)
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        unit = await http.post(
            "/v1/communities/home/units", json={"building": "9", "room": "1"}, headers=bearer
        )
        assert unit.status_code == 201, unit.text
        profile = await http.get("/v1/communities/home/me", headers=bearer)
        assert profile.status_code == 403  # no `profile` scope in this token


async def test_a_bad_authorization_request_spends_no_sign_in(start_platform):
    async with start_platform() as running:
        http = running.client
        frontend = await register_client("Resident app", redirect_uris=[REDIRECT])
        otp = await sign_in_code(http, PHONE)
        base = {"response_type": "code", "client_id": frontend.client_id, "community": "home"}
        for bad in (
            {"client_id": "cl_unknown"},
            {"redirect_uri": "http://127.0.0.1:9999/elsewhere"},
            {"code_challenge": ""},  # PKCE is required
        ):
            form = {**base, "redirect_uri": REDIRECT, "code_challenge": "x" * 43, **bad}
            refused = await http.post("/oauth/authorize", data={**form, "phone": PHONE, "otp": otp})
            assert refused.status_code == 400, (bad, refused.text)
            assert "location" not in refused.headers
        code, _ = await authorization_code(http, frontend.client_id, phone=PHONE, otp=otp)
        assert code  # the code was not spent by the refused requests
