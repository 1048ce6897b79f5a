"""The platform behind PgBouncer in transaction mode, as docs/deploying.md sets it up.

PgBouncer hands each transaction whichever server connection is free, so a statement asyncpg
prepared (and cached by name) on one is missing on the next: with
``LINLI_DATABASE_STATEMENT_CACHE_SIZE=0`` every request succeeds, with the default cache some
fail. Needs ``pgbouncer`` (Debian's package; ``scripts/install-test-deps.sh`` installs it).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from linli.testing.plugin import on_ci

pytestmark = pytest.mark.usefixtures("fixture_plugins")

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


@pytest.fixture
def pgbouncer_url(postgres_url: str) -> Iterator[str]:
    """``postgres_url`` through a PgBouncer in transaction mode with 3 server connections."""
    if not os.access(PGBOUNCER, os.X_OK):
        if on_ci():
            pytest.fail("pgbouncer is not installed (CI is set)", pytrace=False)
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    target = postgres_url.rsplit("@", 1)[1]  # host:port/database
    host, rest = target.split(":", 1)
    server_port, database = rest.split("/", 1)
    # PgBouncer refuses to run as root: as root it runs as PostgreSQL's user, in a directory
    # that user can reach (pytest's own are private to root)
    with tempfile.TemporaryDirectory(prefix="linli-pgbouncer-") as where:
        Path(where).chmod(0o777)
        yield from _serve_pgbouncer(Path(where), host, server_port, database, postgres_url)


def _serve_pgbouncer(
    tmp_path: Path, host: str, server_port: str, database: str, postgres_url: str
) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (tmp_path / "users.txt").write_text('"postgres" ""\n')
    (tmp_path / "pgbouncer.ini").write_text(
        f"[databases]\n{database} = host={host} port={server_port} dbname={database}\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {tmp_path}/users.txt\npool_mode = transaction\n"
        f"default_pool_size = 3\nmax_client_conn = 100\nlogfile = {tmp_path}/pgbouncer.log\n"
    )
    user = pwd.getpwnam("postgres").pw_name if os.geteuid() == 0 else None
    process = subprocess.Popen(
        [PGBOUNCER, str(tmp_path / "pgbouncer.ini")],
        user=user,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert process.poll() is None and time.monotonic() < deadline, "pgbouncer did not start"
            time.sleep(0.05)
        yield postgres_url.replace(f":{server_port}/", f":{port}/")
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _post_notices(start_platform, url: str, **settings) -> list[int]:
    """Migrate through the pooler, then post 60 notices, 12 at a time; their status codes."""
    async with start_platform(
        database_url=url, database_pool_min_size=4, database_pool_max_size=4, **settings
    ) as running:
        await running.client.put(
            "/v1/communities/home/modules/noticeboard",
            json={"enabled": True},
            headers=running.auth("operator"),
        )
        codes: list[int] = []
        for batch in range(5):
            responses = await asyncio.gather(
                *(
                    running.client.post(
                        "/v1/communities/home/modules/noticeboard/post-notice",
                        json={"title": f"Notice {batch}-{i}"},
                        headers=running.auth("leader"),
                    )
                    for i in range(12)
                )
            )
            codes += [r.status_code for r in responses]
        return codes


async def test_behind_pgbouncer_with_the_statement_cache_off_every_request_succeeds(
    start_platform, pgbouncer_url
):
    codes = await _post_notices(start_platform, pgbouncer_url, database_statement_cache_size=0)
    assert codes == [200] * 60


async def test_behind_pgbouncer_with_the_default_statement_cache_requests_fail(
    start_platform, pgbouncer_url
):
    codes = await _post_notices(start_platform, pgbouncer_url)
    assert 500 in codes  # 'prepared statement "__asyncpg_stmt_N__" does not exist'
    assert codes.count(200) < 60
