"""Create and drop databases on a PostgreSQL server, from sync or async code.

The synchronous forms run on a private event loop in a worker thread, so they are safe in sync
fixtures and inside a running loop alike. asyncpg is imported only when a database is made.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

__all__ = ["create_database", "create_database_async", "drop_database", "drop_database_async"]

_T = TypeVar("_T")


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin_url(url: str) -> str:
    return _with_database(url, "postgres")


async def create_database_async(url: str, name: str) -> str:
    """Create database ``name`` on the server of ``url``; return the new database's URL."""
    import asyncpg  # type: ignore[import-untyped]  # imported here: optional

    conn = await asyncpg.connect(_admin_url(url))
    try:
        await conn.execute(f"CREATE DATABASE {_quote_ident(name)} TEMPLATE template0")
    finally:
        await conn.close()
    return _with_database(url, name)


async def drop_database_async(url: str, name: str) -> None:
    """Drop database ``name`` (if it exists), disconnecting anyone still using it."""
    import asyncpg

    conn = await asyncpg.connect(_admin_url(url))
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")
    finally:
        await conn.close()


def _run_coroutine(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run ``coro`` to completion on a private loop in a worker thread.

    A thread keeps us clear of whatever loop pytest-asyncio (or the caller)
    has set or is running on this thread.
    """
    result: list[_T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro))
        except BaseException as exc:
            error.append(exc)

    thread = threading.Thread(target=target, name="linli-postgres-helper")
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


def create_database(url: str, name: str) -> str:
    """Create database ``name`` on the server of ``url``; return the new database's URL.

    Synchronous; safe to call from sync fixtures and from inside a running event loop.
    """
    return _run_coroutine(create_database_async(url, name))


def drop_database(url: str, name: str) -> None:
    """Drop database ``name`` (if it exists), disconnecting anyone still using it."""
    _run_coroutine(drop_database_async(url, name))
