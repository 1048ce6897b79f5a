"""Jobs and offers: a submitted job is offered to the best worker, who accepts or declines.

An offer lapses after :data:`OFFER_TIMEOUT` (a durable deadline of the dispatch service
itself); a declined or lapsed offer passes the job to the next best worker, never back to one
who passed. A job nobody fits stays ``pending`` until :func:`rematch` places it (a batch).
Every change publishes a core event (``dispatch.job_offered``, ``…_accepted``, ``…_pending``,
``…_completed``) through the outbox, so the submitting module hears of it in ``linli_event``.
All functions run in the caller's transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from linli_sdk import (
    Community,
    Conflict,
    Deadline,
    InvalidInput,
    JobRequest,
    JobTicket,
    NotFound,
)

from linli.credit.governance import suspended_providers
from linli.dispatch.jobs import matching
from linli.dispatch.ports import DurableDeadlines, record_event
from linli.dispatch.store import as_datetime, json_value
from linli.dispatch.tables import DispatchJob, ServiceWorker

__all__ = [
    "INTERNAL",
    "OFFER_TIMEOUT",
    "complete",
    "deadline_reached",
    "finish",
    "job_ticket",
    "on_time_rates",
    "register_worker",
    "rematch",
    "respond",
    "submit",
]

INTERNAL = "~dispatch"
"""The module name the dispatch service schedules its own deadlines under."""

OFFER_TIMEOUT = timedelta(minutes=10)
"""How long a worker has to accept an offer before it passes to the next one."""

_HOLDING = ("offered", "accepted")


def minutes(moment: datetime) -> int:
    """``moment`` as whole minutes since the epoch (the matching rules' clock)."""
    return int(moment.timestamp() // 60)


def _job_model(row: dict[str, Any]) -> matching.Job:
    return matching.Job(
        id=str(row["id"]),
        skills=frozenset(json_value(row["skills"])),
        community=row["community"],
        location=(row["location_x"], row["location_y"]),
        window_start=minutes(as_datetime(row["window_start"])),
        window_end=minutes(as_datetime(row["window_end"])),
        duration=row["duration_minutes"],
    )


async def _workers(community: Community) -> list[matching.Worker]:
    rows = await ServiceWorker.select().where(
        (ServiceWorker.community == community.id) & (ServiceWorker.status == "active")
    )
    held = await DispatchJob.select(DispatchJob.worker).where(
        (DispatchJob.community == community.id) & DispatchJob.status.is_in(list(_HOLDING))
    )
    load = Counter(row["worker"] for row in held)
    suspended = await suspended_providers(community.id)  # community credit: no jobs for them
    return [
        matching.Worker(
            id=str(row["id"]),
            skills=frozenset(json_value(row["skills"])),
            coverage=frozenset({community.id}),
            location=(row["location_x"], row["location_y"]),
            available=tuple(
                (minutes(as_datetime(a)), minutes(as_datetime(b)))
                for a, b in json_value(row["availability"])
            ),
            capacity=row["capacity"],
            standing=row["standing"],
            load=load[row["id"]],
        )
        for row in rows
        if row["provider"] not in suspended
    ]


async def register_worker(
    community: Community,
    name: str,
    *,
    skills: Sequence[str],
    availability: Sequence[tuple[datetime, datetime]],
    capacity: int = 1,
    standing: int = matching.MAX_STANDING,
    location: tuple[int, int] = (0, 0),
    member_id: int | None = None,
    provider_id: int | None = None,
) -> int:
    """Add a worker serving ``community`` (for ``provider_id``, if any); returns its id."""
    if capacity < 1 or not 0 <= standing <= matching.MAX_STANDING:
        raise InvalidInput("capacity must be at least 1 and standing within 0..1000")
    row = ServiceWorker(
        community=community.id,
        member=member_id,
        provider=provider_id,
        name=name,
        skills=sorted(set(skills)),
        location_x=location[0],
        location_y=location[1],
        availability=[[a.isoformat(), b.isoformat()] for a, b in availability],
        capacity=capacity,
        standing=standing,
        status="active",
    )
    await ServiceWorker.insert(row).run()
    return int(row.id)


async def _job(community: Community, job_id: int) -> dict[str, Any]:
    """The job's row, with the member its worker is (``worker_member``)."""
    row = (
        await DispatchJob.select(
            *DispatchJob.all_columns(), DispatchJob.worker.member.as_alias("worker_member")
        )
        .where((DispatchJob.id == job_id) & (DispatchJob.community == community.id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound(f"there is no job {job_id} in {community.slug}")
    return row


def _moment(value: Any) -> datetime | None:
    return None if value is None else as_datetime(value)


def _ticket(row: dict[str, Any]) -> JobTicket:
    done = _moment(row["completed_at"])
    return JobTicket(
        id=str(row["id"]),
        ref=row["reference"],
        status=row["status"],
        worker_member_id=row["worker_member"],
        offered_at=_moment(row["offered_at"]),
        completed_at=done,
        on_time=None if done is None else done <= as_datetime(row["window_end"]),
    )


async def job_ticket(community: Community, module: str, job_id: str) -> JobTicket:
    """``module``'s job ``job_id`` as dispatch has it now.

    Raises:
        NotFound: No such job of ``module`` in ``community``.

    """
    return _ticket(await _module_job(community, module, job_id))


async def _module_job(community: Community, module: str, job_id: str) -> dict[str, Any]:
    row = await _job(community, int(job_id)) if job_id.isascii() and job_id.isdigit() else None
    if row is None or row["module"] != module:
        raise NotFound(f"module {module} has no job {job_id} in {community.slug}")
    return row


async def _announce(community: Community, what: str, row: dict[str, Any], **extra: Any) -> None:
    payload = {"job": row["id"], "ref": row["reference"], "module": row["module"], **extra}
    await record_event(community, None, f"dispatch.job_{what}", payload)


async def _offer(community: Community, row: dict[str, Any], worker_id: str, now: datetime) -> None:
    await (
        DispatchJob.update(
            {
                DispatchJob.status: "offered",
                DispatchJob.worker: int(worker_id),
                DispatchJob.offered_at: now,
            }
        )
        .where((DispatchJob.id == row["id"]) & (DispatchJob.community == row["community"]))
        .run()
    )
    await DurableDeadlines(community, INTERNAL).schedule(
        f"offer:{row['id']}", now + OFFER_TIMEOUT, {"job": row["id"], "worker": int(worker_id)}
    )
    await _announce(community, "offered", row, worker=int(worker_id))


async def _offer_next(community: Community, row: dict[str, Any], now: datetime) -> str:
    passed = frozenset(str(w) for w in json_value(row["passed_over"]))
    chosen = matching.best_worker(_job_model(row), await _workers(community), exclude=passed)
    if chosen is None:
        await (
            DispatchJob.update({DispatchJob.status: "pending", DispatchJob.worker: None})
            .where((DispatchJob.id == row["id"]) & (DispatchJob.community == row["community"]))
            .run()
        )
        await _announce(community, "pending", row)
        return "pending"
    await _offer(community, row, chosen.id, now)
    return "offered"


async def submit(
    community: Community, module: str, job: JobRequest, location: tuple[int, int] = (0, 0)
) -> JobTicket:
    """Take ``job`` from ``module`` and offer it to the best worker; one job per ``ref``."""
    if job.window_end <= job.window_start or job.duration <= timedelta(0):
        raise InvalidInput("a job needs a window that ends after it starts and a duration")
    scope = f"{community.id}:{module}:{job.ref}"
    existing = (
        await DispatchJob.select()
        .where((DispatchJob.community == community.id) & (DispatchJob.scope_key == scope))
        .first()
        .run()
    )
    if existing is not None:
        return _ticket(await _job(community, existing["id"]))
    now = datetime.now(UTC)
    row = DispatchJob(
        community=community.id,
        module=module,
        reference=job.ref,
        scope_key=scope,
        skills=sorted(job.skills),
        location_x=location[0],
        location_y=location[1],
        window_start=job.window_start,
        window_end=job.window_end,
        duration_minutes=max(1, int(job.duration.total_seconds() // 60)),
        status="pending",
        passed_over=[],
        created_at=now,
    )
    await DispatchJob.insert(row).run()
    stored = await _job(community, int(row.id))
    await _offer_next(community, stored, now)
    return _ticket(await _job(community, int(row.id)))


async def _pass(community: Community, row: dict[str, Any], now: datetime) -> str:
    passed = [*json_value(row["passed_over"]), row["worker"]]
    await (
        DispatchJob.update({DispatchJob.passed_over: passed})
        .where((DispatchJob.id == row["id"]) & (DispatchJob.community == row["community"]))
        .run()
    )
    return await _offer_next(community, {**row, "passed_over": passed}, now)


async def _answer(community: Community, job_id: int, worker_id: int, status: str) -> bool:
    """Move a job offered to ``worker_id`` to ``status``; ``False`` if it is not on offer."""
    taken = (
        await DispatchJob.update({DispatchJob.status: status})
        .where(
            (DispatchJob.id == job_id)
            & (DispatchJob.community == community.id)
            & (DispatchJob.status == "offered")
            & (DispatchJob.worker == worker_id)
        )
        .returning(DispatchJob.id)
        .run()
    )
    return bool(taken)


async def respond(community: Community, job_id: int, worker_id: int, *, accept: bool) -> JobTicket:
    """The offered worker accepts or declines ``job_id``; a decline offers it to the next."""
    now = datetime.now(UTC)
    row = await _job(community, job_id)
    taken = await _answer(community, job_id, worker_id, "accepted" if accept else "declined")
    if not taken:
        if accept and row["status"] == "accepted" and row["worker"] == worker_id:
            return _ticket(row)  # accepting twice answers the same
        raise Conflict(f"job {job_id} is not on offer to worker {worker_id}")
    await DurableDeadlines(community, INTERNAL).cancel(f"offer:{job_id}")
    if accept:
        await _announce(community, "accepted", row, worker=worker_id)
        return JobTicket(id=str(job_id), ref=row["reference"], status="accepted")
    status = await _pass(community, row, now)
    return JobTicket(id=str(job_id), ref=row["reference"], status=status)


async def deadline_reached(community: Community, deadline: Deadline) -> None:
    """An offer lapsed: if still unanswered by the same worker, pass the job on."""
    job_id, worker_id = int(deadline.payload["job"]), int(deadline.payload["worker"])
    if await _answer(community, job_id, worker_id, "lapsed"):
        await _pass(community, await _job(community, job_id), datetime.now(UTC))


async def complete(community: Community, job_id: int, worker_id: int, at: datetime) -> JobTicket:
    """The worker finished the job at ``at`` (on time if by the window's end)."""
    row = await _job(community, job_id)
    done = (
        await DispatchJob.update({DispatchJob.status: "completed", DispatchJob.completed_at: at})
        .where(
            (DispatchJob.id == job_id)
            & (DispatchJob.community == community.id)
            & (DispatchJob.status == "accepted")
            & (DispatchJob.worker == worker_id)
        )
        .returning(DispatchJob.id)
        .run()
    )
    if not done:
        raise Conflict(f"job {job_id} is not accepted by worker {worker_id}")
    on_time = at <= as_datetime(row["window_end"])
    await _announce(community, "completed", row, worker=worker_id, on_time=on_time)
    return _ticket(await _job(community, job_id))


async def finish(community: Community, module: str, job_id: str, at: datetime) -> JobTicket:
    """``module`` says the worker who accepted its job finished it at ``at``; once.

    A job already completed is returned as it was first completed.

    Raises:
        NotFound: No such job of ``module`` in ``community``.
        Conflict: No worker has accepted the job.
        InvalidInput: ``at`` is naive or in the future.

    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput(f"'at' must be timezone-aware (UTC), got {at}", field="at")
    if at > datetime.now(UTC):
        raise InvalidInput(f"a job cannot be completed in the future ({at})", field="at")
    row = await _module_job(community, module, job_id)
    if row["status"] == "accepted":
        try:
            return await complete(community, row["id"], row["worker"], at.astimezone(UTC))
        except Conflict:
            row = await _job(community, row["id"])  # completed meanwhile by another call
    if row["status"] == "completed":
        return _ticket(row)
    raise Conflict(
        f"job {job_id} is {row['status']}: no worker has accepted it", reason="not_accepted"
    )


async def on_time_rates(community: Community) -> dict[str, Any]:
    """Completed jobs finished by their window's end: in the community and per provider."""
    rows = await DispatchJob.select(
        DispatchJob.completed_at, DispatchJob.window_end, DispatchJob.worker.provider
    ).where((DispatchJob.community == community.id) & (DispatchJob.status == "completed"))
    totals: Counter[str] = Counter()
    on_time: Counter[str] = Counter()
    for row in rows:
        late = as_datetime(row["completed_at"]) > as_datetime(row["window_end"])
        for key in ("community", f"provider:{row['worker.provider']}"):
            totals[key] += 1
            on_time[key] += 0 if late else 1

    def rate(key: str) -> float | None:
        return round(on_time[key] / totals[key], 4) if totals[key] else None

    providers = {k.removeprefix("provider:"): rate(k) for k in totals if k != "community"}
    return {
        "community": rate("community"),
        "completed": totals["community"],
        "providers": providers,
    }


async def rematch(community: Community) -> dict[str, str]:
    """Place every pending job of the community at once (batch matching); returns job → worker."""
    rows = await DispatchJob.select().where(
        (DispatchJob.community == community.id) & (DispatchJob.status == "pending")
    )
    workers = await _workers(community)
    by_id = {str(row["id"]): row for row in rows}
    passed = {str(row["id"]): {str(w) for w in json_value(row["passed_over"])} for row in rows}
    placed: dict[str, str] = {}
    for job_id, worker_id in matching.assign_batch(
        [_job_model(row) for row in rows], workers
    ).placed.items():
        if worker_id not in passed[job_id]:
            placed[job_id] = worker_id
    now = datetime.now(UTC)
    for job_id, worker_id in placed.items():
        await _offer(community, by_id[job_id], worker_id, now)
    return placed
