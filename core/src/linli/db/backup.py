"""``linli backup``: a consistent copy of the platform's database, taken while it serves.

- SQLite: SQLite's online backup API (``sqlite3.Connection.backup``) copies the database
  page by page into a new file, consistent at one moment even while the server writes. The
  copy is written beside the target and renamed into place when complete.
- PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot; restore it with
  ``pg_restore``). ``pg_dump`` must be on ``PATH`` and at least as new as the server.

Restoring is described in ``docs/operating.md``: stop the platform, put the copy in place
(SQLite) or ``pg_restore`` it into an empty database (PostgreSQL), start the platform.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["BackupFailed", "BackupResult", "backup"]

PAGES_PER_STEP = 1024
"""SQLite pages copied per step of the online backup (the server may write in between)."""


class BackupFailed(RuntimeError):
    """The backup could not be taken; the message says why in one line."""


@dataclass(frozen=True)
class BackupResult:
    """A backup taken: where it is, how large, and how it was made."""

    path: Path
    size: int
    method: str


def _target(path: Path) -> Path:
    if path.exists():
        raise BackupFailed(f"{path} already exists: choose a new file")
    if not path.parent.is_dir():
        raise BackupFailed(f"{path.parent} is not a directory")
    return path


def _sqlite(source: Path, target: Path, progress: Callable[[int, int], None] | None) -> None:
    if not source.is_file():
        raise BackupFailed(f"no SQLite database at {source}")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)

    def step(status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst, pages=PAGES_PER_STEP, progress=step)
        os.replace(partial, target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupFailed(f"SQLite backup failed: {exc}") from exc


def _pg_dump(url: str, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupFailed("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    partial = target.with_name(f".{target.name}.partial")
    done = subprocess.run(
        [pg_dump, "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={url}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise BackupFailed(f"pg_dump failed: {last}")
    os.replace(partial, target)


async def backup(
    database_url: str, path: Path, *, progress: Callable[[int, int], None] | None = None
) -> BackupResult:
    """Copy the database at ``database_url`` into the new file ``path``.

    Args:
        database_url: ``sqlite:///FILE`` or ``postgresql://...`` (the platform's setting).
        path: Where the copy goes; must not exist, its directory must.
        progress: Told ``(pages done, pages in all)`` as a SQLite backup goes.

    Raises:
        BackupFailed: With a one-line reason (the target exists, no such database,
            ``pg_dump`` missing or refused...).
    """
    target = _target(path)
    scheme = urlsplit(database_url).scheme
    if database_url.startswith("sqlite:///"):
        source = Path(database_url.removeprefix("sqlite:///"))
        await asyncio.to_thread(_sqlite, source, target, progress)
        method = "sqlite online backup"
    elif scheme in ("postgres", "postgresql"):
        await asyncio.to_thread(_pg_dump, database_url, target)
        method = "pg_dump (custom format)"
    else:
        raise BackupFailed(f"cannot back up {scheme or database_url!r}: not SQLite or PostgreSQL")
    return BackupResult(path=target, size=target.stat().st_size, method=method)
