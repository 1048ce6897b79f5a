"""The host's ``notifications`` port (the SDK's ``Notifications``), served by the service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from linli_sdk import Community, InvalidInput, NotFound, Notification

from ..tables import Member
from ..unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["HostNotifications"]


class HostNotifications:
    """``host.notifications`` for one module in one community, within one unit of work."""

    def __init__(
        self, platform: Platform, community: Community, module: str, unit: UnitOfWork
    ) -> None:
        self._platform, self._community, self._module, self._unit = (
            platform,
            community,
            module,
            unit,
        )

    async def send(
        self,
        member_id: int,
        kind: str,
        data: Mapping[str, Any],
        *,
        ref: str | None = None,
    ) -> Notification:
        """Notify a member (SDK ``Notifications.send``): recorded now, sent after commit."""
        loaded = self._platform.registry.get(self._module)
        if loaded is None or loaded.manifest.notification_kind(kind) is None:
            raise InvalidInput(
                f"{kind!r} is not a notification kind {self._module} declares", field="kind"
            )
        member = await Member.exists().where(
            (Member.id == member_id) & (Member.community == self._community.id)
        )
        if not member:
            raise NotFound(f"no member {member_id} in this community")
        return await self._platform.notifications.record(
            self._community, self._module, member_id, kind, data, ref=ref, unit=self._unit
        )
