"""The kit's dispatch jobs: a module follows its jobs and completes them, as on the platform."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from linli_sdk import (
    Conflict,
    Context,
    Event,
    Host,
    InvalidInput,
    JobRequest,
    JobTicket,
    Manifest,
    NotFound,
    Role,
    command,
    hookimpl,
    query,
)
from linli_sdk.testing import PluginKit
from pydantic import BaseModel

START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


class Ref(BaseModel):
    ref: str = "visit-1"


class JobRef(BaseModel):
    job_id: str
    fail_after: bool = False


def make_plugin() -> SimpleNamespace:
    heard: list[tuple[str, dict[str, object]]] = []

    @command(Role.RESIDENT)
    async def book(ctx: Context[BaseModel], data: Ref) -> JobTicket:
        return await ctx.host.dispatch.submit(
            JobRequest(
                ref=data.ref,
                window_start=ctx.now,
                window_end=ctx.now + timedelta(hours=2),
                duration=timedelta(hours=1),
            )
        )

    @query(Role.MEMBER)
    async def job(ctx: Context[BaseModel], data: JobRef) -> JobTicket:
        return await ctx.host.dispatch.get(data.job_id)

    @command(Role.PROVIDER_STAFF)
    async def finish(ctx: Context[BaseModel], data: JobRef) -> JobTicket:
        done = await ctx.host.dispatch.complete(data.job_id, at=ctx.now)
        if data.fail_after:
            raise Conflict("the door was the wrong one after all")
        return done

    @hookimpl
    async def linli_event(host: Host, event: Event) -> None:
        if event.type.startswith("dispatch."):
            assert event.module is None  # the platform's own event
            heard.append((event.type, dict(event.payload)))

    manifest = Manifest(
        name="visits",
        version="1.0.0",
        sdk=">=1.0,<2",
        title="Visits",
        operations=(book, job, finish),
    )
    return SimpleNamespace(manifest=manifest, linli_event=linli_event, heard=heard)


@pytest.fixture
def kit() -> PluginKit:
    return PluginKit(make_plugin(), now=START)


async def test_a_job_is_followed_from_pending_to_accepted_with_its_worker(kit: PluginKit) -> None:
    resident = kit.add_member("Resident", Role.RESIDENT)
    worker = kit.add_member("Worker Li", Role.PROVIDER_STAFF)
    ticket = await kit.call("book", {}, as_=resident)
    assert isinstance(ticket, JobTicket)
    pending = await kit.call("job", {"job_id": ticket.id}, as_=resident)
    assert (pending.status, pending.worker_member_id) == ("pending", None)

    offered = await kit.offer_job("visit-1", worker)
    assert (offered.status, offered.worker_member_id, offered.offered_at) == (
        "offered", worker.id, START,
    )  # fmt: skip
    await kit.accept_job("visit-1", worker)
    seen = await kit.call("job", {"job_id": ticket.id}, as_=resident)
    assert (seen.status, seen.worker_member_id, seen.completed_at) == ("accepted", worker.id, None)
    assert [type for type, _ in kit.plugin.heard] == [
        "dispatch.job_offered",
        "dispatch.job_accepted",
    ]
    assert kit.plugin.heard[-1][1] == {
        "job": int(ticket.id), "ref": "visit-1", "module": "visits", "worker": worker.id,
    }  # fmt: skip
    assert await kit.accept_job("visit-1", worker) == seen  # accepting again answers the same
    other = kit.add_member("Worker Zhao", Role.PROVIDER_STAFF)
    with pytest.raises(Conflict):
        await kit.accept_job("visit-1", other)


async def test_completing_in_the_window_is_on_time_and_happens_once(kit: PluginKit) -> None:
    resident = kit.add_member("Resident", Role.RESIDENT)
    worker = kit.add_member("Worker Li", Role.PROVIDER_STAFF)
    ticket = await kit.call("book", {}, as_=resident)
    with pytest.raises(Conflict) as refused:
        await kit.call("finish", {"job_id": ticket.id}, as_=worker)
    assert refused.value.extensions == {"reason": "not_accepted"}
    await kit.accept_job("visit-1", worker)
    await kit.advance(timedelta(minutes=90))

    done = await kit.call("finish", {"job_id": ticket.id}, as_=worker)
    assert isinstance(done, JobTicket)
    assert (done.status, done.on_time) == ("completed", True)
    assert done.completed_at == START + timedelta(minutes=90)
    await kit.advance(timedelta(hours=3))
    again = await kit.call("finish", {"job_id": ticket.id}, as_=worker)
    assert again == done  # the first completion stands
    completed = [p for t, p in kit.plugin.heard if t == "dispatch.job_completed"]
    assert completed == [
        {"job": int(ticket.id), "ref": "visit-1", "module": "visits", "worker": worker.id,
         "on_time": True},
    ]  # fmt: skip


async def test_completing_after_the_window_is_late(kit: PluginKit) -> None:
    resident = kit.add_member("Resident", Role.RESIDENT)
    worker = kit.add_member("Worker Li", Role.PROVIDER_STAFF)
    ticket = await kit.call("book", {}, as_=resident)
    await kit.accept_job("visit-1", worker)
    await kit.advance(timedelta(hours=2, minutes=1))
    done = await kit.call("finish", {"job_id": ticket.id}, as_=worker)
    assert (done.status, done.on_time) == ("completed", False)


async def test_a_call_that_raises_after_completing_leaves_the_job_accepted(
    kit: PluginKit,
) -> None:
    resident = kit.add_member("Resident", Role.RESIDENT)
    worker = kit.add_member("Worker Li", Role.PROVIDER_STAFF)
    ticket = await kit.call("book", {}, as_=resident)
    await kit.accept_job("visit-1", worker)
    with pytest.raises(Conflict):
        await kit.call("finish", {"job_id": ticket.id, "fail_after": True}, as_=worker)
    assert (await kit.host.dispatch.get(ticket.id)).status == "accepted"
    assert "dispatch.job_completed" not in [t for t, _ in kit.plugin.heard]


async def test_unknown_jobs_and_bad_moments_are_refused(kit: PluginKit) -> None:
    resident = kit.add_member("Resident", Role.RESIDENT)
    worker = kit.add_member("Worker Li", Role.PROVIDER_STAFF)
    ticket = await kit.call("book", {}, as_=resident)
    await kit.accept_job("visit-1", worker)
    with pytest.raises(NotFound):
        await kit.host.dispatch.get("999")
    with pytest.raises(NotFound):
        await kit.host.dispatch.complete("999")
    with pytest.raises(NotFound):
        await kit.offer_job("no-such-ref", worker)
    with pytest.raises(InvalidInput):
        await kit.host.dispatch.complete(ticket.id, at=START + timedelta(minutes=1))
    with pytest.raises(InvalidInput):
        await kit.host.dispatch.complete(ticket.id, at=datetime(2026, 5, 1, 9, 0))
    assert (await kit.host.dispatch.get(ticket.id)).status == "accepted"
