"""The core's implementation of the SDK host, bound to one community and one module.

Member look-up and events are served here. Payments, credit, dispatch and deadlines answer
:class:`~linli_sdk.CapabilityUnavailable` until the settlement, credit and dispatch services
are part of the platform; the SDK's test kit already implements them for plugin authors.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NoReturn

from linli_sdk import CapabilityUnavailable, Community, Event, MemberView, Role

from .tables import Member

__all__ = ["CoreHost", "EventBuffer"]


class EventBuffer:
    """Events published during one call, delivered only after that call commits."""

    def __init__(self) -> None:
        self.events: list[Event] = []


class _Unavailable:
    """A port whose service is not part of this platform yet: every use says so."""

    def __init__(self, service: str) -> None:
        self._service = service

    def __getattr__(self, name: str) -> Any:
        async def refuse(*args: Any, **kwargs: Any) -> NoReturn:
            raise CapabilityUnavailable(
                f"{self._service} is not available on this platform yet ({name} was called)"
            )

        return refuse


class _Members:
    def __init__(self, community: Community) -> None:
        self._community = community

    async def get(self, member_id: int) -> MemberView | None:
        row = (
            await Member.select()
            .output(load_json=True)
            .where((Member.id == member_id) & (Member.community == self._community.id))
            .first()
            .run()
        )
        if row is None:
            return None
        return MemberView(
            id=row["id"],
            display_name=row["display_name"],
            roles=frozenset(Role(r) for r in row["roles"]),
            verified=row["verified"],
            phone_masked=row["phone_masked"],
        )


class _Events:
    def __init__(self, community: Community, module: str, buffer: EventBuffer) -> None:
        self._community, self._module, self._buffer = community, module, buffer

    async def publish(self, type: str, payload: Mapping[str, Any]) -> Event:
        event = Event(
            id=str(uuid.uuid4()),
            type=f"{self._module}.{type}",
            community=self._community.slug,
            module=self._module,
            occurred=datetime.now(UTC),
            payload=dict(payload),
        )
        self._buffer.events.append(event)
        return event


class CoreHost:
    """The platform as one module sees it in one community."""

    def __init__(self, community: Community, module: str, buffer: EventBuffer | None = None):
        self.community = community
        self.module = module
        self.buffer = buffer or EventBuffer()
        self.members = _Members(community)
        self.events = _Events(community, module, self.buffer)
        self.payments: Any = _Unavailable("settlement")
        self.credit: Any = _Unavailable("community credit")
        self.dispatch: Any = _Unavailable("dispatch")
        self.deadlines: Any = _Unavailable("durable deadlines")
