"""The ``linli`` command: run the demo, serve, migrate, and manage modules per community."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from .communities import get_community
from .enablement import module_state, require_module, set_module
from .platform import Platform
from .settings import Settings

T = TypeVar("T")


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


def _serve(platform: Platform, *, migrate_on_start: bool = False) -> None:
    import uvicorn

    from .http.app import create_app

    app = create_app(platform=platform, migrate_on_start=migrate_on_start)
    uvicorn.run(app, host=platform.settings.host, port=platform.settings.port, log_level="info")


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
def serve(migrate: bool) -> None:
    """Serve the API (LINLI_HOST, LINLI_PORT, LINLI_DATABASE_URL)."""
    _serve(Platform.from_settings(Settings()), migrate_on_start=migrate)


@main.command()
@click.option("--serve/--no-serve", "then_serve", default=True, help="Serve after seeding.")
def demo(then_serve: bool) -> None:
    """Create the database, seed the demo community, print its URLs and tokens, and serve."""
    from .demo import seed_demo

    async def seed(platform: Platform) -> Any:
        await platform.migrate()
        return await seed_demo(platform)

    community, members = _run(seed)
    settings = Settings()
    base = f"http://{settings.host}:{settings.port}"
    click.echo(f"\nLinli demo community: {community.name} ({community.slug})")
    click.echo(f"  modules:   {base}/v1/modules")
    click.echo(f"  community: {base}/v1/communities/{community.slug}/modules")
    click.echo(f"  API docs:  {base}/docs/api")
    click.echo("  tokens (send as 'Authorization: Bearer <token>'):")
    for m in members:
        roles = ", ".join(m.roles) or "member (not verified)"
        click.echo(f"    {m.display_name:<28} {roles:<24} {m.token}")
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
        state = await set_module(platform.registry, where, module, enabled=enabled, settings=values)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
