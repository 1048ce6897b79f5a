"""Repurchase reminders (复购唤醒): due ones found and sent, at most one per item and cycle.

The sweep reads the tags of members whose consent is in force (and not marked "not for me"),
asks :func:`.rules.reminder_due` whether each is due today in the community's time zone, and
for each due one records the reminder and hands it to the reminder channel in one
transaction. The record's unique key (member, item, cycle start) makes a second reminder for
the same cycle impossible, also when two workers sweep at once: the loser's insert does
nothing and it sends nothing. The channel is the notifications service (opt-outs, quiet
hours and rate limits are its business); the reference it is given is the cycle's, so a
channel that dedupes by reference sends it once as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from linli_sdk import Community

from linli.db.runtime import current_engine
from linli.unit_of_work import UnitOfWork

from . import rules, store

__all__ = ["REMINDER_KIND", "Reminder", "ReminderChannel", "send_due_reminders"]

REMINDER_KIND = "repurchase_due"
"""The kind of notification a repurchase reminder is (members may opt out of it)."""


@dataclass(frozen=True, slots=True)
class Reminder:
    """One repurchase reminder: to ``member_id`` in ``community``, about ``data``.

    ``ref`` names the item's cycle (a channel that dedupes by reference sends it once).
    """

    community: Community
    member_id: int
    data: Mapping[str, Any]
    ref: str


class ReminderChannel(Protocol):
    """Where reminders go: the platform's notifications."""

    async def remind(self, reminder: Reminder, unit: UnitOfWork) -> None:
        """Notify the reminder's member of a repurchase due.

        Called in the transaction that records the reminder; what must wait for the commit
        goes to ``unit``, which the sweep delivers once it has committed.
        """
        ...


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def send_due_reminders(
    community: Community,
    now: datetime,
    channel: ReminderChannel,
    *,
    lead_days: int = rules.LEAD_DAYS,
) -> int:
    """Send every reminder due at ``now`` in ``community``; how many were sent."""
    today = community.local(now).date()
    sent = 0
    for tag in await store.reminder_candidates(community.id):
        cycle_days = tag["corrected_cycle_days"] or tag["cycle_days"]
        last, member, item = _day(tag["last_purchase"]), tag["member"], tag["item"]
        cycles = await store.sent_cycles(community.id, member, item)
        if not rules.reminder_due(today, last, cycle_days, sent_cycles=cycles, lead_days=lead_days):
            continue
        unit = UnitOfWork(community=community)
        async with current_engine().transaction():
            if not await store.record_reminder(community.id, member, item, last, now):
                continue  # another sweep sent this cycle's reminder
            data = {
                "item": item,
                "item_name": tag["item_name"],
                "cycle_days": cycle_days,
                "last_purchase": last.isoformat(),
            }
            ref = f"{REMINDER_KIND}:{item}:{last.isoformat()}"
            await channel.remind(Reminder(community, member, data, ref), unit)
        await unit.deliver()  # committed: what the channel deferred (the send) runs now
        sent += 1
    return sent
