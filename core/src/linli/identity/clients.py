"""Registering OAuth 2.0 clients: public frontends and providers' back ends."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from linli_sdk import Community, InvalidInput

from .oauth_models import SCOPES, new_client_secret
from .tables import OAuthClient

__all__ = ["RegisteredClient", "register_client"]


@dataclass(frozen=True, slots=True)
class RegisteredClient:
    """A client just registered; ``client_secret`` (back ends only) is shown once."""

    client_id: str
    client_secret: str | None
    grant_types: tuple[str, ...]
    scopes: str


async def register_client(
    name: str,
    *,
    redirect_uris: list[str] | None = None,
    scopes: str = "read write profile",
    community: Community | None = None,
) -> RegisteredClient:
    """Register a client.

    With ``redirect_uris``: a public frontend (authorization code + PKCE, refresh tokens, no
    secret). With ``community``: a provider's back end acting in that community (client
    credentials, a secret).
    """
    unknown = set(scopes.split()) - set(SCOPES)
    if unknown:
        raise InvalidInput(f"unknown scopes: {', '.join(sorted(unknown))}", field="scopes")
    if bool(redirect_uris) == (community is not None):
        raise InvalidInput("a client is either a frontend (redirect URIs) or a back end")
    client_id = "cl_" + secrets.token_urlsafe(12)
    secret, secret_hash = (None, None) if redirect_uris else new_client_secret()
    grant_types = (
        ("authorization_code", "refresh_token") if redirect_uris else ("client_credentials",)
    )
    await OAuthClient.insert(
        OAuthClient(
            client_id=client_id,
            secret_hash=secret_hash,
            name=name,
            redirect_uris=list(redirect_uris or []),
            grant_types=list(grant_types),
            scopes=scopes,
            community=community.id if community else None,
            created_at=datetime.now(UTC),
        )
    )
    return RegisteredClient(client_id, secret, grant_types, scopes)
