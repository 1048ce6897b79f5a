"""Durable deadlines: scheduled by key in the operation's transaction, run exactly once."""

from __future__ import annotations

import asyncio
from typing import Any

from linli.dispatch.tables import OutboxEvent, ScheduledDeadline
from linli.dispatch.worker import DispatchWorker

BASE = "/v1/communities/{}/modules/timer"


async def enable(running: Any, community: str = "home") -> None:
    who = "operator" if community == "home" else "stranger"
    answer = await running.client.put(
        BASE.format(community), json={"enabled": True}, headers=running.auth(who)
    )
    assert answer.status_code == 200, answer.text


async def call(running: Any, op: str, data: dict[str, Any], who: str = "resident") -> Any:
    community = "other" if who == "stranger" else "home"
    return await running.client.post(
        f"{BASE.format(community)}/{op}", json=data, headers=running.auth(who)
    )


async def fired() -> list[str]:
    rows = (
        await OutboxEvent.select(OutboxEvent.payload)
        .output(load_json=True)
        .where(OutboxEvent.type == "timer.fired")
    )
    return sorted(row["payload"]["key"] for row in rows)


async def drain(worker: DispatchWorker, until: int, seconds: float = 10.0) -> None:
    """Run the worker until ``until`` deadlines fired (or fail after ``seconds``)."""
    for _ in range(int(seconds / 0.02)):
        await worker.run_once()
        if len(await fired()) >= until:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"only {await fired()} fired")


async def test_a_due_deadline_fires_once_and_only_once(start_platform, timer_plugin):
    async with start_platform() as running:
        await enable(running)
        armed = await call(running, "arm", {"keys": ["close-1", "close-2"], "in_seconds": -1})
        assert armed.status_code == 200, armed.text
        later = await call(running, "arm", {"keys": ["later"], "in_seconds": 3600})
        assert later.status_code == 200
        worker = running.platform.worker
        await worker.run_once()
        await worker.run_once()
        assert await fired() == ["close-1", "close-2"]
        rows = await ScheduledDeadline.select().order_by(ScheduledDeadline.key)
        assert [(r["key"], r["status"], r["attempts"]) for r in rows] == [
            ("close-1", "done", 1),
            ("close-2", "done", 1),
            ("later", "pending", 0),
        ]


async def test_scheduling_a_key_again_moves_it_and_cancel_stops_it(start_platform, timer_plugin):
    async with start_platform() as running:
        await enable(running)
        await enable(running, "other")
        await call(running, "arm", {"keys": ["k"], "in_seconds": 3600})
        await call(running, "arm", {"keys": ["k"], "in_seconds": -1})  # moved: now due
        await call(running, "arm", {"keys": ["k"], "in_seconds": 3600}, who="stranger")
        await call(running, "arm", {"keys": ["gone"], "in_seconds": -1})
        cancelled = await call(running, "disarm", {"key": "gone"})
        assert cancelled.json() == {"cancelled": True}
        again = await call(running, "disarm", {"key": "gone"})
        assert again.json() == {"cancelled": False}
        worker = running.platform.worker
        await worker.run_once()
        assert await fired() == ["k"]  # once, in home; the other community's "k" is its own
        rows = await ScheduledDeadline.select(
            ScheduledDeadline.community, ScheduledDeadline.key, ScheduledDeadline.status
        ).order_by(ScheduledDeadline.id)
        assert [(r["community"], r["key"], r["status"]) for r in rows] == [
            (running.home.id, "k", "done"),
            (running.other.id, "k", "pending"),
            (running.home.id, "gone", "cancelled"),
        ]


async def test_a_failing_deadline_is_retried_with_backoff_then_runs_once(
    start_platform, timer_plugin
):
    async with start_platform(dispatch_retry_base_seconds=0.05) as running:
        await enable(running)
        await call(running, "arm", {"keys": ["flaky"], "in_seconds": -1, "fail": 2})
        worker = running.platform.worker
        await worker.run_once()
        row = await ScheduledDeadline.select().first()
        assert (row["status"], row["attempts"]) == ("pending", 1)
        assert "failed" in row["last_error"] or "raised" in row["last_error"]
        await drain(worker, until=1)
        assert timer_plugin and await fired() == ["flaky"]
        row = await ScheduledDeadline.select().first()
        assert (row["status"], row["attempts"]) == ("done", 3)


async def test_a_deadline_that_keeps_failing_is_given_up(start_platform, timer_plugin):
    async with start_platform(dispatch_retry_base_seconds=0.01, dispatch_max_attempts=2) as running:
        await enable(running)
        await call(running, "arm", {"keys": ["doomed"], "in_seconds": -1, "fail": 99})
        worker = running.platform.worker
        for _ in range(20):
            await worker.run_once()
            await asyncio.sleep(0.02)
        row = await ScheduledDeadline.select().first()
        assert (row["status"], row["attempts"]) == ("failed", 2)
        assert await fired() == []


async def test_an_event_published_by_a_failed_operation_is_not_kept(start_platform, timer_plugin):
    async with start_platform() as running:
        await enable(running)
        failed = await call(running, "shout-then-fail", {"text": "x"})
        assert failed.status_code == 500
        texts = await OutboxEvent.select(OutboxEvent.payload).where(
            OutboxEvent.type == "timer.shouted"
        )
        assert texts == []  # the event rolled back with its cause
