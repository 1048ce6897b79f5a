"""The outbox: events committed with their cause, delivered to modules' ``linli_event``."""

from __future__ import annotations

import asyncio

from linli.dispatch.events.outbox import replay
from linli.dispatch.ports import record_event
from linli.dispatch.tables import EventDelivery, OutboxEvent
from linli.testing import sqlite_statements
from test_dispatch_deadlines import call, enable


async def test_an_event_is_in_the_outbox_and_delivered_right_after_commit(
    start_platform, timer_plugin
):
    async with start_platform() as running:
        await enable(running)
        await call(running, "shout", {"text": "hi"})
        (event,) = await OutboxEvent.select().where(OutboxEvent.type == "timer.shouted")
        assert (event["community"], event["status"], event["module"]) == (
            running.home.id,
            "fanned",
            "timer",
        )
        assert timer_plugin and [t for t, _ in _heard()] == ["timer.shouted"]
        (delivery,) = await EventDelivery.select()
        assert (delivery["target"], delivery["status"]) == ("module:timer", "delivered")
        await running.platform.worker.run_once()
        assert len(_heard()) == 1  # the worker does not deliver it again


async def test_a_failing_hook_is_retried_by_the_worker_with_the_same_event_id(
    start_platform, timer_plugin
):
    async with start_platform(dispatch_retry_base_seconds=0.05) as running:
        await enable(running)
        answer = await call(running, "shout", {"text": "flaky", "fail": 2})
        assert answer.status_code == 200  # the call does not fail with its listener
        assert _heard() == []
        worker = running.platform.worker
        deadline = asyncio.get_running_loop().time() + 10  # two retries, 50 + 100 ms apart
        while not _heard() and asyncio.get_running_loop().time() < deadline:
            await worker.run_once()
            await asyncio.sleep(0.02)
        ((kind, event_id),) = _heard()
        (event,) = await OutboxEvent.select().where(OutboxEvent.type == "timer.shouted")
        assert (kind, event_id) == ("timer.shouted", event["event_id"])
        (delivery,) = await EventDelivery.select()
        assert (delivery["status"], delivery["attempts"]) == ("delivered", 3)

        assert await replay(running.home, event_id) == 1
        await worker.run_once()
        assert [i for _, i in _heard()] == [event_id, event_id]  # a replay: the same id


async def test_an_event_committed_by_a_process_that_died_is_delivered_by_the_worker(
    start_platform, timer_plugin
):
    async with start_platform() as running:
        await enable(running)
        # committed, then the process died before its fast path delivered anything
        event = await record_event(running.home, "timer", "timer.shouted", {"text": "orphan"})
        assert _heard() == []
        await running.platform.worker.run_once()
        assert _heard() == [("timer.shouted", event.id)]
        (row,) = await OutboxEvent.select(OutboxEvent.status)
        assert row["status"] == "fanned"


def _heard() -> list[tuple[str, str]]:
    import linli_dispatch_timer

    return list(linli_dispatch_timer.HEARD)


async def test_an_event_nobody_receives_costs_no_fan_out_after_its_call(start_platform):
    """A notice posted where no module listens and no webhook subscribes: its event is written
    as fanned out in the call's transaction, and nothing runs after the commit."""
    async with start_platform(modules=["noticeboard"]) as running:
        async with sqlite_statements(running.platform.engine) as statements:
            posted = await running.client.post(
                "/v1/communities/home/modules/noticeboard/post-notice",
                json={"title": "Water off Tuesday"},
                headers=running.auth("leader"),
            )
        assert posted.status_code == 200, posted.text
        (event,) = await OutboxEvent.select().where(OutboxEvent.type == "noticeboard.notice_posted")
        assert event["status"] == "fanned"
        assert await EventDelivery.count() == 0
        # one transaction: the notice and its event commit together, nothing after
        assert sum(statement.startswith("BEGIN") for statement in statements) == 1, statements
