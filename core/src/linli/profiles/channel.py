"""Reminders sent as the platform's notifications (kind ``repurchase_due`` from ``profiles``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linli.unit_of_work import UnitOfWork

from .reminders import REMINDER_KIND, Reminder

if TYPE_CHECKING:
    from linli.notifications.service import NotificationService

__all__ = ["NotificationReminders"]


class NotificationReminders:
    """The reminder channel of a running platform: its notification service.

    Opt-outs, quiet hours (in the community's time zone) and rate limits apply as to every
    notification; the cycle's reference makes a repeat the first notification again.
    """

    def __init__(self, notifications: NotificationService) -> None:
        self._notifications = notifications

    async def remind(self, reminder: Reminder, unit: UnitOfWork) -> None:
        """Record the notification in the sweep's transaction; it is sent after commit."""
        await self._notifications.record(
            reminder.community,
            "profiles",
            reminder.member_id,
            REMINDER_KIND,
            reminder.data,
            ref=reminder.ref,
            unit=unit,
        )
