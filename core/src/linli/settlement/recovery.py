"""Recovering on its own: the worker carries out gateway intents left pending, in every community.

An intent is normally carried out right after the transaction that recorded it commits. If the
process dies first (``kill -9``, a power cut) or the gateway does not answer, the intent stays
``pending``. `IntentSweeper.sweep` finds, community by community, the charges with an intent
pending for longer than half the sweep interval and carries them out; the worker runs it every
half interval, so nothing stays pending much past ``settlement_sweep_seconds``. A charge whose
gateway call fails is tried again after an exponential backoff, capped, and never given up on:
money is at stake, so it waits, and `stats` (and reconciliation's ``not_applied``) show it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..dispatch.events.retry import retry_delay_ms
from ..tables import Community
from . import charge_store
from .executor import GatewayExecutor

__all__ = ["IntentSweeper", "SweepStats"]

log = logging.getLogger(__name__)


@dataclass
class SweepStats:
    """What the sweeps of this process did, for metrics and logs."""

    carried_out: int = 0
    """Intents the sweeps completed."""
    failures: int = 0
    """Gateway calls that failed during a sweep (each retried after its backoff)."""
    overdue: int = 0
    """Charges found with an intent pending past the grace by the last sweep."""
    waiting: int = 0
    """Of those, charges waiting for their next attempt after a failure."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class IntentSweeper:
    """Carries out every community's overdue gateway intents, retrying failures with backoff.

    Args:
        executor: The platform's settlement service (it carries intents out).
        interval_seconds: The sweep interval: an intent pending longer than half of it is
            overdue (younger ones are still being carried out by the call that recorded them).
        retry_base_seconds: The wait after a charge's first failed attempt; it doubles each time.
        retry_cap_seconds: The longest wait between two attempts.
        batch: At most this many charges per community per sweep (the rest wait for the next).
        clock: Monotonic seconds, for the backoff (tests pass their own).
        now: The wall clock intents are stamped with (tests pass their own).
    """

    def __init__(
        self,
        executor: GatewayExecutor,
        *,
        interval_seconds: float,
        retry_base_seconds: float,
        retry_cap_seconds: float,
        batch: int = 500,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.executor, self.interval, self.batch = executor, interval_seconds, batch
        self.retry_base, self.retry_cap = retry_base_seconds, retry_cap_seconds
        self._clock, self._now = clock, now
        self._backoff: dict[tuple[int, int], tuple[int, float]] = {}
        """(community, charge) -> (failed attempts, monotonic time of the next attempt)."""
        self.stats = SweepStats()

    async def sweep(self) -> int:
        """Carry out every overdue intent not waiting for a retry; how many completed now."""
        before = self._now() - timedelta(seconds=self.interval / 2)
        communities = await Community.select(Community.id).order_by(Community.id)
        done, overdue, backoff = 0, 0, {}
        for community in communities:
            for charge in await charge_store.pending_charges(community["id"], before, self.batch):
                key = (community["id"], charge)
                overdue += 1
                attempts, next_at = self._backoff.get(key, (0, 0.0))
                if next_at > self._clock():
                    backoff[key] = (attempts, next_at)
                    continue
                try:
                    done += await self.executor.carry_out_alone(*key)
                except Exception:
                    attempts += 1
                    wait = retry_delay_ms(
                        attempts, base_seconds=self.retry_base, cap_seconds=self.retry_cap
                    )
                    backoff[key] = (attempts, self._clock() + wait / 1000)
                    self.stats.failures += 1
                    log.warning(
                        "carrying out charge ch_%s failed (attempt %s); again in %.0f s",
                        charge,
                        attempts,
                        wait / 1000,
                        exc_info=True,
                    )
        self._backoff = backoff  # charges no longer pending are forgotten
        self.stats.carried_out += done
        self.stats.overdue, self.stats.waiting = overdue, len(backoff)
        if done:
            log.info("the sweep carried out %s pending gateway intents", done)
        return done
