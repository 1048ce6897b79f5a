"""Nested transactions: a savepoint in the current transaction, or a transaction of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from piccolo.engine.base import Engine

__all__ = ["savepoint"]


@asynccontextmanager
async def savepoint(engine: Engine[Any]) -> AsyncIterator[None]:
    """Run the block in a savepoint of the current transaction; rolled back to it if it raises.

    Without a current transaction the block is a transaction of its own, committed at its end.
    """
    current = engine.current_transaction.get()
    if current is None:
        async with engine.transaction():
            yield
        return
    point = await current.savepoint()
    try:
        yield
    except BaseException:
        await point.rollback_to()
        raise
    finally:
        await point.release()
