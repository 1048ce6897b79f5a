"""``linli plugin``: write a new module's package; install modules from outside the workspace."""

from __future__ import annotations

from pathlib import Path

import click

from .settings import Settings


@click.group()
def plugin() -> None:
    """Write new modules; install modules into the modules directory (LINLI_MODULES_DIR)."""


@plugin.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "where",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the package (default: ./linli-NAME).",
)
@click.option("--title", help="The module's title for operators.")
@click.option("--description", help="One sentence on what the module does.")
def new(name: str, where: Path | None, title: str | None, description: str | None) -> None:
    """Write the package of a new module NAME: manifest, a command, a query, a table, tests."""
    from linli_sdk.scaffold import new_module

    where = where or Path(f"linli-{name.replace('_', '-')}")
    try:
        new_module(name, where, title=title, description=description)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    click.echo(f"wrote {where}")
    click.echo(f"  test it:    cd {where} && uv run pytest")
    click.echo(f"  install it: linli plugin install {where}")


@plugin.command("install")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-e", "--editable", is_flag=True, help="Run from SOURCE's files (for development).")
def install_module(source: Path, editable: bool) -> None:
    """Install the module project at SOURCE into the modules directory (kept by uv sync)."""
    from .modules.install import InstallFailed, install

    directory = Settings().modules_dir
    if directory is None:
        raise click.UsageError("LINLI_MODULES_DIR is empty: set it to a directory")
    try:
        done = install(source, directory, editable=editable)
    except InstallFailed as exc:
        raise click.ClickException(str(exc)) from exc
    names = ", ".join(done.modules)
    click.echo(f"installed {done.distribution} {done.version} into {directory}: {names}")
    click.echo(f"  enable it:  linli modules enable COMMUNITY {done.modules[0]}")


@plugin.command("remove")
@click.argument("distribution")
def remove_module(distribution: str) -> None:
    """Remove DISTRIBUTION (e.g. linli-toolbox) from the modules directory; its data is kept."""
    from .modules.install import InstallFailed, uninstall

    directory = Settings().modules_dir
    if directory is None or not directory.is_dir():
        raise click.UsageError(f"there is no modules directory ({directory})")
    try:
        uninstall(distribution, directory)
    except InstallFailed as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"removed {distribution} from {directory}")
