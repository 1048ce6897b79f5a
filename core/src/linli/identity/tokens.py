"""Signed JWT access tokens: issued with the identity service's key, verified strictly.

Verification pins the algorithm stored with the key the token's ``kid`` names (``ES256``),
never takes a key from the token itself (``jwk``, ``jku``, ``x5u``, ``x5c`` headers are
refused outright), and checks issuer, audience, expiry and not-before.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey
from linli_sdk import LinliError

from ..http.boundary import parse_json

__all__ = [
    "ALGORITHM",
    "AUDIENCE",
    "AccessClaims",
    "InvalidToken",
    "SigningKey",
    "issue_access_token",
    "looks_like_jwt",
    "revocation_keys",
    "sign_in_revocation",
    "verify_access_token",
]

ALGORITHM = "ES256"
AUDIENCE = "linli"
_KEY_HEADERS = frozenset({"jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256"})
LEEWAY = 30


class InvalidToken(Exception):
    """The token is not one this platform issued, or no longer valid."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    """The private key tokens are signed with, its ``kid`` and the issuer it signs for."""

    key: ECKey
    kid: str
    issuer: str

    @classmethod
    def generate(cls, issuer: str) -> SigningKey:
        """A fresh P-256 key (for development, when the settings name none)."""
        return cls(ECKey.generate_key("P-256"), uuid.uuid4().hex, issuer)

    @classmethod
    def from_pem(cls, pem: str, issuer: str) -> SigningKey:
        """The key from settings; its ``kid`` is its RFC 7638 thumbprint."""
        key = ECKey.import_key(pem)
        return cls(key, key.thumbprint(), issuer)

    def public_jwk(self) -> dict[str, Any]:
        """The public half as a JWK (for the JWKS document)."""
        return {
            **key_dict(self.key, private=False),
            "kid": self.kid,
            "alg": ALGORITHM,
            "use": "sig",
        }


def key_dict(key: ECKey, *, private: bool) -> dict[str, Any]:
    """A key as a JWK dict."""
    return dict(key.as_dict(private=private))


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What an access token says: who, where, which scopes, which client."""

    subject: str  # "member:<id>" or "client:<client_id>"
    community: str
    scopes: frozenset[str]
    client_id: str
    jti: str
    expires_at: int
    sign_in: str | None = None  # the ``sid`` claim: the sign-in (refresh family) it belongs to


def issue_access_token(
    signing: SigningKey,
    *,
    subject: str,
    community: str,
    scopes: frozenset[str],
    client_id: str,
    ttl: int,
    now: int | None = None,
    sign_in: str | None = None,
) -> str:
    """A signed JWT access token valid for ``ttl`` seconds.

    ``sign_in`` (the ``sid`` claim) names the sign-in the token belongs to, so revoking that
    sign-in stops the token too.
    """
    issued = int(time.time()) if now is None else now
    claims = {
        "iss": signing.issuer,
        "aud": AUDIENCE,
        "sub": subject,
        "community": community,
        "scope": " ".join(sorted(scopes)),
        "client_id": client_id,
        "jti": uuid.uuid4().hex,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl,
    }
    if sign_in is not None:
        claims["sid"] = sign_in
    return jwt.encode({"alg": ALGORITHM, "kid": signing.kid, "typ": "at+jwt"}, claims, signing.key)


def sign_in_revocation(sign_in: str) -> str:
    """The key under which a whole sign-in is recorded as revoked (beside revoked ``jti``s)."""
    return f"sid:{sign_in}"


def revocation_keys(claims: AccessClaims) -> list[str]:
    """Every revocation that stops this token: its own ``jti`` and its sign-in's."""
    keys = [claims.jti]
    if claims.sign_in is not None:
        keys.append(sign_in_revocation(claims.sign_in))
    return keys


def looks_like_jwt(token: str) -> bool:
    """Whether a bearer token has a JWT's three dotted parts (API tokens never do)."""
    return token.count(".") == 2


def unverified_header(token: str) -> dict[str, Any]:
    """The token's header, read without trusting it (to find the ``kid``)."""
    head = token.split(".", 1)[0]
    try:
        header = parse_json(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)), "token")
    except (ValueError, LinliError) as exc:  # bounded as every input is (see http.boundary)
        raise InvalidToken("the token's header is not JSON") from exc
    if not isinstance(header, dict):
        raise InvalidToken("the token's header is not an object")
    return header


def verify_access_token(
    token: str, public_jwk: Mapping[str, Any], algorithm: str, issuer: str
) -> AccessClaims:
    """Verify ``token`` against the published key its ``kid`` named; :class:`InvalidToken`.

    ``algorithm`` is the one stored with the key: a token claiming any other is refused.
    """
    header = unverified_header(token)
    if _KEY_HEADERS & header.keys():
        raise InvalidToken("tokens carrying their own key are refused")
    if header.get("alg") != algorithm:
        raise InvalidToken("the token's algorithm is not the key's")
    try:
        key = ECKey.import_key(dict(public_jwk))
        decoded = jwt.decode(token, key, algorithms=[algorithm])
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": AUDIENCE},
            exp={"essential": True},
            nbf={"essential": True},
            sub={"essential": True},
            jti={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError, TypeError) as exc:
        raise InvalidToken(f"the token is not valid ({type(exc).__name__})") from exc
    claims = decoded.claims
    if not isinstance(claims.get("community"), str) or not isinstance(claims.get("scope"), str):
        raise InvalidToken("the token names no community or scope")
    return AccessClaims(
        subject=str(claims["sub"]),
        community=claims["community"],
        scopes=frozenset(claims["scope"].split()),
        client_id=str(claims.get("client_id", "")),
        jti=str(claims["jti"]),
        expires_at=int(claims["exp"]),
        sign_in=str(claims["sid"]) if isinstance(claims.get("sid"), str) else None,
    )
