"""Who is calling: API tokens of members, and the platform operator's token.

A member's token is random, shown once, and stored only as its SHA-256. A token belongs to one
membership, so it only ever opens its own community: tenancy is checked here, on every call.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from linli_sdk import Caller, Community, Forbidden, Role

from .communities import get_community
from .errors import Unauthorized
from .tables import Member

__all__ = ["authenticate", "hash_token", "new_token"]

PLATFORM_ROLES = frozenset(Role)


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


async def authenticate(
    authorization: str | None, community: str, admin_token: str | None
) -> tuple[Community, Caller]:
    """The community ``community`` (a slug) and the caller behind an ``Authorization`` header.

    One query finds a member's token together with the member's community.

    Raises:
        Unauthorized: no token, or one that is not known.
        Forbidden: the token is valid but belongs to another community (whether or not the
            community asked for exists: that is not the caller's to know).
        NotFound: the platform operator asked for a community that does not exist.
    """
    token = _bearer(authorization)
    if admin_token and hmac.compare_digest(token, admin_token):
        return await get_community(community), Caller(member_id=None, roles=PLATFORM_ROLES)
    # Raw SQL: this runs on every call, and Piccolo's join building costs more than the query.
    rows = await Member.raw(
        "SELECT m.id, m.roles, c.id AS community_id, c.slug AS community_slug, "
        "c.name AS community_name FROM linli_member m "
        "JOIN linli_community c ON c.id = m.community WHERE m.token_hash = {}",
        hash_token(token),
    )
    row = rows[0] if rows else None
    if row is None:
        raise Unauthorized("the token is not valid")
    if row["community_slug"] != community:
        raise Forbidden(f"you are not a member of community {community!r}")
    where = Community(
        id=row["community_id"], slug=row["community_slug"], name=row["community_name"]
    )
    roles = json.loads(row["roles"]) if isinstance(row["roles"], str) else row["roles"]
    return where, Caller(member_id=row["id"], roles=frozenset({Role.MEMBER, *map(Role, roles)}))
