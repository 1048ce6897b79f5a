"""Group commit: concurrent writes share transactions, and one bad item fails only itself."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any

from linli.db.group_commit import GroupCommit


class InlineDatabase:
    """A transaction that never pauses (as the embedded SQLite engine runs statements inline)."""

    def __init__(self) -> None:
        self.transactions: list[list[int]] = []

    @asynccontextmanager
    async def transaction(self) -> Any:
        yield

    async def write(self, items: list[int]) -> list[int]:
        if any(item < 0 for item in items):
            raise ValueError("a negative item")
        self.transactions.append(items)
        return [item * 10 for item in items]


async def test_writers_arriving_together_share_one_transaction_on_an_inline_engine() -> None:
    database = InlineDatabase()
    group = GroupCommit(database.write, database.transaction)
    results = await asyncio.gather(*(group.submit(n) for n in range(20)))
    assert results == [n * 10 for n in range(20)]
    assert database.transactions == [list(range(20))]  # not twenty transactions of one


async def test_a_bad_item_fails_alone_and_the_others_are_written() -> None:
    database = InlineDatabase()
    group = GroupCommit(database.write, database.transaction)
    results = await asyncio.gather(*(group.submit(n) for n in (1, -1, 2)), return_exceptions=True)
    assert results[0] == 10 and results[2] == 20
    assert isinstance(results[1], ValueError)
    assert sorted(item for written in database.transactions for item in written) == [1, 2]
