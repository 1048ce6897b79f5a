"""The kit's community: its members, their granted scopes, pickup points and uploads."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import InvalidInput
from ..host import MemberView, Upload
from ..manifest import Manifest
from ..network import PickupPointView
from ..roles import Role
from .host import InMemoryHost

__all__ = ["KitPeople"]


class KitPeople:
    """What a test puts in the kit's community before it calls the module (see `PluginKit`)."""

    host: InMemoryHost
    manifest: Manifest
    _ids: Iterator[int]

    def grant(self, *scopes: str) -> None:
        """Grant member scopes to the module, as an operator does for a community.

        Raises:
            InvalidInput: a scope the manifest's ``member_scopes`` does not declare.

        """
        undeclared = sorted(set(scopes) - self.manifest.member_scopes)
        if undeclared:
            raise InvalidInput(
                f"module {self.manifest.name} does not declare the member scopes "
                f"{', '.join(undeclared)}"
            )
        self.host.members.granted.update(scopes)

    def revoke(self, *scopes: str) -> None:
        """Withdraw member scopes granted with :meth:`grant`."""
        self.host.members.granted.difference_update(scopes)

    def add_member(
        self,
        display_name: str,
        *roles: Role,
        verified: bool = True,
        phone_masked: str | None = None,
        phone: str | None = None,
        unit: str | None = None,
        national_id: str | None = None,
        real_name: bool | None = None,
    ) -> MemberView:
        """Add a member to the community with ``roles`` (``member`` is implied).

        ``phone``, ``unit`` and ``national_id`` are the member's full record; the module sees
        each only when it declares and was granted the matching scope. ``phone_masked`` is
        derived from ``phone`` unless given; ``real_name`` is true when a ``national_id`` is.
        Returns the full record (what the host returns is filtered by the grants).
        """
        member = MemberView(
            id=next(self._ids),
            display_name=display_name,
            roles=frozenset({Role.MEMBER, *roles}),
            verified=verified,
            phone_masked=phone_masked or (phone and f"{phone[:3]}****{phone[-4:]}"),
            phone=phone,
            unit=unit,
            national_id=national_id,
            real_name=national_id is not None if real_name is None else real_name,
        )
        self.host.members.members[member.id] = member
        return member

    def add_pickup_point(
        self,
        name: str,
        *,
        host: MemberView | None = None,
        leader: MemberView | None = None,
        address: str = "",
        grid_warehouse: str | None = None,
    ) -> PickupPointView:
        """Add a pickup point (自提点) to the community, kept by ``host`` and led by ``leader``.

        The module reads it through ``host.pickup_points`` as it would the platform's network.
        """
        point = PickupPointView(
            id=len(self.host.pickup_points.points) + 1,
            name=name,
            address=address,
            grid_warehouse=grid_warehouse,
            host_id=None if host is None else host.id,
            leader_id=None if leader is None else leader.id,
        )
        self.host.pickup_points.points[point.id] = point
        return point

    async def upload(
        self, content: bytes, *, filename: str = "photo.jpg", media_type: str = "image/jpeg"
    ) -> Upload:
        """Keep a file as a caller's multipart upload would; pass the result as an input field."""
        return await self.host.files.save(filename=filename, media_type=media_type, content=content)
