"""Helpers for the identity tests: OAuth clients, PKCE, signing residents in over HTTP."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

from linli.identity.clients import register_client

REDIRECT = "http://127.0.0.1:8765/callback"


async def provider_token(running: Any, scopes: str = "read write") -> str:
    """An access token of a provider's back end acting in ``home`` (client credentials)."""
    client = await register_client(
        "Provider back end", community=running.home, scopes="read write profile admin"
    )
    response = await running.client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": scopes},
        auth=(client.client_id, client.client_secret),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def pkce() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Captured(logging.Handler):
    """Every log record, formatted with its arguments (Litestar replaces the root handlers
    when an app is made, so pytest's caplog would miss records logged by requests)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextmanager
def captured_logs(name: str = "") -> Iterator[Captured]:
    """Capture everything logged under logger ``name`` (the root logger by default)."""
    handler = Captured()
    logger = logging.getLogger(name)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def sign_in_code(client: Any, phone: str) -> str:
    """Ask for a sign-in code and read it from the server log, as the demo intends."""
    with captured_logs("linli.identity") as logs:
        response = await client.post("/v1/identity/sign-in-codes", json={"phone": phone})
    assert response.status_code == 202, response.text
    codes = [found for line in logs.lines for found in re.findall(r"code: (\d{6})", line)]
    return codes[-1]


async def authorization_code(
    client: Any,
    client_id: str,
    *,
    phone: str,
    otp: str,
    community: str = "home",
    scope: str = "read write profile",
) -> tuple[str, str]:
    """Run the authorization endpoint as a browser would; the code and the PKCE verifier."""
    verifier, challenge = pkce()
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "community": community,
    }
    page = await client.get("/oauth/authorize", params=params)
    assert page.status_code == 200, page.text
    assert "Sign in to Linli" in page.text
    response = await client.post("/oauth/authorize", data={**params, "phone": phone, "otp": otp})
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    return query["code"][0], verifier


async def resident_token(
    http, phone: str = "13912345678", scope: str = "read write profile"
) -> dict:
    """A resident signed in through the OAuth flow: their bearer header."""
    frontend = await register_client("Resident app", redirect_uris=[REDIRECT])
    otp = await sign_in_code(http, phone)
    code, verifier = await authorization_code(
        http, frontend.client_id, phone=phone, otp=otp, scope=scope
    )
    issued = await exchange(http, frontend.client_id, code, verifier)
    return {"Authorization": f"Bearer {issued['access_token']}"}


async def exchange(http: Any, client_id: str, code: str, verifier: str) -> dict[str, Any]:
    """Exchange an authorization code at the token endpoint; the token response."""
    issued = await http.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": client_id,
            "code_verifier": verifier,
        },
    )
    assert issued.status_code == 200, issued.text
    result: dict[str, Any] = issued.json()
    return result


async def verified_resident(
    running: Any,
    phone: str = "13912345678",
    national_id: str | None = "11010519491231002X",
    building: str = "3",
    room: str = "1201",
) -> tuple[dict[str, str], int]:
    """A resident signed in by phone, verified for a unit by invitation and, when
    ``national_id`` is given, with consent recorded and the ID number on file.

    Returns their bearer header and member id.
    """
    http = running.client
    operator = running.auth("operator")
    unit = await http.post(
        "/v1/communities/home/units", json={"building": building, "room": room}, headers=operator
    )
    assert unit.status_code == 201, unit.text
    me = await resident_token(http, phone)
    invited = await http.post(
        "/v1/communities/home/invitations", json={"unit_id": unit.json()["id"]}, headers=operator
    )
    redeemed = await http.post(
        "/v1/communities/home/verification/invitation",
        json={"code": invited.json()["code"]},
        headers=me,
    )
    assert redeemed.status_code == 200, redeemed.text
    if national_id is not None:
        consent = await http.post(
            "/v1/communities/home/me/consents", json={"purpose": "national_id"}, headers=me
        )
        assert consent.status_code == 201, consent.text
        stored = await http.put(
            "/v1/communities/home/me/national-id", json={"number": national_id}, headers=me
        )
        assert stored.status_code == 200, stored.text
    profile = (await http.get("/v1/communities/home/me", headers=me)).json()
    return me, int(profile["id"])


async def reuse_ends_the_sign_in(http: Any) -> None:
    """Reuse a spent refresh token: every access token of that sign-in is refused at once,
    while another sign-in of the same person keeps working."""
    frontend = await register_client("Resident app", redirect_uris=[REDIRECT])
    phone = "13812341234"
    signed_in = []
    for _ in range(2):
        otp = await sign_in_code(http, phone)
        code, verifier = await authorization_code(http, frontend.client_id, phone=phone, otp=otp)
        signed_in.append(await exchange(http, frontend.client_id, code, verifier))
    first, other = signed_in
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": frontend.client_id,
    }
    rotated = await http.post("/oauth/token", data=refresh)
    assert rotated.status_code == 200, rotated.text

    def bearer(tokens: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens['access_token']}"}

    for tokens in (first, rotated.json(), other):
        assert (
            await http.get("/v1/communities/home/me", headers=bearer(tokens))
        ).status_code == 200

    reused = await http.post("/oauth/token", data=refresh)
    assert reused.status_code == 400
    for tokens in (first, rotated.json()):
        refused = await http.get("/v1/communities/home/me", headers=bearer(tokens))
        assert refused.status_code == 401, refused.text
        assert "revoked" in refused.json()["detail"]
    still = await http.get("/v1/communities/home/me", headers=bearer(other))
    assert still.status_code == 200, still.text
