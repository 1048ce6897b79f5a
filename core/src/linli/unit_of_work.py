"""One call's unit of work: its transaction, idempotency record, events and after-commit work.

Every command, a module's operation as much as a core route, runs as one `UnitOfWork`:

1. `UnitOfWork.run` opens the transaction. With an ``Idempotency-Key`` it first looks for the
   key's record: the same request answers the recorded outcome again
   (``Idempotent-Replayed: true``) without running anything; another request is refused (422).
2. The work runs. What it publishes (``host.events.publish``) is written to the outbox in the
   transaction and remembered in `events`; what must wait for the commit (a gateway call) is
   handed to `after_commit`.
3. The key's record is written in the same transaction, so the writes and the record commit
   together. Two concurrent first uses of one key: the loser's record insert fails on its
   unique constraint, its writes roll back, and it answers the winner's outcome.
4. Once committed, `deliver` carries out the deferred work and delivers the events. A call that
   rolls back, or is replayed, delivers nothing.

Hooks that the dispatch worker runs (deadlines, event deliveries) use a unit for what they
cause too; their transaction is the worker's claim.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from linli_sdk import Caller, Community, Event
from litestar import Response
from pydantic import BaseModel

from .idempotency import Outcome, record, recorded, request_hash, respond, unique_violation
from .tables import IdempotencyRecord

if TYPE_CHECKING:
    from .platform import Platform

__all__ = ["AfterCommit", "UnitOfWork"]

log = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[None]]
"""Work to carry out once a call's transaction has committed (a gateway call, a webhook...)."""


class UnitOfWork:
    """One call: its transaction, its idempotency record, its events and its after-commit work.

    Args:
        platform: The platform whose modules receive the events; without one, `deliver` only
            runs the deferred work (a unit whose events the dispatch worker fans out).
        community: Where the call runs.
        caller: Who makes the call; keys are per caller and community.
        key: The ``Idempotency-Key`` (none: the call simply runs once).
        request: What the key is bound to: the command's name and input, hashed.
    """

    def __init__(
        self,
        platform: Platform | None = None,
        community: Community | None = None,
        caller: Caller | None = None,
        key: str | None = None,
        request: tuple[Any, ...] = (),
    ) -> None:
        self.platform, self.community, self.caller, self.key = platform, community, caller, key
        self._request = request
        self.events: list[Event] = []
        self.deferred: list[AfterCommit] = []
        self.replayed = False

    @cached_property
    def request_hash(self) -> str:
        """The hash the key is bound to, made only for a call that has a key."""
        return request_hash(*self._request)

    @property
    def reference(self) -> str | None:
        """A stable name for this call across repeats (its caller and key), if it has a key."""
        if not self.key or self.caller is None:
            return None
        return f"{self.caller.member_id or 'platform'}:{self.key}"

    def after_commit(self, work: AfterCommit) -> None:
        """Run ``work`` once the call has committed; never if it rolls back or is replayed."""
        self.deferred.append(work)

    def absorb(self, other: UnitOfWork) -> None:
        """Take over what ``other`` holds (a nested call that has committed)."""
        self.events.extend(other.events)
        self.deferred.extend(other.deferred)
        other.events, other.deferred = [], []

    async def run_deferred(self) -> None:
        """Run the deferred work, in order; a failure is logged, never raised (it committed)."""
        while self.deferred:
            work, self.deferred = self.deferred, []
            for item in work:
                try:
                    await item()
                except Exception:
                    log.exception("work deferred until after commit failed")

    async def deliver(self) -> None:
        """Carry out what the committed call deferred, then deliver the events it published."""
        if self.platform is None or self.community is None:
            await self.run_deferred()
            return
        # The outbox runs module hooks through hosts that hold units: imported when used.
        from linli.dispatch.events.outbox import deliver_events

        await deliver_events(self.platform, self.community, self)

    async def run(self, work: Callable[[], Awaitable[Outcome]]) -> Outcome:
        """Run ``work`` in one transaction, once per key; deliver what it caused if it ran.

        Raises:
            InvalidInput: The key was already used with a different request.

        """
        scope = self._scope()
        try:
            async with IdempotencyRecord._meta.db.transaction():
                if scope and (replay := await recorded(scope, self.request_hash)):
                    return self._replay(replay)
                outcome = await work()
                if scope:
                    assert self.community is not None
                    await record(self.community, scope, self.request_hash, outcome)
        except Exception as exc:
            if scope and unique_violation(exc):
                if replay := await recorded(scope, self.request_hash):
                    return self._replay(replay)
            raise
        await self.deliver()
        return outcome

    async def answer(
        self, work: Callable[[], Awaitable[BaseModel]], status: int = 200
    ) -> Response[Any]:
        """`run` for a command answering one model as JSON: its HTTP response, first or replayed."""

        async def run() -> Outcome:
            return Outcome(status, "application/json", (await work()).model_dump_json().encode())

        return respond(await self.run(run))

    def _scope(self) -> str | None:
        reference = self.reference
        if reference is None or self.community is None:
            return None
        return f"{self.community.id}:{reference}"

    def _replay(self, outcome: Outcome) -> Outcome:
        self.replayed = True
        self.events, self.deferred = [], []
        return outcome
