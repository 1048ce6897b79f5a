"""A third-party frontend signs a resident in: authorization code + PKCE, then refresh, revoke.

Run it as is: it starts a throw-away platform in-process (a temporary SQLite file) and plays
both the frontend and the resident. Against a running Linli (``uv run linli demo``) register
the frontend first (``uv run linli identity add-client "My app" --redirect-uri
http://127.0.0.1:8765/callback``) and run::

    uv run python docs/examples/identity_sign_in.py --base-url http://127.0.0.1:8000 \
        --client-id cl_... --community sunny-garden --phone 13812341234

then type the code the server log shows ("SMS to 138****1234: Linli sign-in code: ...").
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import secrets
import tempfile
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

REDIRECT_URI = "http://127.0.0.1:8765/callback"


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier (kept by the frontend) and its S256 challenge (sent first)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def sign_in(
    http: httpx.AsyncClient,
    *,
    client_id: str,
    community: str,
    phone: str,
    read_code: Callable[[], Awaitable[str]],
) -> dict[str, Any]:
    """Sign a resident in to ``community``; the token response (access and refresh token)."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    authorization = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "read write profile",
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "community": community,
    }
    # 1. The frontend sends the resident's browser to the authorization endpoint; it shows a
    #    sign-in form. The resident asks for a code, which arrives by SMS.
    page = await http.get("/oauth/authorize", params=authorization)
    page.raise_for_status()
    sent = await http.post("/v1/identity/sign-in-codes", json={"phone": phone})
    sent.raise_for_status()
    # 2. The resident submits the form with the code; Linli redirects back with ?code=&state=.
    otp = await read_code()
    answer = await http.post("/oauth/authorize", data={**authorization, "phone": phone, "otp": otp})
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in refused: {answer.text}")
    back = parse_qs(urlsplit(answer.headers["location"]).query)
    if back["state"] != [state]:
        raise RuntimeError("the state does not match: not our sign-in")
    # 3. The frontend exchanges the code, proving it is the one that started (PKCE).
    tokens = await http.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": back["code"][0],
            "redirect_uri": REDIRECT_URI,
            "client_id": client_id,
            "code_verifier": verifier,
        },
    )
    tokens.raise_for_status()
    result: dict[str, Any] = tokens.json()
    return result


async def refresh(http: httpx.AsyncClient, client_id: str, refresh_token: str) -> dict[str, Any]:
    """New tokens for a refresh token (which is used up: keep the new one)."""
    answer = await http.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
        },
    )
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


async def sign_out(http: httpx.AsyncClient, client_id: str, token: str) -> None:
    """Revoke a token (RFC 7009): a refresh token ends the whole sign-in."""
    (
        await http.post("/oauth/revoke", data={"token": token, "client_id": client_id})
    ).raise_for_status()


async def tour(
    http: httpx.AsyncClient,
    client_id: str,
    community: str,
    phone: str,
    read_code: Callable[[], Awaitable[str]],
) -> dict[str, Any]:
    """Sign in, read the profile, refresh, sign out; what each step answered."""
    tokens = await sign_in(
        http, client_id=client_id, community=community, phone=phone, read_code=read_code
    )
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = (await http.get(f"/v1/communities/{community}/me", headers=bearer)).json()
    fresh = await refresh(http, client_id, tokens["refresh_token"])
    await sign_out(http, client_id, fresh["refresh_token"])
    again = await http.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": fresh["refresh_token"],
            "client_id": client_id,
        },
    )
    return {"me": me, "scope": tokens["scope"], "after_sign_out": again.status_code}


async def in_process(phone: str) -> dict[str, Any]:
    """Run the tour against a throw-away platform started here."""
    from linli.http.app import create_app
    from linli.identity.clients import register_client
    from linli.identity.members import create_community
    from linli.platform import Platform
    from linli.settings import Settings

    with tempfile.TemporaryDirectory() as scratch:
        platform = Platform.from_settings(Settings(database_url=f"sqlite:///{scratch}/demo.db"))
        app = create_app(platform=platform)
        await platform.start(migrate_first=True)
        try:
            await create_community("sunny-garden", "阳光花园 Sunny Garden")
            client = await register_client("My app", redirect_uris=[REDIRECT_URI])
            sms = platform.identity.sms

            async def read_code() -> str:  # the resident reads the SMS (here: the demo sender)
                return str(sms.sent[-1][1].split(": ")[1].split()[0])  # type: ignore[attr-defined]

            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
                return await tour(http, client.client_id, "sunny-garden", phone, read_code)
        finally:
            await platform.stop()


def main() -> None:
    """Run in-process, or against a server with --base-url and --client-id."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url")
    parser.add_argument("--client-id")
    parser.add_argument("--community", default="sunny-garden")
    parser.add_argument("--phone", default="13812341234")
    args = parser.parse_args()
    if args.base_url:

        async def typed() -> str:
            line = await asyncio.to_thread(input, "sign-in code from the server log: ")
            return line.strip()

        async def remote() -> dict[str, Any]:
            async with httpx.AsyncClient(base_url=args.base_url) as http:
                return await tour(http, args.client_id, args.community, args.phone, typed)

        seen = asyncio.run(remote())
    else:
        seen = asyncio.run(in_process(args.phone))
    print(
        f"signed in as {seen['me']['display_name']} ({seen['me']['phone']}), scope {seen['scope']}"
    )
    print(f"refresh after sign-out answered {seen['after_sign_out']}")


if __name__ == "__main__":
    main()
