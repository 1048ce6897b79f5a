"""PostgreSQL behind a pooler: the pool's size and asyncpg's statement cache come from settings."""

from __future__ import annotations

from typing import Any

import pytest
from linli.db.raw import fetch
from linli.platform import Platform
from linli.settings import Settings

pytestmark = pytest.mark.usefixtures("fixture_plugins")


async def _named_statements_left(url: str, **settings: Any) -> int:
    """Run a parameterised query through a one-connection pool; count the named prepared
    statements that stay on that server connection (what PgBouncer in transaction mode cannot
    carry to the next transaction, which may run on another server connection)."""
    platform = Platform.from_settings(
        Settings(database_url=url, database_pool_min_size=1, database_pool_max_size=1, **settings)
    )
    await platform.start()
    try:
        pool = platform.engine.pool  # type: ignore[attr-defined]
        assert pool.get_max_size() == 1
        assert (await fetch(platform.engine, "SELECT {}::int AS n", 7)) == [{"n": 7}]
        rows = await fetch(platform.engine, "SELECT count(*) AS n FROM pg_prepared_statements")
        return int(rows[0]["n"])
    finally:
        await platform.stop()


async def test_statement_cache_off_leaves_no_prepared_statement_on_the_connection(
    postgres_url, monkeypatch
):
    monkeypatch.setenv("LINLI_DATABASE_STATEMENT_CACHE_SIZE", "0")  # as the env file sets it
    assert await _named_statements_left(postgres_url) == 0


async def test_statement_cache_on_by_default_keeps_prepared_statements(postgres_url):
    assert await _named_statements_left(postgres_url) > 0


async def test_a_url_naming_a_socket_directory_connects_through_the_unix_socket(
    postgres_server, postgres_url
):
    name = postgres_url.rsplit("/", 1)[1]
    socket_dir = postgres_server.directory / "socket"
    url = f"postgresql://postgres@:{postgres_server.port}/{name}?host={socket_dir}"
    platform = Platform.from_settings(Settings(database_url=url))
    await platform.start(migrate_first=True)
    try:
        # a Unix-socket client has no address: inet_client_addr() is NULL
        rows = await fetch(platform.engine, "SELECT inet_client_addr() IS NULL AS local")
        assert rows == [{"local": True}]
    finally:
        await platform.stop()
