"""SerializedSQLiteEngine under concurrent writers: in-process, over HTTP, and across processes.

Piccolo's stock SQLite engine fails these with ``database is locked`` (see FINDINGS.md); ours
queues writers on one connection and lets other processes wait on ``busy_timeout``.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from linli.db.sqlite import SerializedSQLiteEngine
from piccolo.columns import Integer
from piccolo.table import Table

pytestmark = pytest.mark.timeout(60)

WRITERS = 64
ROWS_EACH = 10  # 4 plain inserts, then 2 transactions of 3 inserts


class Scribble(Table, tablename="concurrency_scribble"):
    writer = Integer()
    seq = Integer()


@pytest.fixture
async def engine(tmp_path: Path):
    engine = SerializedSQLiteEngine(path=str(tmp_path / "concurrency.db"))
    Scribble._meta.db = engine
    await Scribble.create_table().run()
    yield engine
    await engine.close()


async def _rows() -> set[tuple[int, int]]:
    return {(r["writer"], r["seq"]) for r in await Scribble.select().run()}


async def _writer(engine: SerializedSQLiteEngine, writer: int) -> None:
    for seq in range(4):
        await Scribble.insert(Scribble(writer=writer, seq=seq)).run()
        await asyncio.sleep(0)
    for start in (4, 7):
        async with engine.transaction():
            # read, then write: a deferred transaction would fail here ('database is locked')
            # when another writer commits in between; ours begins IMMEDIATE under the lock
            mine = await Scribble.count().where(Scribble.writer == writer).run()
            assert mine == start
            for seq in range(start, start + 3):
                await Scribble.insert(Scribble(writer=writer, seq=seq)).run()
                await asyncio.sleep(0)  # let other writers queue up on the lock meanwhile


async def test_64_concurrent_writers_all_succeed(engine):
    results = await asyncio.gather(
        *(_writer(engine, w) for w in range(WRITERS)), return_exceptions=True
    )

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    expected = {(w, s) for w in range(WRITERS) for s in range(ROWS_EACH)}
    assert await _rows() == expected
    assert await Scribble.count().run() == WRITERS * ROWS_EACH  # no duplicates either
    assert not engine.lock().locked()


async def test_64_concurrent_http_commands_all_succeed(start_platform):
    async with start_platform() as running:
        enabled = await running.client.put(
            "/v1/communities/home/modules/noticeboard",
            json={"enabled": True},
            headers=running.auth("operator"),
        )
        assert enabled.status_code == 200, enabled.text
        url = "/v1/communities/home/modules/noticeboard/post-notice"

        async def post(i: int):
            headers = running.auth("leader")
            if i % 2:  # half of them also write an idempotency record in the same transaction
                headers["Idempotency-Key"] = f"notice-{i}"
            return await running.client.post(url, json={"title": f"notice {i}"}, headers=headers)

        responses = await asyncio.gather(*(post(i) for i in range(WRITERS)))

        assert [r.status_code for r in responses] == [200] * WRITERS, [
            r.text for r in responses if r.status_code != 200
        ]
        assert len({r.json()["id"] for r in responses}) == WRITERS
        listed = await running.client.get(
            "/v1/communities/home/modules/noticeboard/list-notices",
            params={"limit": 100},
            headers=running.auth("resident"),
        )
        assert listed.status_code == 200, listed.text
        titles = sorted(item["title"] for item in listed.json()["items"])
        assert titles == sorted(f"notice {i}" for i in range(WRITERS))


class Boom(Exception):
    pass


async def test_a_failed_transaction_rolls_back_and_releases_the_lock(engine):
    with pytest.raises(Boom):
        async with engine.transaction():
            await Scribble.insert(Scribble(writer=1, seq=1)).run()
            raise Boom

    assert not engine.lock().locked()
    await asyncio.wait_for(Scribble.insert(Scribble(writer=2, seq=2)).run(), timeout=5)
    async with engine.transaction():
        await Scribble.insert(Scribble(writer=3, seq=3)).run()
    assert await _rows() == {(2, 2), (3, 3)}


async def test_a_cancelled_transaction_rolls_back_and_releases_the_lock(engine):
    inside = asyncio.Event()

    async def hang() -> None:
        async with engine.transaction():
            await Scribble.insert(Scribble(writer=1, seq=1)).run()
            inside.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(hang())
    await asyncio.wait_for(inside.wait(), timeout=5)
    waiting = asyncio.create_task(Scribble.insert(Scribble(writer=2, seq=2)).run())
    await asyncio.sleep(0.05)
    assert not waiting.done()  # queued behind the transaction
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    await asyncio.wait_for(waiting, timeout=5)
    assert not engine.lock().locked()
    assert await _rows() == {(2, 2)}


# A second process on the same file, talking plain sqlite3 (its own connection and busy timeout).
OTHER_WRITER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
mode = sys.argv[2]
if mode == "write":
    print("ready", flush=True)
    db.execute("INSERT INTO concurrency_scribble (writer, seq) VALUES (99, 99)")
    print("done", flush=True)
else:  # hold the write lock until told to commit
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO concurrency_scribble (writer, seq) VALUES (98, 98)")
    print("locked", flush=True)
    sys.stdin.readline()
    db.execute("COMMIT")
    print("done", flush=True)
"""


async def _other_process(engine: SerializedSQLiteEngine, mode: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        OTHER_WRITER,
        engine.path,
        mode,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )


async def _line(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    return (await asyncio.wait_for(process.stdout.readline(), timeout=10)).decode().strip()


async def test_another_process_waits_for_our_transaction(engine):
    async with engine.transaction():
        await Scribble.insert(Scribble(writer=1, seq=1)).run()
        other = await _other_process(engine, "write")
        assert await _line(other) == "ready"
        await asyncio.sleep(0.3)
        assert other.returncode is None  # still waiting on the write lock, not failed
    assert await _line(other) == "done"
    assert await asyncio.wait_for(other.wait(), timeout=10) == 0
    assert await _rows() == {(1, 1), (99, 99)}


async def test_we_wait_for_another_process_transaction(engine):
    other = await _other_process(engine, "hold")
    try:
        assert await _line(other) == "locked"
        plain = asyncio.create_task(Scribble.insert(Scribble(writer=1, seq=1)).run())
        await asyncio.sleep(0.3)
        assert not plain.done()  # waiting on busy_timeout, not 'database is locked'
        assert other.stdin is not None
        other.stdin.write(b"commit\n")
        await other.stdin.drain()
        await asyncio.wait_for(plain, timeout=10)
        async with engine.transaction():  # and the lock was given back
            await Scribble.insert(Scribble(writer=2, seq=2)).run()
        assert await _line(other) == "done"
    finally:
        if other.returncode is None:
            other.kill()
        await other.wait()
    assert await _rows() == {(98, 98), (1, 1), (2, 2)}
