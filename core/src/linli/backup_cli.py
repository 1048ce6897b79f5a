"""``linli backup PATH``: the database copied into a new file while the platform runs."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from .db.backup import BackupFailed, backup
from .progress import progress_bar
from .settings import Settings

__all__ = ["backup_command"]


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the database into the new file PATH (safe while serving).

    SQLite: the online backup API. PostgreSQL: pg_dump's custom format, restored
    with pg_restore. See "Backup and restore" in docs/operating.md.
    """

    async def work() -> Any:
        with progress_bar("backing up") as tick:
            return await backup(Settings().database_url, path, progress=tick)

    try:
        made = asyncio.run(work())
    except BackupFailed as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backed up to {made.path} ({made.size} bytes, {made.method})")
