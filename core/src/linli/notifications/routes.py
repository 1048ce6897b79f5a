"""The notification routes: ``/v1/communities/{community}/notifications/...``.

Members list the kinds of notification the community's modules send and opt out of (or back
in to) each, and read their own lines of the send log; operators add channels, set quiet
hours and the rate limit, and read the whole log. Writes run as one unit of work each.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from linli_sdk import Caller, Forbidden, Role
from litestar import Request, Response
from litestar.params import FromPath, FromQuery, JSONBody

from linli.http.handlers import get, patch, post, put

from ..http.access import Access
from ..http.community import COMMUNITY, AsCommand, CommunityController, Where, Who
from ..platform import Platform
from . import preferences
from .schemas import (
    NOTIFICATIONS_RESPONSES,
    ChannelChange,
    ChannelIn,
    ChannelOut,
    KindChoice,
    KindOut,
    LogLine,
    PolicyIn,
    PolicyOut,
)

__all__ = ["NotificationsController", "routes"]

_OPERATOR = Access.of(Role.OPERATOR, scope="admin").opt


def _member(caller: Caller) -> int:
    if caller.member_id is None:
        raise Forbidden("only a member has notification choices")
    return caller.member_id


class NotificationsController(CommunityController):
    """The notification service's community routes."""

    path = COMMUNITY + "/notifications"
    tags = ["notifications"]

    @get(
        "/kinds",
        opt=Access.member().opt,
        summary="What the community may notify me of",
        responses=NOTIFICATIONS_RESPONSES,
    )
    async def kinds(
        self, request: Request[Any, Any, Any], where: Where, caller: Who
    ) -> list[KindOut]:
        """Every kind the enabled modules send, each with its description and my choice."""
        platform: Platform = request.app.state.platform
        rows = await preferences.kinds_for(platform.registry, where, _member(caller))
        return [KindOut(**row) for row in rows]

    @put(
        "/kinds/{kind:str}",
        opt=Access.member().opt,
        summary="Opt out of (or in to) a kind",
        responses=NOTIFICATIONS_RESPONSES,
    )
    async def choose(
        self,
        command: AsCommand,
        where: Where,
        caller: Who,
        kind: FromPath[str],
        data: JSONBody[KindChoice],
    ) -> Response[KindOut]:
        """``opted_out: true`` and the kind is no longer sent to me; ``false`` and it is again."""
        platform = command.platform
        member_id = _member(caller)

        async def run() -> KindOut:
            change = preferences.opt_out if data.opted_out else preferences.opt_in
            await change(platform.registry, where, member_id, kind)
            rows = await preferences.kinds_for(platform.registry, where, member_id)
            return next(
                (KindOut(**row) for row in rows if row["kind"] == kind),
                KindOut(
                    kind=kind,
                    module=kind.partition(".")[0],
                    description="",
                    opted_out=data.opted_out,
                ),
            )

        return await command.answer(run)

    @get("/log", opt=Access.member().opt, summary="The send log", responses=NOTIFICATIONS_RESPONSES)
    async def send_log(
        self, where: Where, caller: Who, limit: FromQuery[int] = 100
    ) -> list[LogLine]:
        """What was sent and what became of it, newest first; never the content.

        Operators and auditors see every member's lines, a member their own.
        """
        everyone = caller.has_role(Role.OPERATOR, Role.AUDITOR) or caller.member_id is None
        rows = await preferences.send_log(
            where, member_id=None if everyone else caller.member_id, limit=max(1, min(limit, 500))
        )
        return [LogLine(**row) for row in rows]

    @get(
        "/channels",
        opt=_OPERATOR,
        summary="The community's channels",
        responses=NOTIFICATIONS_RESPONSES,
    )
    async def channels(self, where: Where) -> list[ChannelOut]:
        """The webhook and SMS channels notifications go out on (operators)."""
        return [ChannelOut(**row) for row in await preferences.channels(where)]

    @post(
        "/channels",
        opt=_OPERATOR,
        status_code=201,
        summary="Add a channel",
        responses=NOTIFICATIONS_RESPONSES,
    )
    async def add_channel(
        self,
        command: AsCommand,
        where: Where,
        data: JSONBody[ChannelIn],
    ) -> Response[ChannelOut]:
        """Add a signed webhook to the community's frontend, or SMS through a gateway (operators).

        A webhook's answer carries its signing secret, once.
        """
        platform = command.platform
        allow = [
            ipaddress.ip_network(net, strict=False)
            for net in platform.settings.dispatch_webhook_allow
        ]

        async def run() -> ChannelOut:
            if data.kind == "webhook":
                return ChannelOut(**await preferences.add_webhook_channel(where, data.url, allow))
            gateways = platform.notifications.gateways
            return ChannelOut(**await preferences.add_sms_channel(where, data.gateway, gateways))

        return await command.answer(run, status=201)

    @patch(
        "/channels/{channel_id:int}",
        opt=_OPERATOR,
        summary="Pause or resume a channel",
        responses=NOTIFICATIONS_RESPONSES,
    )
    async def change_channel(
        self,
        where: Where,
        channel_id: FromPath[int],
        data: JSONBody[ChannelChange],
    ) -> ChannelOut:
        """A paused channel is sent nothing; what was pending for it is given up (operators)."""
        return ChannelOut(**await preferences.set_channel_status(where, channel_id, data.status))

    @get(
        "/policy",
        opt=Access.member().opt,
        summary="Quiet hours and rate limit",
        responses=NOTIFICATIONS_RESPONSES,
    )
    async def policy(self, where: Where) -> PolicyOut:
        """The community's quiet hours (in its time zone) and rate limit per member and kind."""
        return PolicyOut(**await preferences.policy(where))

    @put(
        "/policy",
        opt=_OPERATOR,
        summary="Set quiet hours and the rate limit",
        responses=NOTIFICATIONS_RESPONSES,
    )
    async def set_policy(
        self,
        command: AsCommand,
        where: Where,
        data: JSONBody[PolicyIn],
    ) -> Response[PolicyOut]:
        """Nothing is sent in quiet hours (held until they end); ``start == end`` means none."""
        return await command.answer_row(
            PolicyOut,
            lambda: preferences.set_policy(where, **data.model_dump()),
        )


def routes() -> list[Any]:
    """The notification service's routes: its controller."""
    return [NotificationsController]
