"""The OAuth 2.0 objects as Authlib's grants see them: clients, codes, tokens, the grantee.

Plain frozen values, loaded from the database before a request is run (:mod:`.oauth_store`).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from authlib.oauth2.rfc6749 import (  # type: ignore[import-untyped]
    AuthorizationCodeMixin,
    ClientMixin,
    TokenMixin,
)

from linli.identity.auth import hash_token

__all__ = [
    "CODE_TTL",
    "SCOPES",
    "Access",
    "Client",
    "Code",
    "Grantee",
    "Refresh",
    "new_client_secret",
]

SCOPES = ("read", "write", "profile", "admin")
CODE_TTL = timedelta(minutes=5)


def new_client_secret() -> tuple[str, str]:
    """A client secret and its SHA-256 hash.

    A client secret is 256 random bits, not a password: a plain hash is as strong as a slow
    one here, and checking it does not hold up the event loop (argon2 is for passwords).
    """
    secret = secrets.token_urlsafe(32)
    return secret, hash_token(secret)


@dataclass(frozen=True)
class Grantee:
    """The member an authorization is granted for, in one community."""

    member_id: int
    community_id: int
    community: str


@dataclass(frozen=True)
class Client(ClientMixin):  # type: ignore[misc]
    """A registered client as Authlib sees it."""

    client_id: str
    secret_hash: str | None
    redirect_uris: tuple[str, ...]
    grant_types: tuple[str, ...]
    scopes: frozenset[str]
    community_id: int | None
    community: str | None

    def get_client_id(self) -> str:
        """The client id."""
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        """The first registered redirect URI."""
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str:
        """The requested scopes this client may have."""
        if not scope:
            return ""
        return " ".join(s for s in scope.split() if s in self.scopes)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Whether the URI is one registered (exact match)."""
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        """Whether the secret is right (constant-time)."""
        if self.secret_hash is None:
            return False
        return hmac.compare_digest(self.secret_hash, hash_token(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """Public clients authenticate with nothing, back ends with their secret."""
        if self.secret_hash is None:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        """Only ``code``, and only for clients of the authorization code flow."""
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        """Whether the client was registered for this grant."""
        return grant_type in self.grant_types


@dataclass(frozen=True)
class Code(AuthorizationCodeMixin):  # type: ignore[misc]
    """A stored authorization code."""

    row_id: int
    client_id: str
    grantee: Grantee
    redirect_uri: str
    scope: str
    code_challenge: str
    code_challenge_method: str

    def get_redirect_uri(self) -> str:
        """The redirect URI the code was issued for."""
        return self.redirect_uri

    def get_scope(self) -> str:
        """The scopes granted."""
        return self.scope


@dataclass(frozen=True)
class Refresh(TokenMixin):  # type: ignore[misc]
    """A stored refresh token."""

    row_id: int
    family: str
    client_id: str
    grantee: Grantee
    scope: str
    expires_at: datetime
    revoked: bool

    def check_client(self, client: Client) -> bool:
        """Whether the token was issued to this client."""
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        """The scopes granted."""
        return self.scope

    def get_expires_in(self) -> int:
        """Seconds until it expires."""
        return max(0, int((self.expires_at - datetime.now(UTC)).total_seconds()))

    def is_expired(self) -> bool:
        """Whether it has expired."""
        return self.expires_at <= datetime.now(UTC)

    def is_revoked(self) -> bool:
        """Whether it was revoked or rotated away."""
        return self.revoked

    def get_user(self) -> Grantee:
        """The member it was granted for."""
        return self.grantee


@dataclass(frozen=True)
class Access(TokenMixin):  # type: ignore[misc]
    """A verified access token presented for revocation."""

    jti: str
    client_id: str
    expires_at: int

    def check_client(self, client: Client) -> bool:
        """Whether the token was issued to this client."""
        return client.client_id == self.client_id
