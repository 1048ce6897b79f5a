"""Helpers for the identity tests: OAuth clients, PKCE, signing residents in over HTTP."""

from __future__ import annotations

from typing import Any

from linli.identity.clients import register_client
from linli.testing.sign_in import (
    REDIRECT,
    Captured,
    authorization_code,
    captured_logs,
    exchange,
    pkce,
    resident_token,
    sign_in_code,
)

__all__ = [
    "REDIRECT",
    "Captured",
    "authorization_code",
    "captured_logs",
    "exchange",
    "pkce",
    "provider_token",
    "resident_token",
    "sign_in_code",
]


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
