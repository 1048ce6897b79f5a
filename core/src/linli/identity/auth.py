"""Who is calling: members' API tokens, OAuth 2.0 access tokens, and the platform operator.

Three kinds of bearer token are accepted:

- a member's API token (``lnl_…``): random, shown once, stored only as its SHA-256;
- a signed JWT access token issued by the identity service's OAuth 2.0 server: verified
  against the published key its ``kid`` names, algorithm pinned, issuer, audience, expiry
  checked, not revoked (neither the token nor the sign-in it belongs to); it carries its
  community and scopes (``Caller.scopes``);
- the platform operator's token (the ``admin_token`` setting).

A token opens only its own community: tenancy is checked here, on every call. The member
behind a token is cached per process for a short time (`linli.db.cache`); code that changes a
member's roles or token calls `forget_callers`. An OAuth token's revocation is checked on every
call, uncached.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from linli_sdk import Caller, Community, Forbidden, Role

from linli.db.cache import LookupCache
from linli.db.raw import fetch
from linli.errors import Unauthorized
from linli.http.access import Access
from linli.identity.communities import community_of, get_community, get_record
from linli.identity.keys import published_key
from linli.identity.tables import OAuthClient, RevokedToken
from linli.identity.tokens import (
    InvalidToken,
    looks_like_jwt,
    revocation_keys,
    unverified_header,
    verify_access_token,
)
from linli.tables import Member

__all__ = [
    "PLATFORM_ROLES",
    "access_guard",
    "authenticate",
    "check_caller",
    "forget_callers",
    "hash_token",
    "is_platform_operator",
    "member_roles",
    "new_token",
    "platform_guard",
]

PLATFORM_ROLES = frozenset({Role.MEMBER, Role.OPERATOR, Role.AUDITOR})
"""What the platform operator's token may do in any community: operate and audit. It is no
resident, leader, pickup host or provider: those roles belong to members."""

_MEMBER_COLUMNS = (
    "SELECT m.id, m.roles, c.id AS community_id, c.slug AS community_slug, "
    "c.name AS community_name, c.timezone AS community_timezone, "
    "c.currency AS community_currency, c.archived_at AS community_archived_at "
    "FROM linli_member m JOIN linli_community c ON c.id = m.community "
)
_MEMBER_BY_TOKEN = _MEMBER_COLUMNS + "WHERE m.token_hash = {}"
_MEMBER_BY_ID = _MEMBER_COLUMNS + "WHERE m.id = {}"


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


def member_roles(raw: Any) -> frozenset[Role]:
    """A member row's roles (JSON text or a list), ``member`` always among them."""
    roles = json.loads(raw) if isinstance(raw, str) else raw
    return frozenset({Role.MEMBER, *map(Role, roles)})


def _where(row: dict[str, Any]) -> Community:
    if row["community_archived_at"] is not None:
        raise Forbidden(f"community {row['community_slug']!r} is archived")
    return Community(
        id=row["community_id"],
        slug=row["community_slug"],
        name=row["community_name"],
        timezone=row["community_timezone"] or "UTC",
        currency=row["community_currency"] or "CNY",
    )


_CALLERS: LookupCache[str, dict[str, Any]] = LookupCache()
"""A member's row and community by API token hash (or ``member:<id>``), cached per process."""


def forget_callers() -> None:
    """Forget every cached caller: a member's roles or token changed in this process."""
    _CALLERS.clear()


async def _member_row(sql: str, key: str, value: str | int) -> dict[str, Any] | None:
    """The member row ``sql`` finds for ``value``, cached under ``key`` (hits only)."""
    row = _CALLERS.get(key)
    if row is None:
        # Raw SQL: this runs on every call, and Piccolo's join building costs more than it.
        rows = await fetch(Member._meta.db, sql, value)
        row = _CALLERS.put(key, rows[0]) if rows else None
    return row


async def _member_token(token: str, community: str) -> tuple[Community, Caller]:
    hashed = hash_token(token)
    row = await _member_row(_MEMBER_BY_TOKEN, hashed, hashed)
    if row is None:
        raise Unauthorized("the token is not valid")
    if row["community_slug"] != community:
        raise Forbidden(f"you are not a member of community {community!r}")
    return _where(row), Caller(member_id=row["id"], roles=member_roles(row["roles"]))


