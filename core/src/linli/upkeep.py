"""Upkeep on a schedule: the worker's periodic chores, so the platform recovers and stays small.

Three chores, each run by the worker (`linli.dispatch.worker.DispatchWorker.run_once`) when due:

- **the settlement sweep**, every half ``settlement_sweep_seconds``: gateway intents left
  pending by a crash or a gateway outage are carried out in every community
  (`linli.settlement.recovery.IntentSweeper`);
- **the purge**, every ``purge_interval_seconds``: expired sign-in codes, authorization codes
  and tokens (`linli.identity.housekeeping.purge_expired`), expired console sessions
  (`linli.console.sessions.purge_sessions`), ``Idempotency-Key`` records older
  than ``idempotency_retention_hours`` and uploads older than ``upload_retention_days``
  (0 keeps them);
- **repurchase reminders**, every :data:`REMINDER_SWEEP_SECONDS`: the reminders due in every
  open community (`linli.profiles.reminders`), at most one per item and cycle.

Every chore is idempotent, so several workers (PostgreSQL) may run them side by side. A chore
that fails is logged and runs again at its next turn.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .console.sessions import purge_sessions
from .files.store import purge_uploads
from .idempotency import purge_records
from .identity.communities import community_of
from .identity.housekeeping import purge_expired
from .settings import Settings
from .settlement.recovery import IntentSweeper
from .tables import Community

if TYPE_CHECKING:
    from .platform import Platform

__all__ = ["REMINDER_SWEEP_SECONDS", "Chore", "Upkeep", "purge", "upkeep_for"]

log = logging.getLogger(__name__)

REMINDER_SWEEP_SECONDS = 3600.0
"""How often the worker looks for repurchase reminders that have come due."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Chore:
    """One periodic task: its name, its period in seconds, and what it does (a count)."""

    name: str
    every: float
    work: Callable[[], Awaitable[int]]
    next_at: float = 0.0
    """Monotonic time of the next run (0: at the first chance)."""
    runs: int = 0
    done: int = 0
    """The sum of what its runs counted (intents carried out, rows purged)."""
    failures: int = 0


class Upkeep:
    """Runs each chore when it is due; ``clock`` is monotonic seconds (tests pass their own).

    ``sweeper`` is the settlement sweep's, whose `IntentSweeper.stats` metrics read.
    """

    def __init__(
        self,
        chores: list[Chore],
        *,
        clock: Callable[[], float] = time.monotonic,
        sweeper: IntentSweeper | None = None,
    ) -> None:
        self.chores, self.sweeper = chores, sweeper
        self._clock = clock

    async def run_due(self) -> int:
        """Run every chore that is due now, each once; the sum of what they counted."""
        total = 0
        for chore in self.chores:
            now = self._clock()
            if chore.next_at > now:
                continue
            chore.next_at = now + chore.every
            try:
                done = await chore.work()
            except Exception:
                chore.failures += 1
                log.exception("upkeep: %s failed; it runs again in %.0f s", chore.name, chore.every)
                continue
            chore.runs += 1
            chore.done += done
            total += done
        return total


async def purge(settings: Settings, now: datetime) -> dict[str, int]:
    """Delete what has expired or passed its retention at ``now``; how many of each kind."""
    counts = await purge_expired(now)
    counts["console_sessions"] = await purge_sessions(now)
    counts["idempotency_records"] = counts["uploads"] = 0
    keys_before = now - timedelta(hours=settings.idempotency_retention_hours)
    uploads_before = now - timedelta(days=settings.upload_retention_days)
    for community in await Community.select(Community.id).order_by(Community.id):
        counts["idempotency_records"] += await purge_records(community["id"], keys_before)
        if settings.upload_retention_days:
            counts["uploads"] += await purge_uploads(community["id"], uploads_before)
    return counts


def upkeep_for(
    platform: Platform,
    *,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], datetime] = _utcnow,
) -> Upkeep:
    """The platform's chores: the settlement sweep, the purge and reminders (clocks for tests)."""
    settings = platform.settings
    sweeper = IntentSweeper(
        platform.settlement,
        interval_seconds=settings.settlement_sweep_seconds,
        retry_base_seconds=settings.dispatch_retry_base_seconds,
        retry_cap_seconds=settings.dispatch_retry_cap_seconds,
        clock=clock,
        now=now,
    )

    async def purge_now() -> int:
        counts = await purge(settings, now())
        if any(counts.values()):
            log.info("upkeep purged %s", ", ".join(f"{k}: {v}" for k, v in counts.items()))
        return sum(counts.values())

    async def remind_now() -> int:
        rows = await Community.select().where(Community.archived_at.is_null())
        return await platform.profiles.remind([community_of(r) for r in rows], now())

    return Upkeep(
        [
            Chore("settlement sweep", settings.settlement_sweep_seconds / 2, sweeper.sweep),
            Chore("purge", settings.purge_interval_seconds, purge_now),
            Chore("repurchase reminders", REMINDER_SWEEP_SECONDS, remind_now),
        ],
        clock=clock,
        sweeper=sweeper,
    )
