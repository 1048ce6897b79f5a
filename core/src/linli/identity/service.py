"""The identity service as one platform holds it: keys, the SMS sender and the rate limiter."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..settings import Settings
from .keys import IdentityKeys, load_keys
from .personal_data import mask_phone

__all__ = ["IdentityService", "LoggingSmsSender", "RateLimiter", "SmsSender"]

log = logging.getLogger(__name__)


class SmsSender(Protocol):
    """Sends a text message to a phone; real deployments plug their SMS gateway in here."""

    async def send(self, phone: str, text: str) -> None:
        """Send ``text`` to ``phone`` (11 digits)."""
        ...


class LoggingSmsSender:
    """The demo's SMS gateway: writes the message to the server log, the number masked."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, phone: str, text: str) -> None:
        """Log ``text`` for ``phone`` (masked)."""
        self.sent.append((mask_phone(phone), text))
        log.info("SMS to %s: %s", mask_phone(phone), text)


@dataclass
class RateLimiter:
    """A fixed-window limit per key: at most ``limit`` hits in ``window`` seconds.

    In-process: behind several app processes each process counts on its own, so the real
    limit is ``limit`` times the number of processes.
    """

    limit: int
    window: float
    _hits: dict[str, tuple[float, int]] = field(default_factory=dict)

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count one hit for ``key``; ``False`` once the window is full."""
        now = time.monotonic() if now is None else now
        started, count = self._hits.get(key, (now, 0))
        if now - started >= self.window:
            started, count = now, 0
        if count >= self.limit:
            return False
        self._hits[key] = (started, count + 1)
        if len(self._hits) > 100_000:  # forget windows long past
            self._hits = {k: v for k, v in self._hits.items() if now - v[0] < self.window}
        return True


class PersonalDataHolder(Protocol):
    """A service outside identity that keeps personal data of members (e.g. profiles).

    A person's export lists what each holder answers under its ``name``; their erasure erases
    it in the same transaction as identity's own.
    """

    name: str

    async def export_members(self, member_ids: Sequence[int]) -> list[dict[str, Any]]:
        """What the holder keeps of these members (the person's memberships), as JSON."""
        ...

    async def erase_members(self, member_ids: Sequence[int]) -> None:
        """Erase what the holder keeps of these members."""
        ...


@dataclass
class IdentityService:
    """Everything the identity service keeps for one platform (``platform.identity``)."""

    settings: Settings
    sms: SmsSender = field(default_factory=LoggingSmsSender)
    # Per person (phone or username) tight; per client address looser, since many people may
    # share one address (a mobile carrier's NAT, a proxy without --proxy-headers).
    code_requests: RateLimiter = field(default_factory=lambda: RateLimiter(5, 600))
    sign_ins: RateLimiter = field(default_factory=lambda: RateLimiter(10, 600))
    per_address: RateLimiter = field(default_factory=lambda: RateLimiter(100, 600))
    personal_data: list[PersonalDataHolder] = field(default_factory=list)
    """Other services keeping a person's data: exported and erased with identity's (PIPL)."""
    _keys: IdentityKeys | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def keys(self) -> IdentityKeys:
        """The platform's keys, loaded (or, in development, generated) on first use."""
        if self._keys is None:
            async with self._lock:
                if self._keys is None:
                    self._keys = await load_keys(self.settings)
        return self._keys
