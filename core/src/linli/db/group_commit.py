"""Group commit: writes submitted at about the same time share one transaction.

The first writer to arrive opens the transaction and, once it holds it, takes every item queued
meanwhile; the others wait for their own result. Under load a flash sale's post-commit captures
arrive together, and one ``BEGIN … COMMIT`` with multi-row statements serves them all instead of
one each. When a shared transaction fails, each of its items is written again alone, so one bad
item fails only its own submitter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

__all__ = ["GroupCommit"]

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    """Batches concurrent ``submit`` calls into shared transactions of ``transaction()``.

    ``write`` runs inside the transaction and returns one result per item, in order.
    """

    def __init__(
        self,
        write: Callable[[list[Item]], Awaitable[list[Result]]],
        transaction: Callable[[], Any],
    ) -> None:
        self._write = write
        self._transaction = transaction
        self._queue: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writing = False

    async def submit(self, item: Item) -> Result:
        """Write ``item`` with whatever else is queued now; its result (or its error)."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if not self._writing:
            self._writing = True
            try:
                # Let the tasks already runnable submit first: an engine that runs statements
                # inline (SQLite) never pauses while its lock is free, so the first writer
                # would otherwise always write alone.
                await asyncio.sleep(0)
                while self._queue:
                    await self._write_queued()
            finally:
                self._writing = False
        return await future

    async def _write_queued(self) -> None:
        batch: list[tuple[Item, asyncio.Future[Result]]] = []
        try:
            async with self._transaction():
                batch, self._queue = self._queue, []
                results = await self._write([item for item, _ in batch])
        except Exception as exc:
            if len(batch) > 1:  # one of them failed the shared write: each alone
                for item, future in batch:
                    await self._write_alone(item, future)
                return
            batch = batch or self._queue  # the transaction itself could not start
            self._queue = [] if batch is self._queue else self._queue
            for _, future in batch:
                future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)

    async def _write_alone(self, item: Item, future: asyncio.Future[Result]) -> None:
        try:
            async with self._transaction():
                (result,) = await self._write([item])
        except Exception as exc:
            future.set_exception(exc)
        else:
            future.set_result(result)
