"""Sign a resident in over HTTP as a person would: a phone code, OAuth with PKCE, a token.

The sign-in code is read from the server log (the demo SMS sender logs it), so
:func:`captured_logs` is public too: Litestar replaces the root handlers when an app is made,
so pytest's ``caplog`` misses records logged while requests run.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    import httpx

__all__ = [
    "REDIRECT",
    "Captured",
    "authorization_code",
    "captured_logs",
    "exchange",
    "pkce",
    "resident_token",
    "sign_in_code",
]

REDIRECT = "http://127.0.0.1:8765/callback"
"""The redirect URI the test OAuth clients register."""


def pkce() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Captured(logging.Handler):
    """Every log record, formatted with its arguments, in :attr:`lines`."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the formatted record."""
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


async def sign_in_code(client: httpx.AsyncClient, phone: str) -> str:
    """Ask for a sign-in code and read it from the server log, as the demo intends."""
    with captured_logs("linli.identity") as logs:
        response = await client.post("/v1/identity/sign-in-codes", json={"phone": phone})
    assert response.status_code == 202, response.text
    codes = [found for line in logs.lines for found in re.findall(r"code: (\d{6})", line)]
    return str(codes[-1])


async def authorization_code(
    client: httpx.AsyncClient,
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


async def exchange(
    client: httpx.AsyncClient, client_id: str, code: str, verifier: str
) -> dict[str, Any]:
    """Exchange an authorization code at the token endpoint; the token response."""
    issued = await client.post(
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


async def resident_token(
    client: httpx.AsyncClient, phone: str = "13912345678", scope: str = "read write profile"
) -> dict[str, str]:
    """Sign ``phone`` in through the OAuth flow (in ``home``); their bearer header."""
    from linli.identity.clients import register_client

    frontend = await register_client("Resident app", redirect_uris=[REDIRECT])
    otp = await sign_in_code(client, phone)
    code, verifier = await authorization_code(
        client, frontend.client_id, phone=phone, otp=otp, scope=scope
    )
    issued = await exchange(client, frontend.client_id, code, verifier)
    return {"Authorization": f"Bearer {issued['access_token']}"}
