"""Jobs through the host's dispatch port: offer, accept or decline, lapse, reassign, batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from linli.dispatch.jobs import service as jobs
from linli.dispatch.tables import DispatchJob, OutboxEvent, ScheduledDeadline
from linli_sdk import Conflict
from test_dispatch_deadlines import call, enable

DAY = datetime(2030, 5, 1, tzinfo=UTC)


def at(hour: float) -> datetime:
    return DAY + timedelta(hours=hour)


async def add(running: Any, name: str, **kw: Any) -> int:
    kw.setdefault("skills", ["cleaning"])
    kw.setdefault("availability", [(at(8), at(18))])
    return await jobs.register_worker(running.home, name, **kw)


async def book(running: Any, ref: str, **kw: Any) -> dict[str, Any]:
    data = {
        "ref": ref,
        "skills": ["cleaning"],
        "start": at(9).isoformat(),
        "end": at(12).isoformat(),
    }
    answer = await call(running, "book", {**data, **kw})
    assert answer.status_code == 200, answer.text
    return answer.json()


async def dispatch_events() -> list[tuple[str, dict[str, Any]]]:
    rows = (
        await OutboxEvent.select(OutboxEvent.type, OutboxEvent.payload)
        .output(load_json=True)
        .where(OutboxEvent.type.like("dispatch.%"))
        .order_by(OutboxEvent.id)
    )
    return [(row["type"], row["payload"]) for row in rows]


async def test_a_job_is_offered_to_the_best_worker_and_accepted(start_platform, timer_plugin):
    async with start_platform() as running:
        await enable(running)
        far = await add(running, "Far", location=(3000, 0))
        near = await add(running, "Near", location=(100, 0))
        await add(running, "Wrong skill", skills=["repair"], location=(0, 0))
        ticket = await book(running, "b1")
        assert ticket["status"] == "offered"
        again = await book(running, "b1")
        assert again == ticket  # one job per ref
        job_id = int(ticket["id"])
        row = await DispatchJob.select().where(DispatchJob.id == job_id).first()
        assert row["worker"] == near
        with pytest.raises(Conflict):
            await jobs.respond(running.home, job_id, far, accept=True)
        accepted = await jobs.respond(running.home, job_id, near, accept=True)
        assert accepted.status == "accepted"
        assert (await jobs.respond(running.home, job_id, near, accept=True)).status == "accepted"
        (timeout,) = await ScheduledDeadline.select().where(
            ScheduledDeadline.module == jobs.INTERNAL
        )
        assert timeout["status"] == "cancelled"
        done = await jobs.complete(running.home, job_id, near, at(11))
        assert done.status == "completed"
        types = [t for t, _ in await dispatch_events()]
        assert types == ["dispatch.job_offered", "dispatch.job_accepted", "dispatch.job_completed"]
        assert (await jobs.on_time_rates(running.home))["community"] == 1.0


async def test_a_declined_or_lapsed_offer_goes_to_the_next_worker(start_platform, timer_plugin):
    async with start_platform() as running:
        await enable(running)
        first = await add(running, "First", location=(0, 0))
        second = await add(running, "Second", location=(500, 0))
        ticket = await book(running, "b2")
        job_id = int(ticket["id"])
        declined = await jobs.respond(running.home, job_id, first, accept=False)
        assert declined.status == "offered"
        row = (
            await DispatchJob.select()
            .where(DispatchJob.id == job_id)
            .first()
            .output(load_json=True)
        )
        assert (row["worker"], row["passed_over"]) == (second, [first])

        # the second lets the offer lapse: its durable deadline passes the job on
        await ScheduledDeadline.update({ScheduledDeadline.run_at: 0}).where(
            ScheduledDeadline.key == f"offer:{job_id}"
        )
        await running.platform.worker.run_once()
        row = (
            await DispatchJob.select()
            .where(DispatchJob.id == job_id)
            .first()
            .output(load_json=True)
        )
        assert (row["status"], row["worker"], row["passed_over"]) == (
            "pending",
            None,
            [first, second],
        )
        types = [t for t, _ in await dispatch_events()]
        assert types[-1] == "dispatch.job_pending"


async def test_pending_jobs_are_placed_by_a_batch_rematch(start_platform, timer_plugin):
    async with start_platform() as running:
        await enable(running)
        tickets = [await book(running, f"b{n}") for n in range(3)]
        assert {t["status"] for t in tickets} == {"pending"}  # nobody to offer to yet
        one = await add(running, "One", capacity=2)
        two = await add(running, "Two", location=(5000, 0))
        placed = await jobs.rematch(running.home)
        assert sorted(placed.values()) == sorted([str(one), str(one), str(two)])
        statuses = await DispatchJob.select(DispatchJob.status)
        assert {row["status"] for row in statuses} == {"offered"}
