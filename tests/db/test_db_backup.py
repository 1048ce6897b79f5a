"""``linli backup``: a copy taken while the platform runs, restored, and the platform reads it.

SQLite through the online backup API while the platform's engine is open; PostgreSQL through
``pg_dump``, restored with ``pg_restore`` into an empty database on the test server, exactly
as docs/operating.md tells an operator. Bad input is refused in one line.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from linli.db.backup import BackupFailed, backup
from linli.identity.communities import find_community
from linli.identity.members import create_community
from linli.platform import Platform
from linli.settings import Settings
from test_cli import run


async def _communities_seen_by_a_platform_on(url: str) -> dict[str, bool]:
    """Start a platform on ``url`` (as `linli serve` would) and look the communities up."""
    platform = Platform.from_settings(Settings(database_url=url, dispatch_worker=False))
    await platform.start()
    try:
        await platform.migrate()  # the restored schema is current: nothing fails to apply
        found = {slug: await find_community(slug) is not None for slug in ("home", "other", "late")}
    finally:
        await platform.stop()
    return found


async def test_sqlite_backup_while_serving_then_restore(
    start_platform: Any, tmp_path: Path
) -> None:
    copy = tmp_path / "backups" / "linli-copy.db"
    copy.parent.mkdir()
    async with start_platform() as running:
        assert (await running.client.get("/v1/health")).status_code == 200
        made = await backup(running.platform.settings.database_url, copy)
        await create_community("late", "Written after the backup")  # not in the copy
        assert (await running.client.get("/v1/health")).status_code == 200  # still serving
    assert made.path == copy and made.size == copy.stat().st_size > 0
    assert not list(copy.parent.glob(".*partial"))

    # Restore (docs/operating.md): the platform stopped, the copy becomes the database file.
    restored = tmp_path / "restored.db"
    shutil.copyfile(copy, restored)
    seen = await _communities_seen_by_a_platform_on(f"sqlite:///{restored}")
    assert seen == {"home": True, "other": True, "late": False}


async def test_backup_reports_sqlite_progress(start_platform: Any, tmp_path: Path) -> None:
    ticks: list[tuple[int, int]] = []
    async with start_platform() as running:
        url = running.platform.settings.database_url
        await backup(
            url, tmp_path / "b.db", progress=lambda done, total: ticks.append((done, total))
        )
    assert ticks and ticks[-1][0] == ticks[-1][1] > 0


async def test_a_backup_never_overwrites_a_file(database_url: str, tmp_path: Path) -> None:
    existing = tmp_path / "keep.db"
    existing.write_text("precious")
    with pytest.raises(BackupFailed, match="already exists"):
        await backup(database_url, existing)
    assert existing.read_text() == "precious"


@pytest.mark.parametrize(
    ("args", "url", "says"),
    [
        (["backup", "exists.db"], "sqlite:///live.db", "exists.db already exists"),
        (["backup", "no/such/dir/b.db"], "sqlite:///live.db", "no/such/dir is not a directory"),
        (["backup", "b.db"], "sqlite:///missing.db", "no SQLite database at missing.db"),
        (["backup", "b.db"], "mysql://db/linli", "cannot back up 'mysql'"),
    ],
)
def test_the_cli_refuses_bad_input_in_one_line(
    tmp_path: Path, args: list[str], url: str, says: str
) -> None:
    (tmp_path / "exists.db").write_text("")
    (tmp_path / "live.db").write_bytes(b"")
    done = run(args, tmp_path, LINLI_DATABASE_URL=url)
    assert done.returncode == 1
    assert done.stderr.strip() == f"Error: {says}" or says in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1  # a sentence, not a traceback
    assert not (tmp_path / "b.db").exists()


async def test_postgresql_backup_with_pg_dump_then_pg_restore(
    start_platform: Any, postgres_url: str, postgres_server: Any, tmp_path: Path
) -> None:
    if shutil.which("pg_restore") is None or shutil.which("pg_dump") is None:
        pytest.skip("pg_dump and pg_restore are not installed")
    dump = tmp_path / "linli.dump"
    async with start_platform(database_url=postgres_url):
        done = run(["backup", str(dump)], tmp_path, LINLI_DATABASE_URL=postgres_url)
        assert done.returncode == 0, done.stderr
        assert "pg_dump" in done.stdout
        await create_community("late", "Written after the backup")

    # Restore (docs/operating.md): into an empty database, then start the platform on it.
    empty = postgres_server.new_database("restored")
    restore = await asyncio.to_thread(
        subprocess.run,
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={empty}", str(dump)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert restore.returncode == 0, restore.stderr
    seen = await _communities_seen_by_a_platform_on(empty)
    assert seen == {"home": True, "other": True, "late": False}
