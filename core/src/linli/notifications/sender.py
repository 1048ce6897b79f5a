"""Sending: each due delivery claimed, sent on its channel, marked and logged, once.

A queued notification is sent in the background as soon as its call commits (the call does
not wait for the channels); held and retried ones by the dispatch worker.

A delivery is leased (its ``run_at`` moved past the attempt) before it is sent, so a process
that dies mid-send leaves it to be tried again: delivery is at least once, and every attempt
carries the notification's id (the webhook's ``webhook-id``, the SMS gateway's idempotency
key), so the receiver keeps one. A failed attempt is retried with the dispatch worker's
backoff; a notification's ``data`` is forgotten once no delivery of it is pending.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from ..dispatch.store import as_datetime, claim, community_by_id, epoch_ms, json_value
from .channels import ChannelFailed, SmsGateway, send_on
from .sendlog import log_send
from .tables import NotificationChannel, NotificationDelivery, NotificationMessage

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["NotificationSender"]

log = logging.getLogger(__name__)


class NotificationSender:
    """Sends due deliveries for one platform process."""

    def __init__(
        self,
        platform: Platform,
        gateways: Mapping[str, SmsGateway],
        clock: Callable[[], datetime],
    ) -> None:
        self.platform, self.gateways, self.clock = platform, gateways, clock
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def client(self) -> httpx.AsyncClient:
        """The process's HTTP client for webhooks, made on first use (its TLS setup is costly)."""
        if self._client is None:
            timeout = httpx.Timeout(self.platform.settings.dispatch_webhook_timeout_seconds)
            self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        return self._client

    def soon(self, notification_id: str) -> None:
        """Send one notification in the background, once its call has answered.

        The caller does not wait for the channels; if this process dies first, the worker
        sends it when its lease is over.
        """
        task = asyncio.get_running_loop().create_task(
            self._deliver_logged(notification_id), name=f"linli-notify-{notification_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver_logged(self, notification_id: str) -> None:
        try:
            await self.deliver_message(notification_id)
        except Exception:  # the worker tries again; the call that sent it has answered
            log.exception("sending notification %s failed; the worker will retry", notification_id)

    async def idle(self) -> None:
        """Wait until every background send of this process has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Finish the background sends and close the HTTP client."""
        await self.idle()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def deliver_message(self, notification_id: str) -> None:
        """Send what is due of one notification now (the fast path after its call commits)."""
        row = await NotificationMessage.select(NotificationMessage.id).where(
            NotificationMessage.notification_id == notification_id
        )
        if row:
            await self.deliver_due(message_id=row[0]["id"])

    async def deliver_due(self, limit: int = 100, *, message_id: int | None = None) -> int:
        """Send up to ``limit`` due deliveries (of one message if given); returns how many."""
        done = 0
        for _ in range(limit):
            if not await self._deliver_next(message_id):
                break
            done += 1
        return done

    async def _deliver_next(self, message_id: int | None) -> bool:
        now_ms = epoch_ms(self.clock())
        lease = int(self.platform.settings.dispatch_lease_seconds * 1000)
        where, args = "status = 'pending' AND run_at <= {}", [now_ms]
        if message_id is not None:
            where, args = where + " AND message = {}", [*args, message_id]
        claimed = await claim(
            "linli_notifications_delivery",
            "run_at = {}, attempts = attempts + 1",
            [now_ms + lease],
            where,
            args,
        )
        if claimed is None:
            return False
        message = (
            await NotificationMessage.select()
            .where(NotificationMessage.id == claimed["message"])
            .first()
        )
        channel = (
            await NotificationChannel.select()
            .where(NotificationChannel.id == claimed["channel"])
            .first()
        )
        assert message is not None and channel is not None  # both are referenced by the row
        message = {**message, "data": json_value(message["data"])}
        message["created_at"] = as_datetime(message["created_at"])
        label = f"{channel['kind']}:{channel['id']}"
        try:
            if channel["status"] != "active":
                raise ChannelFailed("the channel is paused", final=True)
            community = await community_by_id(claimed["community"])
            await send_on(
                self.platform,
                self.client(),
                channel,
                message,
                community.slug,
                text=self._text(message),
                gateways=self.gateways,
                allow=self.platform.worker.allow,
            )
        except ChannelFailed as failed:
            if failed.final:
                await self._settle(claimed, message, label, "failed", str(failed))
            else:
                await self.platform.worker.retries.postpone(
                    "linli_notifications_delivery", claimed, str(failed)
                )
                await log_send(message, "retrying", label)
                await _forget_if_done(message["id"])
            return True
        await self._settle(claimed, message, label, "sent")
        return True

    def _text(self, message: Mapping[str, Any]) -> str:
        loaded = self.platform.registry.get(message["module"])
        kind = loaded.manifest.notification_kind(message["kind"]) if loaded else None
        return kind.render(message["data"]) if kind else message["kind"]

    async def _settle(
        self,
        claimed: Mapping[str, Any],
        message: Mapping[str, Any],
        label: str,
        status: str,
        error: str = "",
    ) -> None:
        values: dict[Any, Any] = {NotificationDelivery.status: status}
        if status == "sent":
            values[NotificationDelivery.sent_at] = datetime.now(UTC)
        if error:
            values[NotificationDelivery.last_error] = error
        await (
            NotificationDelivery.update(values)
            .where(NotificationDelivery.id == claimed["id"])
            .run()
        )
        await log_send(message, status, label)
        await _forget_if_done(message["id"])


async def _forget_if_done(message_id: int) -> None:
    """Forget a notification's ``data`` once no delivery of it is pending (sent or given up)."""
    pending = await NotificationDelivery.exists().where(
        (NotificationDelivery.message == message_id) & (NotificationDelivery.status == "pending")
    )
    if not pending:
        await (
            NotificationMessage.update({NotificationMessage.data: {}})
            .where(NotificationMessage.id == message_id)
            .run()
        )
