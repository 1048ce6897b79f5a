"""The kit's emergency channel and vault: emergencies a test declares, values sealed in memory."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from ..emergency import EMERGENCY_AMENDED, EMERGENCY_DECLARED, EMERGENCY_ENDED, Emergency
from ..errors import InvalidInput, NotFound
from ..host import Event

if TYPE_CHECKING:
    from .host import InMemoryHost

__all__ = ["KitEmergencies", "KitEmergency", "KitVault"]


class KitEmergency:
    """The emergency port: the emergencies declared for the kit's community, in ``declared``."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._now = clock
        self.declared: dict[str, Emergency] = {}

    async def current(self) -> Emergency | None:
        now = self._now()
        live = [e for e in self.declared.values() if e.in_force(now)]
        return min(live, key=lambda e: (e.starts_at, e.id)) if live else None

    async def get(self, emergency_id: str) -> Emergency | None:
        return self.declared.get(emergency_id)


class KitVault:
    """The vault: values sealed with a per-kit key (an HMAC-SHA256 keystream and tag).

    Tokens carry no readable trace of the value, and open only for the module, community and
    purpose they were sealed for, as on the platform (which uses AES-GCM).
    """

    def __init__(self, binding: str) -> None:
        self._key = os.urandom(32)
        self._binding = binding

    def _stream(self, nonce: bytes, purpose: str, size: int) -> bytes:
        blocks = (
            hmac.new(self._key, b"%s|%s|%d" % (nonce, purpose.encode(), i), hashlib.sha256).digest()
            for i in range(size // 32 + 1)
        )
        return b"".join(blocks)[:size]

    def _tag(self, nonce: bytes, body: bytes, purpose: str) -> bytes:
        message = nonce + body + f"{self._binding}|{purpose}".encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()[:16]

    async def seal(self, value: str, purpose: str) -> str:
        nonce, raw = os.urandom(12), value.encode()
        body = bytes(
            a ^ b for a, b in zip(raw, self._stream(nonce, purpose, len(raw)), strict=True)
        )
        return (
            "kit."
            + base64.urlsafe_b64encode(nonce + body + self._tag(nonce, body, purpose)).decode()
        )

    async def open(self, token: str, purpose: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(token.removeprefix("kit."))
        except ValueError as exc:
            raise InvalidInput("not a sealed value") from exc
        nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
        if len(raw) < 28 or not hmac.compare_digest(tag, self._tag(nonce, body, purpose)):
            raise InvalidInput("this value was not sealed here for this purpose")
        stream = self._stream(nonce, purpose, len(body))
        return bytes(a ^ b for a, b in zip(body, stream, strict=True)).decode()


class KitEmergencies:
    """What a test does as the operator of the emergency channel (see `PluginKit`)."""

    host: InMemoryHost

    async def deliver_events(self) -> list[Event]:  # provided by PluginKit
        raise NotImplementedError

    async def declare_emergency(
        self,
        kind: str = "epidemic",
        *,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        notes: str = "",
    ) -> Emergency:
        """Declare an emergency for the kit's community, as an operator does on the platform.

        It starts at the kit's clock unless ``starts_at`` says otherwise; ``host.emergency``
        reads it and ``emergency.declared`` is delivered to ``linli_event``.
        """
        start = starts_at or self.host.now()
        if ends_at is not None and ends_at <= start:
            raise InvalidInput("an emergency ends after it starts", field="ends_at")
        emergency = Emergency(
            id=str(uuid.uuid4()), kind=kind, starts_at=start, ends_at=ends_at, notes=notes
        )
        return await self._announce(EMERGENCY_DECLARED, emergency)

    async def amend_emergency(self, emergency_id: str, *, ends_at: datetime | None) -> Emergency:
        """Move an emergency's planned end (``None``: until further notice)."""
        emergency = self._declared(emergency_id)
        if ends_at is not None and ends_at <= emergency.starts_at:
            raise InvalidInput("an emergency ends after it starts", field="ends_at")
        changed = emergency.model_copy(update={"ends_at": ends_at})
        return await self._announce(EMERGENCY_AMENDED, changed)

    async def end_emergency(self, emergency_id: str) -> Emergency:
        """End an emergency now (at the kit's clock)."""
        emergency = self._declared(emergency_id)
        now = self.host.now()
        ended = emergency.model_copy(update={"ends_at": max(now, emergency.starts_at)})
        return await self._announce(EMERGENCY_ENDED, ended)

    def _declared(self, emergency_id: str) -> Emergency:
        emergency = self.host.emergency.declared.get(emergency_id)
        if emergency is None:
            raise NotFound(f"there is no emergency {emergency_id} here")
        return emergency

    async def _announce(self, type: str, emergency: Emergency) -> Emergency:
        self.host.emergency.declared[emergency.id] = emergency
        self.host.events.record_platform(type, {"emergency": emergency.model_dump(mode="json")})
        await self.deliver_events()
        return emergency
