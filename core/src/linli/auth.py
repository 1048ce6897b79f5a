"""Who is calling: members' API tokens, OAuth 2.0 access tokens, and the platform operator.

Three kinds of bearer token are accepted:

- a member's API token (``lnl_…``): random, shown once, stored only as its SHA-256;
- a signed JWT access token issued by the identity service's OAuth 2.0 server: verified
  against the published key its ``kid`` names, algorithm pinned, issuer, audience, expiry
  checked, not revoked; it carries its community and scopes (``Caller.scopes``);
- the platform operator's token (the ``admin_token`` setting).

A token opens only its own community: tenancy is checked here, on every call.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from linli_sdk import Caller, Community, Forbidden, Role

from .communities import get_community
from .errors import Unauthorized
from .identity.keys import published_key
from .identity.tables import OAuthClient, RevokedToken
from .identity.tokens import InvalidToken, looks_like_jwt, unverified_header, verify_access_token
from .tables import Member

__all__ = ["access_guard", "authenticate", "hash_token", "new_token"]

PLATFORM_ROLES = frozenset(Role)

_MEMBER_BY_TOKEN = (
    "SELECT m.id, m.roles, c.id AS community_id, c.slug AS community_slug, "
    "c.name AS community_name FROM linli_member m "
    "JOIN linli_community c ON c.id = m.community WHERE m.token_hash = {}"
)
_MEMBER_BY_ID = (
    "SELECT m.id, m.roles, c.id AS community_id, c.slug AS community_slug, "
    "c.name AS community_name FROM linli_member m "
    "JOIN linli_community c ON c.id = m.community WHERE m.id = {}"
)


def new_token() -> str:
    """A fresh random API token."""
    return "lnl_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send 'Authorization: Bearer <token>'")
    return token.strip()


def _roles(raw: Any) -> frozenset[Role]:
    roles = json.loads(raw) if isinstance(raw, str) else raw
    return frozenset({Role.MEMBER, *map(Role, roles)})


def _where(row: dict[str, Any]) -> Community:
    return Community(id=row["community_id"], slug=row["community_slug"], name=row["community_name"])


async def _member_token(token: str, community: str) -> tuple[Community, Caller]:
    # Raw SQL: this runs on every call, and Piccolo's join building costs more than the query.
    rows = await Member.raw(_MEMBER_BY_TOKEN, hash_token(token))
    row = rows[0] if rows else None
    if row is None:
        raise Unauthorized("the token is not valid")
    if row["community_slug"] != community:
        raise Forbidden(f"you are not a member of community {community!r}")
    return _where(row), Caller(member_id=row["id"], roles=_roles(row["roles"]))


async def _access_token(token: str, community: str) -> tuple[Community, Caller]:
    try:
        kid = unverified_header(token).get("kid")
        key = await published_key(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidToken("the token's key is not known")
        claims = verify_access_token(token, key["public_jwk"], key["algorithm"], key["issuer"])
    except InvalidToken as exc:
        raise Unauthorized(str(exc)) from exc
    if await RevokedToken.exists().where(RevokedToken.jti == claims.jti):
        raise Unauthorized("the token was revoked")
    if claims.community != community:
        raise Forbidden(f"this token is not for community {community!r}")
    kind, _, ident = claims.subject.partition(":")
    if kind == "member" and ident.isascii() and ident.isdigit() and len(ident) < 19:
        rows = await Member.raw(_MEMBER_BY_ID, int(ident))
        if not rows or rows[0]["community_slug"] != community:
            raise Unauthorized("the token's member no longer exists")
        row = rows[0]
        caller = Caller(member_id=row["id"], roles=_roles(row["roles"]), scopes=claims.scopes)
        return _where(row), caller
    if kind == "client":
        client = await OAuthClient.select(OAuthClient.community).where(
            OAuthClient.client_id == ident
        )
        if not client:
            raise Unauthorized("the token's client no longer exists")
        where = await get_community(community)
        if client[0]["community"] != where.id:
            raise Forbidden(f"this client does not act in community {community!r}")
        roles = frozenset({Role.PROVIDER_STAFF})
        return where, Caller(member_id=None, roles=roles, scopes=claims.scopes)
    raise Unauthorized("the token's subject is not known")


async def authenticate(
    authorization: str | None,
    community: str,
    admin_token: str | None,
    *,
    scope: str | None = None,
) -> tuple[Community, Caller]:
    """The community ``community`` (a slug) and the caller behind an ``Authorization`` header.

    Args:
        authorization: The ``Authorization`` header, if any.
        community: The slug of the community the call is made in.
        admin_token: The platform operator's token (from the settings), if enabled.
        scope: The scope the caller's token must carry; ``read`` when not named, so an OAuth
            token needs at least ``read`` everywhere (API tokens and the platform operator's
            token carry every scope).

    Raises:
        Unauthorized: no token, or one that is not known, not valid, expired or revoked.
        Forbidden: the token is valid but belongs to another community (whether or not the
            community asked for exists: that is not the caller's to know), or lacks ``scope``.
        NotFound: the platform operator asked for a community that does not exist.
    """
    token = _bearer(authorization)
    if admin_token and hmac.compare_digest(token, admin_token):
        return await get_community(community), Caller(member_id=None, roles=PLATFORM_ROLES)
    if looks_like_jwt(token):
        where, caller = await _access_token(token, community)
    else:
        where, caller = await _member_token(token, community)
    needed = scope or "read"
    if not caller.has_scope(needed):
        raise Forbidden(f"this token lacks the scope {needed!r}")
    return where, caller


async def access_guard(connection: Any, handler: Any) -> None:
    """A Litestar guard for community routes: authenticate and check ``opt["access"]``.

    Runs before the request body is read, so an anonymous or foreign caller gets 401/403, never
    a validation error. ``opt["scope"]`` names the scope needed (``read`` when absent). The
    result is left in ``connection.state.identity`` as ``(community, caller)``.
    """
    access = str(handler.opt.get("access", ""))
    if access == "public":
        return
    settings = connection.app.state.platform.settings
    where, caller = await authenticate(
        connection.headers.get("authorization"),
        connection.path_params["community"],
        settings.admin_token,
        scope=handler.opt.get("scope"),
    )
    if access.startswith("role:"):
        roles = [Role(name) for name in access.removeprefix("role:").split(",")]
        if not caller.has_role(*roles):
            raise Forbidden(f"this needs one of the roles: {', '.join(sorted(roles))}")
    connection.state.identity = (where, caller)
