"""Engines from a database URL: SQLite by default, PostgreSQL when the URL says so."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from .cache import clear_lookup_caches
from .raw import PlatformPostgresEngine
from .sqlite import SerializedSQLiteEngine

__all__ = ["close_engine", "make_engine", "start_engine"]


def make_engine(url: str, *, statement_cache_size: int = 100) -> Engine:  # type: ignore[type-arg]
    """The engine for ``url``: ``sqlite:///file.db`` or ``postgresql://...``.

    As with libpq, ``postgresql:///linli?host=/var/run/postgresql`` connects through the Unix
    socket in that directory: on the database's own machine a round trip costs both sides
    less CPU than over TCP on the loopback interface.

    ``statement_cache_size`` (PostgreSQL) is asyncpg's per-connection cache of named prepared
    statements: ``0`` behind PgBouncer in transaction mode, which hands each transaction any
    server connection, where a statement prepared on another one does not exist.
    """
    if url.startswith("sqlite:///"):
        return SerializedSQLiteEngine(path=url.removeprefix("sqlite:///"))
    parts = urlsplit(url)
    if parts.scheme in ("postgres", "postgresql"):
        socket_dir = parse_qs(parts.query).get("host", [""])[0]
        config = {
            "host": socket_dir or parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "user": unquote(parts.username or "postgres"),
            "password": unquote(parts.password or "") or None,
            "database": parts.path.lstrip("/") or "linli",
            "statement_cache_size": statement_cache_size,
        }
        return PlatformPostgresEngine(config={k: v for k, v in config.items() if v is not None})
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:///FILE or postgresql://...")


async def start_engine(
    engine: Engine,  # type: ignore[type-arg]
    *,
    min_size: int = 2,
    max_size: int = 20,
) -> None:
    """Open the engine's pool (PostgreSQL: ``min_size`` to ``max_size`` connections).

    Empties the lookup caches too.
    """
    clear_lookup_caches()  # a database is (re)opened: nothing cached may come from another
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(
            min_size=min(min_size, max_size), max_size=max_size, reset=keep_session
        )


async def keep_session(connection: object) -> None:
    """Return a pooled connection as it is: no reset query on every release.

    asyncpg's default sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET
    ALL`` each time a connection goes back to the pool, one more round trip per call. The
    platform leaves no session state behind (no ``LISTEN``, no session ``SET``, advisory locks
    only per transaction, cursors only inside transactions), and asyncpg still rolls back a
    transaction left open before this runs.
    """


async def close_engine(engine: Engine) -> None:  # type: ignore[type-arg]
    """Close the engine's pool or persistent connection."""
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, SerializedSQLiteEngine):
        await engine.close()
