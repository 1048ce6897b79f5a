"""The notification service: record in the caller's transaction, send after it commits.

``record`` decides a notification by the community's rules (opt-outs, the rate limit, quiet
hours in its time zone; :mod:`linli.notifications.rules`), writes it and one delivery per
active channel in the current transaction, and logs the decision. A queued notification is
sent in the background as soon as the call commits (the unit of work's after-commit step),
without the call waiting for it; a held one, and any that failed, are sent by the dispatch
worker when due (:mod:`linli.notifications.sender`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from linli_sdk import Community, Notification, NotificationStatus

from ..db.savepoint import savepoint
from ..dispatch.store import epoch_ms
from ..idempotency import unique_violation
from ..unit_of_work import UnitOfWork
from .channels import SandboxSms, SmsGateway
from .preferences import opt_out_key
from .rules import COUNTED, decide, policy_of
from .sender import NotificationSender
from .sendlog import log_send
from .tables import (
    NotificationChannel,
    NotificationDelivery,
    NotificationMessage,
    NotificationOptOut,
    NotificationPolicyRow,
)

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["NotificationService"]


def _notification(row: Mapping[str, Any]) -> Notification:
    return Notification(
        id=row["notification_id"],
        member_id=row["member"],
        kind=row["kind"],
        status=NotificationStatus(row["status"]),
        deliver_at=row["deliver_at"],
    )


class NotificationService:
    """Notifications for the whole platform; modules reach it through their host.

    Args:
        platform: The platform (its registry renders texts, its worker retries).
        sms_gateways: The SMS gateways an operator may name; the sandbox by default.
        clock: The current moment (UTC); the wall clock by default.

    """

    def __init__(
        self,
        platform: Platform,
        *,
        sms_gateways: Iterable[SmsGateway] = (),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.platform = platform
        self.gateways: dict[str, SmsGateway] = {"sandbox": SandboxSms()}
        self.gateways.update({gateway.name: gateway for gateway in sms_gateways})
        self.clock = clock or (lambda: datetime.now(UTC))
        self.sender = NotificationSender(platform, self.gateways, lambda: self.clock())

    async def record(
        self,
        community: Community,
        module: str,
        member_id: int,
        kind: str,
        data: Mapping[str, Any],
        *,
        ref: str | None,
        unit: UnitOfWork,
    ) -> Notification:
        """Decide and record one notification in the current transaction (see the module)."""
        notification_id = str(uuid.uuid4())
        scope = f"{community.id}:{module}:{ref if ref is not None else '#' + notification_id}"
        if ref is not None:
            first = await NotificationMessage.select().where(NotificationMessage.scope_key == scope)
            if first:
                return _notification(first[0])
        now = self.clock()
        policy = policy_of(
            await NotificationPolicyRow.select()
            .where(NotificationPolicyRow.community == community.id)
            .first()
        )
        opted_out = await NotificationOptOut.exists().where(
            NotificationOptOut.scope_key == opt_out_key(community.id, member_id, f"{module}.{kind}")
        )
        recent = await NotificationMessage.count().where(
            (NotificationMessage.community == community.id)
            & (NotificationMessage.member == member_id)
            & (NotificationMessage.module == module)
            & (NotificationMessage.kind == kind)
            & NotificationMessage.status.is_in(list(COUNTED))
            & (NotificationMessage.created_at > now - policy.rate_window)
        )
        decision = decide(
            now=now, zone=community.zone, policy=policy, opted_out=opted_out, recent=recent
        )
        row = NotificationMessage(
            community=community.id,
            notification_id=notification_id,
            scope_key=scope,
            module=module,
            kind=kind,
            member=member_id,
            data=dict(data) if decision.deliver_at is not None else {},
            status=decision.status.value,
            deliver_at=decision.deliver_at,
            created_at=now,
        )
        try:
            async with savepoint(NotificationMessage._meta.db):
                await NotificationMessage.insert(row).run()
        except Exception as exc:  # a concurrent send of the same ref committed first
            if ref is None or not unique_violation(exc):
                raise
            first = await NotificationMessage.select().where(NotificationMessage.scope_key == scope)
            if not first:
                raise
            return _notification(first[0])
        message = {**row.to_dict(), "member": member_id}
        await log_send(message, decision.status.value)
        if decision.deliver_at is not None:
            await self._plan_deliveries(community, row.id, message, epoch_ms(decision.deliver_at))
            if decision.status is NotificationStatus.QUEUED:

                async def send_soon() -> None:
                    self.sender.soon(notification_id)

                unit.after_commit(send_soon)
        return _notification(message)

    async def _plan_deliveries(
        self, community: Community, message_id: int, message: Mapping[str, Any], run_at: int
    ) -> None:
        """One pending delivery per active channel; ``no_channel`` in the log if there is none."""
        channels = await NotificationChannel.select(NotificationChannel.id).where(
            (NotificationChannel.community == community.id)
            & (NotificationChannel.status == "active")
        )
        if not channels:  # nothing will send it: keep none of its content
            await log_send(message, "no_channel")
            await NotificationMessage.update({NotificationMessage.data: {}}).where(
                NotificationMessage.id == message_id
            )
            return
        await NotificationDelivery.insert(
            *(
                NotificationDelivery(
                    community=community.id,
                    message=message_id,
                    channel=channel["id"],
                    status="pending",
                    run_at=run_at,
                )
                for channel in channels
            )
        ).run()
