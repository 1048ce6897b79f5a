"""Upkeep on a schedule: chores run when due, and the purge drops only what is past retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from linli.files.store import CoreFiles, upload_id
from linli.files.tables import StoredFile
from linli.identity.tables import OneTimeCode
from linli.tables import IdempotencyRecord
from linli.upkeep import Chore, Upkeep, upkeep_for

PAYOUTS = "/v1/communities/home/settlement/payouts"


async def test_each_chore_runs_when_due_and_a_failure_waits_for_its_next_turn():
    now = [0.0]
    runs: list[str] = []

    async def sweep() -> int:
        runs.append("sweep")
        return 2

    async def broken() -> int:
        runs.append("broken")
        raise RuntimeError("the database is away")

    upkeep = Upkeep([Chore("sweep", 10, sweep), Chore("broken", 60, broken)], clock=lambda: now[0])
    assert await upkeep.run_due() == 2  # both at once on start; the failure is contained
    assert await upkeep.run_due() == 0
    now[0] = 10
    assert await upkeep.run_due() == 2
    now[0] = 60
    await upkeep.run_due()
    assert runs == ["sweep", "broken", "sweep", "sweep", "broken"]
    assert [(c.runs, c.done, c.failures) for c in upkeep.chores] == [(3, 6, 0), (0, 0, 2)]


async def test_the_worker_purges_what_is_past_its_retention(start_platform):
    async with start_platform(
        idempotency_retention_hours=24, upload_retention_days=30, purge_interval_seconds=3600
    ) as running:
        client, home = running.client, running.home
        headers = {**running.auth("operator"), "Idempotency-Key": "batch-1"}
        answer = await client.post(PAYOUTS, headers=headers)  # a command kept under its key
        assert answer.status_code == 200, answer.text
        again = await client.post(PAYOUTS, headers=headers)
        assert again.headers["idempotent-replayed"] == "true"
        await CoreFiles(home, "probe").save(filename="a.jpg", media_type="image/jpeg", content=b"x")
        started = datetime.now(UTC)
        await OneTimeCode.insert(
            OneTimeCode(
                phone_index="p",
                code_hash="h",
                expires_at=started + timedelta(minutes=5),
                created_at=started,
            )
        )
        mono, wall = [0.0], [started]
        worker = running.platform.worker
        worker.upkeep = upkeep_for(running.platform, clock=lambda: mono[0], now=lambda: wall[0])
        await worker.run_once()  # nothing has expired yet
        assert await IdempotencyRecord.count() == 1
        assert await OneTimeCode.count() == 1

        mono[0], wall[0] = 3600, started + timedelta(hours=25)  # the next purge, a day later
        await worker.run_once()
        assert await OneTimeCode.count() == 0  # the sign-in code expired
        assert await IdempotencyRecord.count() == 0  # the key is forgotten after a day
        later = await client.post(PAYOUTS, headers=headers)
        assert later.status_code == 200 and "idempotent-replayed" not in later.headers
        assert await CoreFiles(home, "probe").read(upload_id(b"x")) == b"x"  # kept 30 days

        mono[0], wall[0] = 7200, started + timedelta(days=31)
        await worker.run_once()
        assert await StoredFile.count() == 0  # the upload is past its 30 days
