"""A SQLite engine for Piccolo that does not fail under concurrent writers.

Piccolo's own SQLite engine opens a new connection for every query, so concurrent writers
collide on SQLite's file lock (``database is locked``) and each insert pays for a fresh
connection. This engine keeps one persistent connection in WAL mode with
``synchronous=NORMAL`` and serialises its use with an asyncio lock: a query outside a
transaction takes the lock for itself; a transaction takes it from ``BEGIN IMMEDIATE`` to
``COMMIT``, so writers queue in the process instead of failing in the file. Other processes
(``linli migrate`` beside a running server) wait on ``busy_timeout``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

__all__ = ["SerializedSQLiteEngine"]

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
)


class _SerializedTransaction(SQLiteTransaction):
    """A transaction on the engine's one connection, holding its lock until it ends."""

    engine: SerializedSQLiteEngine

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        await self.engine.lock().acquire()
        try:
            self.connection = await self.engine.connection()
            await self.begin()
        except BaseException:
            self.engine.lock().release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def begin(self) -> None:
        # Writers queue on the lock; IMMEDIATE makes another process wait rather than fail later.
        kind = (
            TransactionType.immediate
            if self.transaction_type is not TransactionType.exclusive
            else self.transaction_type
        )
        await self.connection.execute(f"BEGIN {kind.value}")

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()  # type: ignore[no-untyped-call]
            elif not self._committed and not self._rolled_back:
                await self.commit()  # type: ignore[no-untyped-call]
        finally:
            self.engine.current_transaction.reset(self.context)
            self.engine.lock().release()
        return exception is None


class SerializedSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine on one persistent, lock-serialised WAL connection."""

    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._connection: aiosqlite.Connection | None = None
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def lock(self) -> asyncio.Lock:
        """The lock that serialises use of the connection (one per event loop)."""
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            if self._connection is not None:  # opened on a loop that is gone: stop its thread
                self._connection.stop()
            self._lock, self._loop, self._connection = asyncio.Lock(), loop, None
        return self._lock

    async def connection(self) -> aiosqlite.Connection:
        """The persistent connection, opened on first use (call with the lock held)."""
        if self._connection is None:
            connection = await aiosqlite.connect(**self.connection_kwargs)
            connection.row_factory = dict_factory  # type: ignore[assignment]
            for pragma in _PRAGMAS:
                await connection.execute(pragma)
            self._connection = connection
        return self._connection

    async def close(self) -> None:
        """Close the persistent connection (the next query reopens it)."""
        if self._connection is not None:
            if self._loop is asyncio.get_running_loop():
                async with self.lock():
                    await self._connection.close()
            else:  # opened on another event loop: stop its thread without awaiting it
                self._connection.stop()
        self._connection = None

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        """A transaction that holds the connection from ``BEGIN IMMEDIATE`` to its end."""
        return _SerializedTransaction(self, transaction_type, allow_nested)

    async def _execute(self, connection: aiosqlite.Connection, query: str, args: list[Any]) -> Any:
        # One round trip to the connection's thread (execute + fetchall + close in one call).
        return await connection.execute_fetchall(query, args)

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        async with self.lock():
            return await self._execute(await self.connection(), query, args or [])

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        return await self._execute(connection, query, args or [])
