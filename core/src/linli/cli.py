"""The ``linli`` command: run the demo, serve, migrate, and manage modules per community."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from linli.identity.communities import get_community
from linli.modules.enablement import module_state, require_module, set_module

from .platform import Platform
from .settings import Settings

T = TypeVar("T")

WORKER_HEALTHCHECK_SECONDS = 60
"""How long uvicorn's supervisor waits for a server process to answer before restarting it."""


def _run(work: Callable[[Platform], Awaitable[T]]) -> T:
    async def main() -> T:
        platform = Platform.from_settings(Settings())
        await platform.start()
        try:
            return await work(platform)
        finally:
            await platform.stop()

    try:
        return asyncio.run(main())
    except Exception as exc:  # a one-line message, not a traceback
        from linli_sdk import LinliError

        message = exc.detail if isinstance(exc, LinliError) else f"{type(exc).__name__}: {exc}"
        raise click.ClickException(message) from exc


def _serve(platform: Platform, *, migrate_on_start: bool = False, workers: int = 1) -> None:
    import uvicorn

    from .http.app import create_app

    host, port = platform.settings.host, platform.settings.port
    if workers == 1:
        app = create_app(platform=platform, migrate_on_start=migrate_on_start)
        uvicorn.run(app, host=host, port=port, log_level="info")
        return
    if not platform.settings.database_url.startswith(("postgres://", "postgresql://")):
        raise click.UsageError("--workers above 1 needs PostgreSQL: SQLite serialises writes")
    if migrate_on_start:  # once, here, rather than racing in every worker
        click.echo(_run(lambda p: p.migrate()), nl=False)
    # Each worker process imports the factory and builds its own platform from LINLI_*. It
    # answers the supervisor's health check only once Python has started and imported
    # `linli.cli`, which on a busy machine takes longer than uvicorn's 5 s: without room for
    # that the supervisor kills it and starts another, for ever.
    uvicorn.run(
        "linli.http.app:create_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )


@click.group()
@click.version_option(package_name="linli")
def main() -> None:
    """Linli (邻里): the community service marketplace platform."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("piccolo").setLevel(logging.WARNING)


@main.command()
def migrate() -> None:
    """Apply pending migrations of the core and every installed module."""
    click.echo(_run(lambda p: p.migrate()), nl=False)


@main.command()
@click.option("--migrate/--no-migrate", default=True, help="Apply pending migrations first.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Server processes sharing the port (above 1 on PostgreSQL only).",
)
def serve(migrate: bool, workers: int) -> None:
    """Serve the API (LINLI_HOST, LINLI_PORT, LINLI_DATABASE_URL)."""
    _serve(Platform.from_settings(Settings()), migrate_on_start=migrate, workers=workers)


@main.command()
@click.option("--serve/--no-serve", "then_serve", default=True, help="Serve after seeding.")
def demo(then_serve: bool) -> None:
    """Create the database, seed the demo community, print its URLs and tokens, and serve."""
    from .demo import WEB_EXAMPLE_ORIGIN, demo_web_client, seed_demo

    async def seed(platform: Platform) -> Any:
        await platform.migrate()
        return *(await seed_demo(platform)), await demo_web_client()

    community, members, web_client = _run(seed)
    settings = Settings()
    if not settings.cors_origins:
        settings = settings.model_copy(update={"cors_origins": [WEB_EXAMPLE_ORIGIN]})
    base = settings.base_url
    click.echo(f"\nLinli demo community: {community.name} ({community.slug})")
    click.echo(f"  modules:   {base}/v1/modules")
    click.echo(f"  community: {base}/v1/communities/{community.slug}/modules")
    click.echo(f"  API docs:  {base}/docs/api")
    click.echo("  tokens (send as 'Authorization: Bearer <token>'):")
    for m in members:
        roles = ", ".join(m.roles) or "member (not verified)"
        click.echo(f"    {m.display_name:<28} {roles:<24} {m.token}")
    click.echo("  resident web frontend (example), in another terminal:")
    click.echo(
        f"    uv run python examples/resident_web/serve.py --api {base} --client-id {web_client}"
    )
    click.echo("")
    if then_serve:
        _serve(Platform.from_settings(settings))


@main.group()
def modules() -> None:
    """List installed modules; enable or disable them per community."""


@modules.command("list")
@click.option("--community", help="Also show whether each module is enabled in this community.")
def list_modules(community: str | None) -> None:
    """List loaded and refused modules."""

    async def work(platform: Platform) -> list[str]:
        where = await get_community(community) if community else None
        lines = []
        for m in platform.registry.modules.values():
            state = f"  enabled={(await module_state(where, m)).enabled}" if where else ""
            lines.append(f"{m.name:<16} {m.manifest.version:<8} {m.manifest.title}{state}")
        for r in platform.registry.refused:
            lines.append(f"{r.name:<16} REFUSED  {r.reason}")
        return lines

    for line in _run(work):
        click.echo(line)


def _change(community: str, module: str, enabled: bool, settings: str | None) -> None:
    try:
        values = json.loads(settings) if settings else None
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--settings") from exc
    if values is not None and not isinstance(values, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--settings")

    async def work(platform: Platform) -> str:
        where = await get_community(community)
        require_module(platform.registry, module)
        state = await set_module(platform, where, module, enabled=enabled, settings=values)
        word = "enabled" if state.enabled else "disabled"
        return f"{module} {word} in {where.slug}: {state.settings.model_dump_json()}"

    click.echo(_run(work))


@modules.command("enable")
@click.argument("community")
@click.argument("module")
@click.option("--settings", help="Settings as JSON, e.g. '{\"max_pinned\": 5}'.")
def enable(community: str, module: str, settings: str | None) -> None:
    """Enable MODULE in COMMUNITY (with optional settings)."""
    _change(community, module, True, settings)


@modules.command("disable")
@click.argument("community")
@click.argument("module")
def disable(community: str, module: str) -> None:
    """Disable MODULE in COMMUNITY (its data is kept)."""
    _change(community, module, False, None)


@main.group()
def dispatch() -> None:
    """The dispatch service: its worker (deadlines, events, webhooks)."""


@dispatch.command("work")
def dispatch_work() -> None:
    """Run a dispatch worker until stopped (PostgreSQL: run as many as you like)."""
    _run(lambda platform: platform.worker.run())


@main.group()
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


@main.group("ledger")
def settlement() -> None:
    """Settlement's ledger: sweep intents, pay out, reconcile, statements."""


def _settlement_run(community: str, work: Callable[[Any, Any], Awaitable[T]]) -> T:
    async def run(platform: Platform) -> T:
        return await work(platform.settlement, await get_community(community))

    return _run(run)


@settlement.command("sweep")
@click.argument("community")
def settlement_sweep(community: str) -> None:
    """Carry out COMMUNITY's pending gateway intents (after a crash or an outage)."""
    done = _settlement_run(community, lambda s, where: s.sweep(where.id))
    click.echo(f"carried out {done} gateway intents")


@settlement.command("payouts")
@click.argument("community")
def settlement_payouts(community: str) -> None:
    """Pay each payee of COMMUNITY what is settled and past the hold (safe to repeat)."""
    from datetime import timedelta

    async def work(s: Any, where: Any) -> Any:
        hold = timedelta(seconds=Settings().settlement_payout_hold_seconds)
        return await s.pay_out(where, hold=hold)

    paid = _settlement_run(community, work)
    for payout in paid:  # kind: payout, clawback (a reversal) or clawback_pending
        click.echo(f"{payout.kind}\t{payout.account}\t{payout.amount}")
    click.echo(f"{sum(p.kind == 'payout' for p in paid)} payouts")


@settlement.command("reconcile")
@click.argument("community")
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
def settlement_reconcile(community: str, as_json: bool) -> None:
    """Compare COMMUNITY's ledger with the gateway's records; exit 1 on any difference."""

    async def work(s: Any, where: Any) -> Any:
        from linli.settlement.statements import ledger_records

        with click.progressbar(length=2, label="reconciling", file=sys.stderr) as bar:
            records = await ledger_records(where.id)
            bar.update(1)
            theirs = await s.gateway.records(f"linli-c{where.id}-")
            bar.update(1)
        from .settlement.reconciliation import compare

        return compare(records, theirs)

    differences = _settlement_run(community, work)
    if as_json:
        click.echo(json.dumps([d.model_dump(mode="json") for d in differences], indent=2))
    else:
        for d in differences:
            click.echo(f"{d.kind}\t{d.key}\tledger: {d.ledger}\tgateway: {d.gateway}")
        click.echo(f"{len(differences)} differences")
    if differences:
        sys.exit(1)


@settlement.command("statement")
@click.argument("community")
@click.argument("account")
@click.option("--csv", "as_csv", is_flag=True, help="CSV instead of JSON.")
def settlement_statement(community: str, account: str, as_csv: bool) -> None:
    """Print ACCOUNT's statement in COMMUNITY (e.g. payable:leader:12)."""
    from linli.settlement.statements import statement, statement_csv

    async def work(s: Any, where: Any) -> Any:
        return s, await statement(where.id, account)

    service, lines = _settlement_run(community, work)
    if as_csv:
        click.echo(statement_csv(lines, test_money=service.gateway.test_money), nl=False)
    else:
        click.echo(json.dumps([line.model_dump(mode="json") for line in lines], indent=2))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
