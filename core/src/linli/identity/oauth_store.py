"""Loading what an OAuth request needs before Authlib runs, and applying what it changed.

Authlib's grants are synchronous; the database is not. So a request's client, code and tokens
are loaded into a :class:`Snapshot` first; the grants read it and record *effects*; the
effects are applied afterwards in one transaction, each one conditional (a code is consumed
only if still unused, a refresh token rotated only if not yet rotated): two concurrent uses of
one code or refresh token cannot both succeed (:class:`Lost`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from linli.identity.auth import hash_token

from ..tables import Community as CommunityRow
from ..tables import Member
from .keys import published_key
from .oauth_models import CODE_TTL, Access, Client, Code, Grantee, Refresh
from .service import IdentityService
from .tables import AuthorizationCode, OAuthClient, RefreshToken, RevokedToken
from .tokens import (
    LEEWAY,
    InvalidToken,
    looks_like_jwt,
    sign_in_revocation,
    unverified_header,
    verify_access_token,
)

__all__ = ["Lost", "Snapshot", "apply_effects", "load_snapshot", "revoke_family"]


@dataclass
class Snapshot:
    """What one request's grant may ask for, loaded beforehand; and what it changes."""

    service: IdentityService
    keys: Any
    clients: dict[str, Client] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    refresh: dict[str, Refresh] = field(default_factory=dict)
    access: dict[str, Access] = field(default_factory=dict)
    effects: list[tuple[str, Any]] = field(default_factory=list)
    family: str | None = None


def _client_id(form: dict[str, str], headers: Any) -> str | None:
    basic = headers.get("authorization", "")
    if basic.lower().startswith("basic "):
        try:
            user = base64.b64decode(basic[6:]).decode().split(":", 1)[0]
        except (ValueError, UnicodeDecodeError):
            return None
        return unquote(user)
    return form.get("client_id")


async def load_snapshot(service: IdentityService, form: dict[str, str], headers: Any) -> Snapshot:
    """Everything the request's grant may ask for; a reused refresh token revokes its family."""
    snapshot = Snapshot(service, await service.keys())
    await _client(snapshot, _client_id(form, headers))
    await _code(snapshot, form.get("code"))
    await _refresh(snapshot, form.get("refresh_token") or form.get("token"))
    await _access(snapshot, form.get("token"))
    presented = snapshot.refresh.get(form.get("refresh_token") or "")
    if form.get("grant_type") == "refresh_token" and presented and presented.revoked:
        # A rotated token came back: assume it leaked, and end the whole sign-in.
        await revoke_family(presented.family, service.settings.identity_access_token_ttl)
    return snapshot


async def _client(snapshot: Snapshot, client_id: str | None) -> None:
    if not client_id or client_id in snapshot.clients:
        return
    row = (
        await OAuthClient.select()
        .output(load_json=True)
        .where(OAuthClient.client_id == client_id)
        .first()
    )
    if row is None:
        return
    community = None
    if row["community"] is not None:
        found = (
            await CommunityRow.select(CommunityRow.slug)
            .where(CommunityRow.id == row["community"])
            .first()
        )
        community = found["slug"] if found else None
    snapshot.clients[client_id] = Client(
        client_id=row["client_id"],
        secret_hash=row["secret_hash"],
        redirect_uris=tuple(row["redirect_uris"]),
        grant_types=tuple(row["grant_types"]),
        scopes=frozenset(row["scopes"].split()),
        community_id=row["community"],
        community=community,
    )


async def _grantee(member_id: int) -> Grantee | None:
    row = (
        await Member.select(Member.id, Member.community, Member.community.slug)
        .where(Member.id == member_id)
        .first()
    )
    if row is None:
        return None
    return Grantee(row["id"], row["community"], row["community.slug"])


async def _code(snapshot: Snapshot, code: str | None) -> None:
    if not code:
        return
    row = (
        await AuthorizationCode.select()
        .where(
            (AuthorizationCode.code_hash == hash_token(code))
            & (AuthorizationCode.expires_at > datetime.now(UTC))
        )
        .first()
    )
    grantee = await _grantee(row["member"]) if row else None
    if row is None or grantee is None:
        return
    snapshot.codes[code] = Code(
        row_id=row["id"],
        client_id=row["client_id"],
        grantee=grantee,
        redirect_uri=row["redirect_uri"],
        scope=row["scope"],
        code_challenge=row["code_challenge"],
        code_challenge_method=row["code_challenge_method"],
    )


