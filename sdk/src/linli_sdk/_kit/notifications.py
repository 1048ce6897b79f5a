"""The kit's notifications port: what would be sent, decided by the platform's own rules."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta
from typing import Any

from .._notification_rules import NotificationPolicy, QuietHours, decide
from ..context import Community
from ..errors import InvalidInput, NotFound
from ..manifest import Manifest
from ..notifications import Notification, NotificationStatus
from .members import KitMembers

_COUNTED = (NotificationStatus.QUEUED, NotificationStatus.HELD)
"""The statuses a rate limit counts: the notifications that are (or will be) sent."""


class KitNotifications:
    """The notifications port, kept in memory.

    ``sent`` lists every notification in order (with its status: opted-out and rate-limited
    ones too), ``contents`` the ``data`` of each one that is sent, by id, ``opt_outs`` the
    ``(member id, kind)`` pairs opted out (:meth:`opt_out`), ``policy`` the community's quiet
    hours and rate limit (:meth:`set_policy`); :meth:`due` lists what the channels have been
    sent by the kit's clock.
    """

    def __init__(
        self,
        manifest: Manifest,
        community: Community,
        members: KitMembers,
        clock: Callable[[], datetime],
    ) -> None:
        self._manifest, self._community, self._members, self._now = (
            manifest,
            community,
            members,
            clock,
        )
        self.sent: list[Notification] = []
        self.contents: dict[str, dict[str, Any]] = {}
        self.refs: dict[str, str] = {}
        self.sent_at: dict[str, datetime] = {}
        self.opt_outs: set[tuple[int, str]] = set()
        self.policy = NotificationPolicy()

    async def send(
        self,
        member_id: int,
        kind: str,
        data: Mapping[str, Any],
        *,
        ref: str | None = None,
    ) -> Notification:
        if self._manifest.notification_kind(kind) is None:
            raise InvalidInput(
                f"{kind!r} is not a notification kind {self._manifest.name} declares",
                field="kind",
            )
        if member_id not in self._members.members:
            raise NotFound(f"no member {member_id} in this community")
        if ref is not None and ref in self.refs:
            return next(n for n in self.sent if n.id == self.refs[ref])
        now = self._now()
        since = now - self.policy.rate_window
        recent = sum(
            1
            for n in self.sent
            if n.member_id == member_id
            and n.kind == kind
            and n.status in _COUNTED
            and self.sent_at[n.id] > since
        )
        decision = decide(
            now=now,
            zone=self._community.zone,
            policy=self.policy,
            opted_out=(member_id, kind) in self.opt_outs,
            recent=recent,
        )
        notification = Notification(
            id=str(uuid.uuid4()),
            member_id=member_id,
            kind=kind,
            status=decision.status,
            deliver_at=decision.deliver_at,
        )
        self.sent.append(notification)
        self.sent_at[notification.id] = now
        if notification.deliver_at is not None:
            self.contents[notification.id] = dict(data)
        if ref is not None:
            self.refs[ref] = notification.id
        return notification

    def opt_out(self, member_id: int, kind: str) -> None:
        """The member opts out of ``kind`` (as through the resident API)."""
        self.opt_outs.add((member_id, kind))

    def opt_in(self, member_id: int, kind: str) -> None:
        """The member receives ``kind`` again."""
        self.opt_outs.discard((member_id, kind))

    def set_policy(
        self,
        *,
        quiet_start: time | None = None,
        quiet_end: time | None = None,
        rate_limit: int | None = None,
        rate_window: timedelta | None = None,
    ) -> None:
        """Set the community's quiet hours (local, ``start == end``: none) and rate limit."""
        current = self.policy
        self.policy = NotificationPolicy(
            quiet_hours=QuietHours(
                quiet_start if quiet_start is not None else current.quiet_hours.start,
                quiet_end if quiet_end is not None else current.quiet_hours.end,
            ),
            rate_limit=rate_limit if rate_limit is not None else current.rate_limit,
            rate_window=rate_window if rate_window is not None else current.rate_window,
        )

    def due(self) -> list[Notification]:
        """The notifications the channels have been sent by now (queued, and held ones due)."""
        now = self._now()
        return [n for n in self.sent if n.deliver_at is not None and n.deliver_at <= now]
