"""``linli identity``: OAuth clients, operator accounts, personal-data keys, member scopes."""

from __future__ import annotations

from typing import Any

import click

from .cli_support import run_on_platform as _run
from .identity.communities import get_community
from .platform import Platform

__all__ = ["identity"]


@click.group()
def identity() -> None:
    """The identity service: OAuth clients, operator accounts, personal-data keys."""


@identity.command("add-client")
@click.argument("name")
@click.option("--redirect-uri", "redirect_uris", multiple=True, help="A frontend's redirect URI.")
@click.option("--community", help="A provider back end acting in this community (slug).")
@click.option("--scopes", default="read write profile", show_default=True)
def identity_add_client(
    name: str, redirect_uris: tuple[str, ...], community: str | None, scopes: str
) -> None:
    """Register an OAuth client: a frontend (--redirect-uri) or a back end (--community)."""
    from .identity.clients import register_client

    async def work(platform: Platform) -> str:
        where = await get_community(community) if community else None
        made = await register_client(
            name, redirect_uris=list(redirect_uris) or None, scopes=scopes, community=where
        )
        secret = f"\nclient_secret: {made.client_secret} (shown once)" if made.client_secret else ""
        return f"client_id: {made.client_id}{secret}"

    click.echo(_run(work))


@identity.command("add-operator")
@click.argument("community")
@click.argument("username")
@click.password_option()
def identity_add_operator(community: str, username: str, password: str) -> None:
    """Create an operator of COMMUNITY who signs in with USERNAME and a password."""
    from linli_sdk import Role

    from linli.identity.members import add_member

    from .identity.accounts import create_operator_account, link_member

    async def work(platform: Platform) -> str:
        where = await get_community(community)
        account = await create_operator_account(username, password)
        member = await add_member(where, username, Role.OPERATOR)
        await link_member(account, where, member.id)
        return f"operator {username} (member {member.id}) of {where.slug}"

    click.echo(_run(work))


@identity.command("purge")
def identity_purge() -> None:
    """Delete expired sign-in codes, authorization codes and tokens (run it hourly)."""
    from .identity.housekeeping import purge_expired

    async def work(platform: Platform) -> str:
        counts = await purge_expired()
        return ", ".join(f"{kind}: {count}" for kind, count in counts.items())

    click.echo(_run(work))


@identity.command("reseal")
def identity_reseal() -> None:
    """Re-encrypt personal data with the current (first) key of LINLI_IDENTITY_DATA_KEYS."""
    from .identity.privacy import reseal_personal_data

    async def work(platform: Platform) -> str:
        count = await reseal_personal_data(platform.identity)
        return f"re-encrypted {count} accounts"

    click.echo(_run(work))


def _scope_state(row: dict[str, Any]) -> str:
    state = "granted" if row["granted"] else "revoked" if row["revoked_at"] else "not granted"
    declared = "" if row["declared"] else " (no longer declared)"
    return f"{row['module']} {row['scope']}: {state}{declared}"


@identity.command("grant")
@click.argument("community")
@click.argument("module")
@click.argument("scope")
def identity_grant(community: str, module: str, scope: str) -> None:
    """Let MODULE see SCOPE (members.phone, .unit, .national_id) of COMMUNITY's members."""
    from .identity.member_scopes import grant_scope

    async def work(platform: Platform) -> str:
        where = await get_community(community)
        return _scope_state(await grant_scope(platform.registry, where, module, scope, None))

    click.echo(_run(work))


@identity.command("revoke")
@click.argument("community")
@click.argument("module")
@click.argument("scope")
def identity_revoke(community: str, module: str, scope: str) -> None:
    """Stop MODULE seeing SCOPE of COMMUNITY's members."""
    from .identity.member_scopes import revoke_scope

    async def work(platform: Platform) -> str:
        where = await get_community(community)
        return _scope_state(await revoke_scope(platform.registry, where, module, scope, None))

    click.echo(_run(work))


@identity.command("scopes")
@click.argument("community")
def identity_scopes(community: str) -> None:
    """List the member scopes modules declare, and which are granted in COMMUNITY."""
    from .identity.member_scopes import list_grants

    async def work(platform: Platform) -> str:
        rows = await list_grants(platform.registry, await get_community(community))
        return "\n".join(_scope_state(row) for row in rows) or "no module declares member scopes"

    click.echo(_run(work))
