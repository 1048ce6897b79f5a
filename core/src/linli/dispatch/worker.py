"""The dispatch worker: runs due deadlines, fans events out and delivers them, in a loop.

It also sends the notifications that are due (held through quiet hours, or retried).

It also runs the platform's upkeep chores when they are due (`linli.upkeep`): the settlement
sweep of gateway intents left pending, and the purge of what has expired.

On the SQLite default it runs inside the app process (started by the app's lifespan, so
``linli serve`` runs it). On PostgreSQL every app process may run one, and ``linli dispatch
work`` runs one on its own: claims use ``FOR UPDATE SKIP LOCKED``, so each deadline runs
exactly once however many workers there are.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from typing import TYPE_CHECKING

import httpx

from linli.dispatch.events.destinations import Network
from linli.dispatch.events.outbox import Retries, deliver_to_module, fan_out
from linli.dispatch.events.webhooks import deliver_webhook
from linli.dispatch.scheduling.deadlines import run_next_deadline

from ..unit_of_work import UnitOfWork
from ..upkeep import upkeep_for

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["DispatchWorker"]

log = logging.getLogger(__name__)


class DispatchWorker:
    """Runs the dispatch service's background work for one platform process."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.registry = platform.registry
        self.settings = settings = platform.settings
        self.retries = Retries(
            settings.dispatch_retry_base_seconds,
            settings.dispatch_retry_cap_seconds,
            settings.dispatch_max_attempts,
        )
        self.allow: list[Network] = [
            ipaddress.ip_network(net, strict=False) for net in settings.dispatch_webhook_allow
        ]
        self.upkeep = upkeep_for(platform)
        """The periodic chores (the settlement sweep, the purge), run when due."""
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    async def run_once(self, limit: int = 100) -> int:
        """Do what is due now (at most ``limit`` of each kind); returns how much was done.

        That includes the upkeep chores that are due (see `linli.upkeep`).
        """
        done = await self.upkeep.run_due()
        for _ in range(limit):
            if await fan_out(self.registry) is None:
                break
            done += 1
        for _ in range(limit):
            if not await run_next_deadline(self.platform, self.retries):
                break
            done += 1
        done += len(await self.platform.settlement.expire_deposits())  # past their expiry
        unit = UnitOfWork()  # events published by hooks wait for the next round's fan-out
        for _ in range(limit):
            if not await deliver_to_module(self.platform, self.retries, unit):
                break
            done += 1
        await unit.run_deferred()
        client = self._webhook_client()
        for _ in range(limit):
            if not await deliver_webhook(
                client, self.retries, self.allow, self.settings.dispatch_lease_seconds
            ):
                break
            done += 1
        done += await self.platform.notifications.sender.deliver_due(limit)
        return done

    def _webhook_client(self) -> httpx.AsyncClient:
        """The HTTP client webhooks go out through, made once (its TLS context costs ~1 ms)."""
        if self._client is None:
            timeout = httpx.Timeout(self.settings.dispatch_webhook_timeout_seconds)
            self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        return self._client

    async def run(self) -> None:
        """Work until cancelled, sleeping ``dispatch_poll_seconds`` whenever nothing is due."""
        while True:
            try:
                done = await self.run_once()
            except Exception:
                log.exception("the dispatch worker's round failed; trying again")
                done = 0
            if not done:
                await asyncio.sleep(self.settings.dispatch_poll_seconds)

    def start(self) -> None:
        """Start :meth:`run` as a task of the running event loop."""
        self._task = asyncio.get_running_loop().create_task(self.run(), name="linli-dispatch")

    async def stop(self) -> None:
        """Cancel the task started by :meth:`start`, wait for it to end, close the HTTP client."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None
