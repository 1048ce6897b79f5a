"""The host's ``deadlines`` and ``events`` ports, backed by the dispatch tables.

Both write inside whatever transaction is current, so a deadline scheduled or an event
published by an operation commits with the operation's own writes, or not at all.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from linli_sdk import Community, Deadline, Event, InvalidInput, Manifest

from linli.db.raw import fetch

from .store import epoch_ms
from .tables import OutboxEvent, ScheduledDeadline

__all__ = ["DurableDeadlines", "record_event", "record_events"]


class DurableDeadlines:
    """Deadlines of one module in one community, kept in ``linli_dispatch_deadline``.

    A key is unique per community and module: scheduling it again moves it (and re-arms it if
    it had already fired or was cancelled). A module whose ``manifest`` declares deadline
    handlers may schedule only keys one of them takes.
    """

    def __init__(self, community: Community, module: str, manifest: Manifest | None = None):
        self._community, self._module, self._manifest = community, module, manifest

    def _scope(self, key: str) -> str:
        return f"{self._community.id}:{self._module}:{key}"

    async def schedule(self, key: str, due: datetime, payload: Mapping[str, Any]) -> Deadline:
        """Schedule (or move) the deadline ``key``; ``due`` must be timezone-aware."""
        if due.tzinfo is None or due.utcoffset() is None:
            raise InvalidInput(f"deadline {key!r}: 'due' must be timezone-aware (UTC), got {due}")
        if self._manifest is not None:
            self._manifest.deadline_handler(key)  # refuses a key no declared handler takes
        deadline = Deadline(key=key, due=due.astimezone(UTC), payload=dict(payload))
        values: dict[Any, Any] = {
            ScheduledDeadline.due: deadline.due,
            ScheduledDeadline.run_at: epoch_ms(deadline.due),
            ScheduledDeadline.payload: deadline.payload,
            ScheduledDeadline.status: "pending",
            ScheduledDeadline.attempts: 0,
            ScheduledDeadline.last_error: "",
        }
        moved = (
            await ScheduledDeadline.update(values)
            .where(
                (ScheduledDeadline.community == self._community.id)
                & (ScheduledDeadline.scope_key == self._scope(key))
            )
            .returning(ScheduledDeadline.id)
            .run()
        )
        if not moved:
            row = ScheduledDeadline(
                community=self._community.id,
                module=self._module,
                key=key,
                scope_key=self._scope(key),
            )
            for column, value in values.items():
                setattr(row, column._meta.name, value)
            await ScheduledDeadline.insert(row).run()
        return deadline

    async def cancel(self, key: str) -> bool:
        """Cancel the deadline ``key``; ``False`` if there was none pending."""
        cancelled = (
            await ScheduledDeadline.update({ScheduledDeadline.status: "cancelled"})
            .where(
                (ScheduledDeadline.community == self._community.id)
                & (ScheduledDeadline.scope_key == self._scope(key))
                & (ScheduledDeadline.status == "pending")
            )
            .returning(ScheduledDeadline.id)
            .run()
        )
        return bool(cancelled)


def new_event(
    community: Community, module: str | None, type: str, payload: Mapping[str, Any]
) -> Event:
    """A domain event occurring now, with a new id (not yet written)."""
    return Event(
        id=str(uuid.uuid4()),
        type=type,
        community=community.slug,
        module=module,
        occurred=datetime.now(UTC),
        payload=dict(payload),
    )


async def record_event(
    community: Community,
    module: str | None,
    type: str,
    payload: Mapping[str, Any],
    *,
    event: Event | None = None,
    fanned: bool = False,
) -> Event:
    """Write a domain event to the outbox (in the current transaction) and return it.

    ``fanned``: nobody receives it (`linli.dispatch.events.outbox.targets_of` found no
    target), so it is written as already fanned out and no fan-out runs after the commit.
    """
    event = event or new_event(community, module, type, payload)
    await record_events([(community, event)], fanned=fanned)
    return event


async def record_events(events: Sequence[tuple[Community, Event]], *, fanned: bool = False) -> None:
    """Write domain events (each with its community) to the outbox in one multi-row insert.

    In the current transaction, as `record_event` writes one; each event's ``module`` is the
    one that published it (``None`` for the core). Written SQL: every call that publishes runs
    it, and building the rows with Piccolo cost more than the insert. A payload is JSON text as
    Piccolo writes it (``default=str``).
    """
    status = "fanned" if fanned else "new"
    for start in range(0, len(events), _EVENTS_PER_INSERT):
        chunk = events[start : start + _EVENTS_PER_INSERT]
        args: list[Any] = []
        for community, event in chunk:
            payload = json.dumps(event.payload, default=str)
            args += [community.id, community.slug, event.id, event.type, event.module]
            args += [event.occurred, payload, status]
        await fetch(OutboxEvent._meta.db, _RECORD_EVENTS + ", ".join([_ROW] * len(chunk)), *args)


_EVENTS_PER_INSERT = 2000
"""Events per insert: 8 values each, under SQLite's and PostgreSQL's limits of bound values."""

_RECORD_EVENTS = (
    "INSERT INTO linli_dispatch_outbox "
    "(community, community_slug, event_id, type, module, occurred, payload, status) VALUES "
)
_ROW = "({}, {}, {}, {}, {}, {}, {}, {})"
