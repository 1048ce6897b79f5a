"""Member scopes: which module may see which personal fields of a community's members.

A module declares the scopes it wants (``Manifest.member_scopes``); an operator grants each one
per community, and may revoke it. The host's member lookup (:mod:`.member_port`) fills a field
only for a scope both declared and granted. Every ID number a module is shown is written to
the audit log (``linli_identity_national_id_view``): the member finds it in their data export,
operators and auditors list it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from linli_sdk import MEMBER_SCOPES, Community, InvalidInput, NotFound

from linli.modules.registry import ModuleRegistry

from .personal_data import redact_numbers
from .tables import MemberScopeGrant, NationalIdView

__all__ = [
    "grant_scope",
    "granted_scopes",
    "list_grants",
    "national_id_views",
    "record_national_id_view",
    "revoke_scope",
]

_GRANT_COLUMNS = (
    MemberScopeGrant.module,
    MemberScopeGrant.scope,
    MemberScopeGrant.granted_by,
    MemberScopeGrant.granted_at,
    MemberScopeGrant.revoked_by,
    MemberScopeGrant.revoked_at,
)


def _key(community: Community, module: str, scope: str) -> str:
    return f"{community.id}:{module}:{scope}"


def _declared(registry: ModuleRegistry, module: str) -> frozenset[str]:
    if registry.get(module) is None:
        raise NotFound(f"there is no module {module!r} on this platform")
    return _declared_if_loaded(registry, module)


def _grant_out(row: dict[str, Any], declared: frozenset[str]) -> dict[str, Any]:
    return {
        **row,
        "declared": row["scope"] in declared,
        "granted": row["granted_at"] is not None
        and row["revoked_at"] is None
        and row["scope"] in declared,
    }


async def _grant_row(community: Community, module: str, scope: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await MemberScopeGrant.select(*_GRANT_COLUMNS)
        .where(MemberScopeGrant.scope_key == _key(community, module, scope))
        .first()
    )
    return row


async def grant_scope(
    registry: ModuleRegistry, community: Community, module: str, scope: str, by: int | None
) -> dict[str, Any]:
    """Let ``module`` see ``scope`` of this community's members; granting again changes nothing.

    Raises:
        NotFound: no such module on the platform.
        InvalidInput: not a member scope, or one the module's manifest does not declare.

    """
    if scope not in MEMBER_SCOPES:
        known = ", ".join(sorted(MEMBER_SCOPES))
        raise InvalidInput(f"{scope!r} is not a member scope (use {known})", field="scope")
    declared = _declared(registry, module)
    if scope not in declared:
        raise InvalidInput(f"module {module} does not declare the scope {scope}", field="scope")
    now = datetime.now(UTC)
    key = _key(community, module, scope)
    async with MemberScopeGrant._meta.db.transaction():
        reopened = (
            await MemberScopeGrant.update(
                {
                    MemberScopeGrant.granted_by: by,
                    MemberScopeGrant.granted_at: now,
                    MemberScopeGrant.revoked_by: None,
                    MemberScopeGrant.revoked_at: None,
                }
            )
            .where((MemberScopeGrant.scope_key == key) & MemberScopeGrant.revoked_at.is_not_null())
            .returning(MemberScopeGrant.id)
        )
        if not reopened:
            await MemberScopeGrant.insert(
                MemberScopeGrant(
                    community=community.id,
                    module=module,
                    scope=scope,
                    scope_key=key,
                    granted_by=by,
                    granted_at=now,
                )
            ).on_conflict(action="DO NOTHING")
        row = await _grant_row(community, module, scope)
    assert row is not None
    return _grant_out(row, declared)


async def revoke_scope(
    registry: ModuleRegistry, community: Community, module: str, scope: str, by: int | None
) -> dict[str, Any]:
    """Stop ``module`` seeing ``scope`` here; revoking again changes nothing.

    Raises:
        NotFound: the scope was never granted to the module in this community.

    """
    declared = _declared(registry, module)
    await MemberScopeGrant.update(
        {MemberScopeGrant.revoked_by: by, MemberScopeGrant.revoked_at: datetime.now(UTC)}
    ).where(
        (MemberScopeGrant.scope_key == _key(community, module, scope))
        & MemberScopeGrant.revoked_at.is_null()
    )
    row = await _grant_row(community, module, scope)
    if row is None:
        raise NotFound(f"module {module} was never granted {scope} here")
    return _grant_out(row, declared)


async def list_grants(registry: ModuleRegistry, community: Community) -> list[dict[str, Any]]:
    """Every member scope a loaded module declares or was granted here, and its state."""
    rows = await MemberScopeGrant.select(*_GRANT_COLUMNS).where(
        MemberScopeGrant.community == community.id
    )
    found = {(row["module"], row["scope"]): row for row in rows}
    for name, module in registry.modules.items():
        for scope in module.manifest.member_scopes:
            found.setdefault(
                (name, scope),
                {
                    "module": name,
                    "scope": scope,
                    "granted_by": None,
                    "granted_at": None,
                    "revoked_by": None,
                    "revoked_at": None,
                },
            )
    return [
        _grant_out(row, _declared_if_loaded(registry, name))
        for (name, _), row in sorted(found.items())
    ]


def _declared_if_loaded(registry: ModuleRegistry, module: str) -> frozenset[str]:
    found = registry.get(module)
    return found.manifest.member_scopes if found else frozenset()


async def granted_scopes(community_id: int, module: str) -> frozenset[str]:
    """The member scopes granted (and not revoked) to ``module`` in the community."""
    rows = await MemberScopeGrant.select(MemberScopeGrant.scope).where(
        (MemberScopeGrant.community == community_id)
        & (MemberScopeGrant.module == module)
        & MemberScopeGrant.revoked_at.is_null()
    )
    return frozenset(row["scope"] for row in rows)


async def record_national_id_view(
    community_id: int, module: str, member_id: int, purpose: str
) -> None:
    """Write one unsealed ID number to the audit log (numbers in ``purpose`` are masked)."""
    await NationalIdView.insert(
        NationalIdView(
            community=community_id,
            module=module,
            member=member_id,
            purpose=redact_numbers(purpose)[:200],
            viewed_at=datetime.now(UTC),
        )
    )


async def national_id_views(
    *, community: Community | None = None, members: list[int] | None = None
) -> list[dict[str, Any]]:
    """The audit log of ID numbers shown to modules, newest first: of a community, of members."""
    query = NationalIdView.select(
        NationalIdView.id,
        NationalIdView.community.slug.as_alias("community"),
        NationalIdView.member.as_alias("member_id"),
        NationalIdView.module,
        NationalIdView.purpose,
        NationalIdView.viewed_at,
    ).order_by(NationalIdView.id, ascending=False)
    if community is not None:
        query = query.where(NationalIdView.community == community.id)
    if members is not None:
        query = query.where(NationalIdView.member.is_in(members or [0]))
    rows: list[dict[str, Any]] = await query
    return rows
