"""The throwaway PostgreSQL server and its fixtures work as promised."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import asyncpg
import pytest
from linli.testing import PostgresServer

_seen_databases: set[str] = set()


async def test_round_trip(postgres_url: str) -> None:
    conn = await asyncpg.connect(postgres_url)
    try:
        await conn.execute("CREATE TABLE listing (id serial PRIMARY KEY, title text NOT NULL)")
        await conn.executemany(
            "INSERT INTO listing (title) VALUES ($1)", [("Bike",), ("Ladder",), ("Ставни",)]
        )
        rows = await conn.fetch("SELECT title FROM listing ORDER BY id")
        assert [row["title"] for row in rows] == ["Bike", "Ladder", "Ставни"]
        assert await conn.fetchval("SELECT upper('ставни')") == "СТАВНИ"
        assert await conn.fetchval("SHOW server_encoding") == "UTF8"
    finally:
        await conn.close()


@pytest.mark.parametrize("run", [1, 2])
async def test_each_test_gets_a_fresh_database(postgres_url: str, run: int) -> None:
    conn = await asyncpg.connect(postgres_url)
    try:
        name = await conn.fetchval("SELECT current_database()")
        tables = await conn.fetchval(
            "SELECT count(*) FROM pg_tables"
            " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
        await conn.execute(f"CREATE TABLE left_behind_by_run_{run} (id int)")
    finally:
        await conn.close()
    assert tables == 0, "the database should start empty"
    assert name not in _seen_databases, "two tests got the same database"
    _seen_databases.add(name)


def test_postgres_url_names_the_session_server(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    assert postgres_url.startswith(f"postgresql://postgres@127.0.0.1:{postgres_server.port}/")
    assert postgres_server.url.endswith("/linli_test")


async def test_server_settings(postgres_server: PostgresServer) -> None:
    conn = await asyncpg.connect(postgres_server.url)
    try:
        settings = {
            name: await conn.fetchval(f"SHOW {name}")
            for name in ("listen_addresses", "fsync", "max_connections", "unix_socket_directories")
        }
    finally:
        await conn.close()
    assert settings["listen_addresses"] == "127.0.0.1"
    assert settings["fsync"] == "off"
    assert settings["max_connections"] == "200"
    assert settings["unix_socket_directories"].startswith(str(postgres_server.directory))


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of sockets in LISTEN state on ``port``, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                found.add(address)
    return found


def test_server_listens_on_loopback_only(postgres_server: PostgresServer) -> None:
    port = postgres_server.port
    # Another loopback address on the same port is refused: nothing listens on 0.0.0.0.
    with pytest.raises(OSError), socket.create_connection(("127.0.0.2", port), timeout=2):
        pass
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    if sys.platform == "linux":
        assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1, little-endian hex