async def _refresh(snapshot: Snapshot, token: str | None) -> None:
    if not token:
        return
    row = await RefreshToken.select().where(RefreshToken.token_hash == hash_token(token)).first()
    grantee = await _grantee(row["member"]) if row else None
    if row is None or grantee is None:
        return
    expires = row["expires_at"]
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    snapshot.refresh[token] = Refresh(
        row_id=row["id"],
        family=row["family"],
        client_id=row["client_id"],
        grantee=grantee,
        scope=row["scope"],
        expires_at=expires,
        revoked=row["revoked"],
    )
    snapshot.family = row["family"]


async def _access(snapshot: Snapshot, token: str | None) -> None:
    if not token or not looks_like_jwt(token):
        return
    try:
        kid = unverified_header(token).get("kid")
        key = await published_key(kid) if isinstance(kid, str) else None
        if key is None:
            return
        claims = verify_access_token(token, key["public_jwk"], key["algorithm"], key["issuer"])
    except InvalidToken:
        return
    snapshot.access[token] = Access(claims.jti, claims.client_id, claims.expires_at)


class Lost(Exception):
    """A conditional change found the row already changed: a concurrent or repeated use."""


async def apply_effects(snapshot: Snapshot) -> None:
    """Apply what the grants recorded; :class:`Lost` if a conditional change found no row."""
    settings = snapshot.service.settings
    now = datetime.now(UTC)
    for kind, value in snapshot.effects:
        if kind == "save_code":
            code, client_id, grantee, redirect_uri, scope, challenge, method = value
            await AuthorizationCode.insert(
                AuthorizationCode(
                    community=grantee.community_id,
                    code_hash=hash_token(code),
                    client_id=client_id,
                    member=grantee.member_id,
                    redirect_uri=redirect_uri or "",
                    scope=scope,
                    code_challenge=challenge,
                    code_challenge_method=method,
                    expires_at=now + CODE_TTL,
                )
            )
        elif kind == "consume_code":
            gone = (
                await AuthorizationCode.delete()
                .where(AuthorizationCode.id == value)
                .returning(AuthorizationCode.id)
            )
            if not gone:
                raise Lost
        elif kind == "rotate_refresh":
            changed = (
                await RefreshToken.update({RefreshToken.revoked: True})
                .where(
                    (RefreshToken.id == value) & (RefreshToken.revoked == False)  # noqa: E712
                )
                .returning(RefreshToken.id)
            )
            if not changed:
                raise Lost
        elif kind == "save_refresh":
            refresh, family, client, grantee, scope = value
            await RefreshToken.insert(
                RefreshToken(
                    community=grantee.community_id,
                    token_hash=hash_token(refresh),
                    family=family,
                    client_id=client.client_id,
                    member=grantee.member_id,
                    scope=scope or "",
                    revoked=False,
                    expires_at=now + timedelta(seconds=settings.identity_refresh_token_ttl),
                    created_at=now,
                )
            )
        elif kind == "revoke_family":
            await revoke_family(value, settings.identity_access_token_ttl)
        elif kind == "revoke_access":
            if not await RevokedToken.exists().where(RevokedToken.jti == value.jti):
                await RevokedToken.insert(
                    RevokedToken(
                        jti=value.jti, expires_at=datetime.fromtimestamp(value.expires_at, UTC)
                    )
                )


async def revoke_family(family: str, access_token_ttl: int) -> None:
    """End one sign-in: its refresh tokens and its access tokens.

    Every refresh token descended from the authorization is revoked; its access tokens carry
    the family as ``sid``, recorded as revoked for as long as any of them can still be valid.
    """
    await RefreshToken.update({RefreshToken.revoked: True}).where(RefreshToken.family == family)
    until = datetime.now(UTC) + timedelta(seconds=access_token_ttl + LEEWAY)
    await RevokedToken.insert(
        RevokedToken(jti=sign_in_revocation(family), expires_at=until)
    ).on_conflict(action="DO NOTHING")