async def _access_token(token: str, community: str) -> tuple[Community, Caller]:
    try:
        kid = unverified_header(token).get("kid")
        key = await published_key(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidToken("the token's key is not known")
        claims = verify_access_token(token, key["public_jwk"], key["algorithm"], key["issuer"])
    except InvalidToken as exc:
        raise Unauthorized(str(exc)) from exc
    # One indexed lookup covers the token itself and the whole sign-in it belongs to.
    if await RevokedToken.exists().where(RevokedToken.jti.is_in(revocation_keys(claims))):
        raise Unauthorized("the token was revoked")
    if claims.community != community:
        raise Forbidden(f"this token is not for community {community!r}")
    kind, _, ident = claims.subject.partition(":")
    if kind == "member" and ident.isascii() and ident.isdigit() and len(ident) < 19:
        row = await _member_row(_MEMBER_BY_ID, f"member:{ident}", int(ident))
        if row is None or row["community_slug"] != community:
            raise Unauthorized("the token's member no longer exists")
        caller = Caller(member_id=row["id"], roles=member_roles(row["roles"]), scopes=claims.scopes)
        return _where(row), caller
    if kind == "client":
        client = await OAuthClient.select(OAuthClient.community).where(
            OAuthClient.client_id == ident
        )
        if not client:
            raise Unauthorized("the token's client no longer exists")
        record = await get_record(community)
        if client[0]["community"] != record["id"]:
            raise Forbidden(f"this client does not act in community {community!r}")
        if record["archived_at"] is not None:
            raise Forbidden(f"community {community!r} is archived")
        where = community_of(record)
        roles = frozenset({Role.PROVIDER_STAFF})
        return where, Caller(member_id=None, roles=roles, scopes=claims.scopes, client_id=ident)
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


def is_platform_operator(caller: Caller) -> bool:
    """Whether ``caller`` is the platform operator (the ``admin_token``), not a member."""
    return caller.member_id is None and caller.roles == PLATFORM_ROLES


async def access_guard(connection: Any, handler: Any) -> None:
    """A Litestar guard for community routes: authenticate and check ``opt["access"]``.

    ``opt["access"]`` is the route's typed `linli.http.access.Access` (checked when the app was
    built): its roles and its scope (``read`` when it names none). Runs before the request body
    is read, so an anonymous or foreign caller gets 401/403, never a validation error. The
    result is left in ``connection.state.identity`` as ``(community, caller)``.
    """
    access: Access = handler.opt["access"]
    if access.kind == "public":
        return
    settings = connection.app.state.platform.settings
    where, caller = await authenticate(
        connection.headers.get("authorization"),
        connection.path_params["community"],
        settings.admin_token,
        scope=access.scope,
    )
    check_caller(access, caller)
    connection.state.identity = (where, caller)


def check_caller(access: Access, caller: Caller) -> None:
    """Refuse ``caller`` unless they hold what ``access`` asks (a role, the platform operator).

    The one check behind every guarded route, the API's and the operator console's.

    Raises:
        Forbidden: Naming the roles needed, or that the platform operator is.
    """
    if access.kind == "roles" and not caller.has_role(*access.roles):
        raise Forbidden(f"this needs one of the roles: {', '.join(sorted(access.roles))}")
    if access.kind == "platform" and not is_platform_operator(caller):
        raise Forbidden("this needs the platform operator's token")
    if access.kind == "person" and caller.member_id is None:
        raise Forbidden("only a member acts on their own personal data")


async def platform_guard(connection: Any, handler: Any) -> None:
    """A Litestar guard for platform-wide routes (no community in the path).

    Only the platform operator's token (the ``admin_token`` setting) passes: no token is a
    401, any other token (a community operator's included) a 403.
    """
    access: Access = handler.opt["access"]
    if access.kind != "platform":
        raise RuntimeError(f"platform_guard guards platform routes, not {access}")
    token = _bearer(connection.headers.get("authorization"))
    admin_token = connection.app.state.platform.settings.admin_token
    if not admin_token or not hmac.compare_digest(token, admin_token):
        raise Forbidden("this needs the platform operator's token")
