"""The kit's dispatch port: jobs kept by reference, followed and finished; pick lists as CSV.

The kit has no workers of its own: a test plays them with ``kit.offer_job`` and
``kit.accept_job`` (:class:`KitJobs`), naming the member the worker is. A worker's id in the
events the kit delivers is that member's id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..documents import csv_document
from ..errors import CapabilityUnavailable, Conflict, InvalidInput, NotFound
from ..host import Event, GoodsOrder, JobRequest, JobTicket, MemberView
from ..operations import Document
from .events import KitEvents

if TYPE_CHECKING:
    from .host import InMemoryHost

__all__ = ["KitDispatch", "KitJobs"]


class KitDispatch:
    """The dispatch port: jobs by reference and the goods orders each printout covered."""

    def __init__(self, module: str, events: KitEvents, clock: Callable[[], datetime]) -> None:
        self._module, self._events, self._now = module, events, clock
        self.jobs: dict[str, tuple[JobRequest, JobTicket]] = {}
        self.goods: list[tuple[GoodsOrder, ...]] = []

    async def submit(self, job: JobRequest) -> JobTicket:
        if job.window_end <= job.window_start or job.duration.total_seconds() <= 0:
            raise InvalidInput("a job needs a window that ends after it starts and a duration")
        if job.ref not in self.jobs:
            ticket = JobTicket(id=str(len(self.jobs) + 1), ref=job.ref, status="pending")
            self.jobs[job.ref] = (job, ticket)
        return self.jobs[job.ref][1]

    def _by_id(self, job_id: str) -> tuple[JobRequest, JobTicket]:
        for job, ticket in self.jobs.values():
            if ticket.id == job_id:
                return job, ticket
        raise NotFound(f"module {self._module} has no job {job_id} here")

    async def get(self, job_id: str) -> JobTicket:
        return self._by_id(job_id)[1]

    async def complete(self, job_id: str, at: datetime | None = None) -> JobTicket:
        now = self._now()
        at = now if at is None else at
        if at.tzinfo is None or at.utcoffset() is None:
            raise InvalidInput(f"'at' must be timezone-aware (UTC), got {at}", field="at")
        if at > now:
            raise InvalidInput(f"a job cannot be completed in the future ({at})", field="at")
        job, ticket = self._by_id(job_id)
        if ticket.status == "completed":
            return ticket
        if ticket.status != "accepted":
            raise Conflict(
                f"job {job_id} is {ticket.status}: no worker has accepted it", reason="not_accepted"
            )
        on_time = at <= job.window_end
        done = self._move(job, ticket, status="completed", completed_at=at, on_time=on_time)
        self._announce("completed", done, on_time=on_time)
        return done

    def offer(self, ref: str, worker: int) -> JobTicket:
        """Offer the job ``ref`` to the worker who is member ``worker`` (it must not be taken)."""
        job, ticket = self._at(ref)
        if ticket.status not in ("pending", "offered"):
            raise Conflict(f"job {ticket.id} is {ticket.status}: it cannot be offered again")
        now = self._now()
        offered = self._move(job, ticket, status="offered", worker_member_id=worker, offered_at=now)
        self._announce("offered", offered)
        return offered

    def accept(self, ref: str, worker: int) -> JobTicket:
        """The worker who is member ``worker`` accepts the job ``ref`` offered to them."""
        job, ticket = self._at(ref)
        if ticket.status == "accepted" and ticket.worker_member_id == worker:
            return ticket
        if ticket.status != "offered" or ticket.worker_member_id != worker:
            raise Conflict(f"job {ticket.id} is not on offer to worker {worker}")
        accepted = self._move(job, ticket, status="accepted")
        self._announce("accepted", accepted)
        return accepted

    def _at(self, ref: str) -> tuple[JobRequest, JobTicket]:
        if ref not in self.jobs:
            raise NotFound(f"module {self._module} submitted no job {ref!r}")
        return self.jobs[ref]

    def _move(self, job: JobRequest, ticket: JobTicket, **changes: Any) -> JobTicket:
        moved = ticket.model_copy(update=changes)
        self.jobs[job.ref] = (job, moved)
        return moved

    def _announce(self, what: str, ticket: JobTicket, **extra: Any) -> None:
        payload = {"job": int(ticket.id), "ref": ticket.ref, "module": self._module}
        self._events.record_platform(
            f"dispatch.job_{what}", {**payload, "worker": ticket.worker_member_id, **extra}
        )

    async def goods_documents(
        self,
        kind: str,
        orders: Sequence[GoodsOrder],
        *,
        format: str = "pdf",
        grid_of: Mapping[str, str] | None = None,
        truck_capacity: int = 1000,
    ) -> Document:
        # The kit prints pick lists as CSV (the platform also does manifests and PDF).
        if kind != "pick-lists" or format != "csv":
            raise CapabilityUnavailable(f"the kit prints pick-lists as csv, not {kind} as {format}")
        self.goods.append(tuple(orders))
        rows = [
            (order.pickup_point, order.ref, order.member, line.sku, line.name, line.quantity)
            for order in sorted(orders, key=lambda o: (o.pickup_point, o.ref))
            for line in order.lines
        ]
        header = ("pickup point", "order", "member", "sku", "item", "quantity")
        return csv_document([header, *rows], filename=f"{kind}.csv", bom=False)


class KitJobs:
    """What a test does as a dispatch worker: take the module's jobs (see `PluginKit`)."""

    host: InMemoryHost

    async def deliver_events(self) -> list[Event]:  # provided by PluginKit
        raise NotImplementedError

    async def offer_job(self, ref: str, worker: MemberView) -> JobTicket:
        """Offer the module's job ``ref`` to ``worker``, as dispatch's matching does.

        ``host.dispatch.get`` then answers it ``offered`` with ``worker_member_id`` set, and
        ``dispatch.job_offered`` is delivered to ``linli_event``.

        Raises:
            NotFound: The module submitted no job ``ref``.
            Conflict: The job is accepted or completed already.

        """
        ticket = self.host.dispatch.offer(ref, worker.id)
        await self.deliver_events()
        return ticket

    async def accept_job(self, ref: str, worker: MemberView) -> JobTicket:
        """``worker`` takes the module's job ``ref``: offered (unless it is to them), accepted.

        ``dispatch.job_offered`` (if it was not on offer to them) and ``dispatch.job_accepted``
        are delivered to ``linli_event``; the module may then ``complete`` the job. Accepting
        again answers the same.

        Raises:
            NotFound: The module submitted no job ``ref``.
            Conflict: Another worker accepted it, or it is completed.

        """
        dispatch = self.host.dispatch
        _, ticket = dispatch._at(ref)
        if ticket.status != "accepted" and (
            ticket.status != "offered" or ticket.worker_member_id != worker.id
        ):
            dispatch.offer(ref, worker.id)
        ticket = dispatch.accept(ref, worker.id)
        await self.deliver_events()
        return ticket
