"""The core's implementation of the SDK host, bound to one community and one module.

Member look-up is served here; events (the outbox), durable deadlines and job dispatch by the
dispatch service. Payments and credit answer :class:`~linli_sdk.CapabilityUnavailable` until
their services are part of the platform; the SDK's test kit already implements them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from linli_sdk import CapabilityUnavailable, Community, Event, MemberView, Role

from .dispatch.jobs import JobDispatch
from .dispatch.ports import DurableDeadlines, record_event
from .settlement.payments import HostPayments
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
        # Written to the outbox in the current transaction; delivered after it commits.
        event = await record_event(self._community, self._module, f"{self._module}.{type}", payload)
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
        self.payments = HostPayments(community, module)
        self.credit: Any = _Unavailable("community credit")
        self.dispatch = JobDispatch(community, module)
        self.deadlines = DurableDeadlines(community, module)
