"""One call's unit of work: the transaction, the key's record, events and after-commit work."""

from __future__ import annotations

import asyncio

import pytest
from linli.tables import IdempotencyRecord
from linli.unit_of_work import UnitOfWork
from linli_sdk import Caller, InvalidInput, Role
from pydantic import BaseModel


class Answer(BaseModel):
    n: int


def _caller(running, who: str = "operator") -> Caller:
    return Caller(member_id=running.people[who].id, roles=frozenset({Role.OPERATOR}))


async def test_a_repeat_answers_the_first_outcome_and_defers_nothing(start_platform):
    async with start_platform() as running:
        ran: list[str] = []

        def unit() -> UnitOfWork:
            return UnitOfWork(
                running.platform, running.home, _caller(running), "k-1", ("test", "count", 1)
            )

        async def work(tag: str, u: UnitOfWork) -> Answer:
            async def later() -> None:
                ran.append(tag)

            u.after_commit(later)
            return Answer(n=len(ran) + 1)

        first_unit = unit()
        first = await first_unit.answer(lambda: work("first", first_unit))
        again_unit = unit()
        again = await again_unit.answer(lambda: work("again", again_unit))
        assert ran == ["first"]  # the repeat ran nothing, so deferred nothing
        assert again.content == first.content and again_unit.replayed and not first_unit.replayed
        assert again.headers["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first.headers

        other = UnitOfWork(running.platform, running.home, _caller(running), "k-1", ("x",))
        with pytest.raises(InvalidInput, match="Idempotency-Key"):
            await other.answer(lambda: work("other", other))
        assert ran == ["first"]


async def test_a_failed_call_records_nothing_and_runs_no_after_commit_work(start_platform):
    async with start_platform() as running:
        ran: list[str] = []
        unit = UnitOfWork(running.platform, running.home, _caller(running), "k-2", ("fail",))

        async def fail() -> Answer:
            async def later() -> None:
                ran.append("later")

            unit.after_commit(later)
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            await unit.answer(fail)
        assert ran == []
        assert await IdempotencyRecord.count() == 0

        retry = UnitOfWork(running.platform, running.home, _caller(running), "k-2", ("fail",))
        answered = await retry.answer(lambda: _answer(7))  # the key is free to retry
        assert answered.status_code == 200 and not retry.replayed


async def _answer(n: int) -> Answer:
    return Answer(n=n)


async def test_concurrent_first_uses_of_a_key_run_once(start_platform):
    async with start_platform() as running:
        runs: list[int] = []

        async def work() -> Answer:
            runs.append(1)
            await asyncio.sleep(0)
            return Answer(n=len(runs))

        units = [
            UnitOfWork(running.platform, running.home, _caller(running), "k-3", ("race",))
            for _ in range(10)
        ]
        answers = await asyncio.gather(*(u.answer(work) for u in units))
        assert len(runs) == 1
        assert {a.content for a in answers} == {b'{"n":1}'}
        assert sum(u.replayed for u in units) == 9


async def test_keys_belong_to_their_caller(start_platform):
    async with start_platform() as running:

        def unit(who: str) -> UnitOfWork:
            return UnitOfWork(running.platform, running.home, _caller(running, who), "k-4", ("a",))

        mine, theirs = unit("operator"), unit("leader")
        await mine.answer(lambda: _answer(1))
        await theirs.answer(lambda: _answer(2))
        assert not mine.replayed and not theirs.replayed
        assert mine.reference != theirs.reference


@pytest.mark.slow
async def test_concurrent_first_uses_of_a_key_run_once_on_postgres(start_platform, postgres_url):
    async with start_platform(database_url=postgres_url) as running:
        runs: list[int] = []

        async def work() -> Answer:
            runs.append(1)
            await asyncio.sleep(0.01)  # both are inside their transactions at once
            return Answer(n=1)

        units = [
            UnitOfWork(running.platform, running.home, _caller(running), "k-5", ("race",))
            for _ in range(10)
        ]
        answers = await asyncio.gather(*(u.answer(work) for u in units))
        assert {a.content for a in answers} == {b'{"n":1}'}
        assert await IdempotencyRecord.count() == 1
        assert sum(not u.replayed for u in units) == 1
