"""The ``linli`` command: run the demo, serve, migrate, and manage modules per community."""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from linli.identity.communities import get_community
from linli.modules.enablement import module_state, require_module, set_module

from .backup_cli import backup_command
from .cli_support import run_on_platform
from .identity_cli import identity
from .observe.logs import LogFormat, configure_logging
from .platform import Platform
from .plugin_cli import plugin
from .progress import progress_bar
from .settings import Settings

T = TypeVar("T")
_run = run_on_platform

WORKER_HEALTHCHECK_SECONDS = 60
"""How long uvicorn's supervisor waits for a server process to answer before restarting it."""


def _serve(platform: Platform, *, migrate_on_start: bool = False, workers: int = 1) -> None:
    import uvicorn

    from .http.app import create_app

    host, port = platform.settings.host, platform.settings.port
    # JSON logs: uvicorn's loggers go through the root handler (one format, with request ids)
    logs: dict[str, Any] = {"log_config": None} if platform.settings.log_format == "json" else {}
    if workers == 1:
        app = create_app(platform=platform, migrate_on_start=migrate_on_start)
        uvicorn.run(app, host=host, port=port, log_level="info", **logs)
        return
    if not platform.settings.database_url.startswith(("postgres://", "postgresql://")):
        raise click.UsageError("--workers above 1 needs PostgreSQL: SQLite serialises writes")
    if migrate_on_start:  # once, here, rather than racing in every worker
        click.echo(_run(_migrate), nl=False)
    from .observe.metrics import shared_metrics_dir

    shared_metrics_dir()  # before the workers start: they count requests in one place
    # Each worker process imports the factory and builds its own platform from LINLI_*.
    uvicorn.run(
        "linli.http.app:create_served_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        # a worker imports the whole platform before it answers uvicorn's health checks:
        # on a busy host that takes longer than uvicorn's default of 5 s
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        **logs,
    )


@click.group()
@click.version_option(package_name="linli")
def main() -> None:
    """Linli (邻里): the community service marketplace platform."""
    configure_logging(_log_format())


def _log_format() -> LogFormat:
    try:
        return Settings().log_format
    except ValidationError:  # the command itself reports the bad setting
        return "text"


def _migrate(platform: Platform) -> Awaitable[str]:
    async def work() -> str:
        with progress_bar("migrating") as tick:
            return await platform.migrate(progress=tick)

    return work()


@main.command()
def migrate() -> None:
    """Apply pending migrations of the core and every installed module."""
    click.echo(_run(_migrate), nl=False)


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
    from .demo import (
        DEMO_OPERATOR_PHONE,
        WEB_EXAMPLE_ORIGIN,
        demo_web_client,
        seed_demo,
        sign_in_lines,
    )

    async def seed(platform: Platform) -> Any:
        await platform.migrate()
        return *(await seed_demo(platform)), await demo_web_client()

    community, members, web_client = _run(seed)
    settings = Settings()
    if not settings.cors_origins:
        settings = settings.model_copy(update={"cors_origins": [WEB_EXAMPLE_ORIGIN]})
    operators = ", ".join(settings.platform_operators)
    if not settings.platform_operators:  # Operator Zhou runs the demo platform in the console
        settings = settings.model_copy(update={"platform_operators": [DEMO_OPERATOR_PHONE]})
        operators = f"Operator Zhou, {DEMO_OPERATOR_PHONE}"
    base = settings.base_url
    click.echo(f"\nLinli demo community: {community.name} ({community.slug})")
    click.echo(f"  modules:   {base}/v1/modules")
    click.echo(f"  community: {base}/v1/communities/{community.slug}/modules")
    click.echo(f"  API docs:  {base}/docs/api")
    click.echo(f"  console:   {base}/console  (operators sign in by phone and SMS code;")
    click.echo(f"             platform operators: {operators})")
    click.echo("  tokens (send as 'Authorization: Bearer <token>'):")
    for m in members:
        roles = ", ".join(m.roles) or "member (not verified)"
        click.echo(f"    {m.display_name:<28} {roles:<24} {m.token}")
    click.echo("\n".join(sign_in_lines(base)))
    click.echo("  resident web frontend (example), in another terminal:")
    click.echo(
        f"    uv run python examples/resident_web/serve.py --api {base} --client-id {web_client}"
    )
    click.echo("")
    if then_serve:
        _serve(Platform.from_settings(settings))


main.add_command(backup_command)


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


main.add_command(identity)


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
        with progress_bar("paying out") as tick:
            return await s.pay_out(where, hold=hold, progress=tick)

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

        with progress_bar("reconciling") as tick:
            records = await ledger_records(where.id)
            tick(1, 2)
            theirs = await s.gateway.records(f"linli-c{where.id}-")
            tick(2, 2)
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


main.add_command(plugin)


def _add_network_commands() -> None:
    from .cli_network import communities, network
    from .emergency.cli import emergency
    from .notifications_cli import notifications

    main.add_command(communities)
    main.add_command(network)
    main.add_command(emergency)
    main.add_command(notifications)


_add_network_commands()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
