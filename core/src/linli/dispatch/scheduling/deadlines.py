"""Running due deadlines: each exactly once, through the module's ``linli_deadline_reached``.

The claim (a conditional UPDATE from ``pending`` to ``done``), the hook and everything the hook
writes (events, new deadlines, the module's own rows) are one transaction: if the process dies
or the hook raises, all of it rolls back and the deadline is still pending. A hook that raised
is retried with backoff; one that keeps raising is marked ``failed`` after the retry limit.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from linli_sdk import Community, Deadline

from linli.dispatch.events.outbox import Retries, deliver_events
from linli.dispatch.jobs import service as jobs
from linli.dispatch.store import as_datetime, claim, community_by_id, engine, epoch_ms, json_value
from linli.modules.host import CoreHost
from linli.unit_of_work import UnitOfWork

__all__ = ["run_next_deadline"]

if TYPE_CHECKING:
    from linli.platform import Platform

log = logging.getLogger(__name__)


class _DeadlineFailed(Exception):
    """Raised inside a deadline's transaction to roll it back."""


async def _run_internal(community: Community, deadline: Deadline) -> None:
    try:
        await jobs.deadline_reached(community, deadline)
    except Exception as exc:
        log.exception("the dispatch service's deadline %s failed", deadline.key)
        raise _DeadlineFailed(f"{type(exc).__name__}: {exc}") from exc


async def run_next_deadline(platform: Platform, retries: Retries) -> bool:
    """Run the earliest due deadline, if any; returns whether one was attempted."""
    registry = platform.registry
    now = datetime.now(UTC)
    unit = UnitOfWork()
    claimed: dict[str, Any] | None = None
    try:
        async with engine().transaction():
            claimed = await claim(
                "linli_dispatch_deadline",
                "status = 'done', attempts = attempts + 1, fired_at = {}",
                [now],
                "status = 'pending' AND run_at <= {}",
                [epoch_ms(now)],
            )
            if claimed is None:
                return False
            module = claimed["module"]
            community = await community_by_id(claimed["community"])
            deadline = Deadline(
                key=claimed["key"],
                due=as_datetime(claimed["due"]),
                payload=json_value(claimed["payload"]),
            )
            if module == jobs.INTERNAL:  # the dispatch service's own (an offer's timeout)
                await _run_internal(community, deadline)
            elif module not in registry.modules:
                raise _DeadlineFailed(f"module {module} is not loaded")
            else:
                host = CoreHost(platform, community, module, unit)
                manifest = registry.modules[module].manifest
                if not await registry.hooks.deadline_reached(module, host, deadline, manifest):
                    raise _DeadlineFailed(f"the deadline handler of {module} raised")
    except _DeadlineFailed as failed:
        assert claimed is not None
        await retries.postpone("linli_dispatch_deadline", claimed, str(failed))
        return True
    await deliver_events(platform, community, unit, retries)
    return True
