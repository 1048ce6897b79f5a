"""A SQLite engine for Piccolo that does not fail under concurrent writers.

Piccolo's own SQLite engine opens a new connection for every query, so concurrent writers
collide on SQLite's file lock (``database is locked``) and each insert pays for a fresh
connection. This engine keeps one persistent connection in WAL mode with
``synchronous=NORMAL`` and serialises its use with an asyncio lock: a query outside a
transaction takes the lock for itself; a transaction takes it from ``BEGIN IMMEDIATE`` to
``COMMIT``, so writers queue in the process instead of failing in the file. Other processes
(``linli migrate`` beside a running server) wait on ``busy_timeout``.

The connection runs its statements on the event loop's own thread (:class:`InlineConnection`)
rather than handing each one to a helper thread as aiosqlite does: a small OLTP statement on a
WAL database takes microseconds, the hand-off to a thread and back costs more than that, and
the connection is used by one task at a time anyway. The price is that a long statement holds
the loop, so queries on this engine are bounded (paged lists, indexed lookups).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from .raw import compiled

__all__ = ["InlineConnection", "SerializedSQLiteEngine"]

log = logging.getLogger(__name__)

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 0",  # waiting for another process is done by awaiting, see below
    "PRAGMA wal_autocheckpoint = 0",  # checkpoints run on a thread of their own, see below
)
_CHECKPOINT_EVERY = 100
"""Commits between two checkpoints of the write-ahead log into the database file."""
_BUSY_WAIT_SECONDS = 10.0
"""How long a statement waits for another process's write lock before it fails."""


class InlineConnection:
    """A :mod:`sqlite3` connection with the awaitable surface Piccolo's SQLite code calls.

    Statements run on the calling thread. When another process holds the write lock, SQLite
    answers "busy" at once (``busy_timeout = 0``) and the statement is retried after an
    ``await asyncio.sleep``, so the event loop keeps serving while it waits, for up to
    ``_BUSY_WAIT_SECONDS``.

    Checkpoints (copying the write-ahead log into the database file, with its ``fsync``) are
    the one slow part of a commit: SQLite's automatic checkpoint runs inside whichever
    ``COMMIT`` crosses the threshold. Here every ``_CHECKPOINT_EVERY`` commits a passive
    checkpoint runs on a worker thread with a connection of its own, so the loop never waits
    for the disk; closing the connection checkpoints what is left.
    """

    def __init__(self, database: str, **kwargs: Any) -> None:
        kwargs["isolation_level"] = None  # explicit BEGIN / COMMIT, as Piccolo issues them
        kwargs["check_same_thread"] = False  # one task at a time uses it (the engine's lock)
        self._db: sqlite3.Connection = sqlite3.connect(database, **kwargs)
        self._db.row_factory = dict_factory
        self._database = database
        self._commits = 0
        self._checkpointing: asyncio.Future[None] | None = None

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one statement; its cursor."""
        try:
            cursor = self._db.execute(sql, parameters)
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            cursor = await self._execute_when_free(sql, parameters)
        if sql == "COMMIT":
            self._committed()
        return cursor

    def _committed(self) -> None:
        self._commits += 1
        if self._commits % _CHECKPOINT_EVERY or self._checkpointing is not None:
            return
        self._checkpointing = asyncio.get_running_loop().run_in_executor(
            None, _checkpoint, self._database, "PASSIVE"
        )
        self._checkpointing.add_done_callback(self._checkpointed)

    def _checkpointed(self, done: asyncio.Future[None]) -> None:
        self._checkpointing = None
        if not done.cancelled() and done.exception() is not None:
            log.warning("checkpoint of %s failed: %s", self._database, done.exception())

    async def execute_fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        """Run one statement; every row it returns."""
        return (await self.execute(sql, parameters)).fetchall()

    async def _execute_when_free(self, sql: str, parameters: Sequence[Any]) -> sqlite3.Cursor:
        loop = asyncio.get_running_loop()
        deadline, pause = loop.time() + _BUSY_WAIT_SECONDS, 0.001
        while True:
            await asyncio.sleep(pause)
            try:
                return self._db.execute(sql, parameters)
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or loop.time() >= deadline:
                    raise
            pause = min(pause * 2, 0.05)

    async def commit(self) -> None:
        """Commit the open transaction, if any."""
        if self._db.in_transaction:
            await self.execute("COMMIT")

    async def set_trace_callback(self, callback: Callable[[str], object] | None) -> None:
        """Call ``callback`` with every statement the connection runs (``None`` stops)."""
        self._db.set_trace_callback(callback)

    async def close(self) -> None:
        """Checkpoint the write-ahead log and close the connection."""
        if self._checkpointing is not None:
            await asyncio.wait([self._checkpointing])
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError as exc:  # another process is reading: it checkpoints
            log.info("final checkpoint of %s skipped: %s", self._database, exc)
        self._db.close()

    def stop(self) -> None:
        """Close the connection without awaiting (as aiosqlite's ``stop``)."""
        self._db.close()


def _checkpoint(database: str, mode: str) -> None:
    """Checkpoint ``database``'s write-ahead log from a connection of this thread's own."""
    with closing(sqlite3.connect(database, timeout=0)) as db:
        db.execute(f"PRAGMA wal_checkpoint({mode})")


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) in (
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    ) or ("locked" in str(exc) or "busy" in str(exc))


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
        self._connection: InlineConnection | None = None
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

    async def connection(self) -> InlineConnection:
        """The persistent connection, opened on first use (call with the lock held)."""
        if self._connection is None:
            connection = InlineConnection(**self.connection_kwargs)
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

    async def fetch_sql(self, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        """Run ``sql`` (``{}`` for each argument) in the current transaction if any; its rows.

        The SDK's :class:`linli_sdk.sql.DirectSQL`: compiled once, straight to ``sqlite3``.
        """
        statement = compiled(sql, "sqlite")
        transaction = self.current_transaction.get()
        if transaction is not None:
            rows: list[dict[str, Any]] = await transaction.connection.execute_fetchall(
                statement, args
            )
            return rows
        async with self.lock():
            connection = await self.connection()
            return await connection.execute_fetchall(statement, args)

    async def _execute(self, connection: InlineConnection, query: str, args: list[Any]) -> Any:
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
