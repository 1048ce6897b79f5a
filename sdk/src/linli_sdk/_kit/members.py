"""The kit's members port: members' records, shown only through the scopes declared and granted."""

from __future__ import annotations

from ..host import MemberView
from ..manifest import Manifest
from ..roles import Role

_SCOPED_FIELDS = {
    "members.phone": "phone",
    "members.unit": "unit",
    "members.national_id": "national_id",
}
"""Which :class:`MemberView` field each member scope fills."""


class KitMembers:
    """The members port: full records, filtered by the member scopes declared and granted."""

    def __init__(self, manifest: Manifest) -> None:
        self._manifest = manifest
        self.members: dict[int, MemberView] = {}
        self.granted: set[str] = set()
        self.national_id_views: list[tuple[int, str]] = []

    async def get(self, member_id: int, purpose: str = "") -> MemberView | None:
        record = self.members.get(member_id)
        if record is None:
            return None
        allowed = self._manifest.member_scopes & self.granted
        hidden = {field: None for scope, field in _SCOPED_FIELDS.items() if scope not in allowed}
        view = record.model_copy(update=hidden)
        if view.national_id is not None:
            self.national_id_views.append((member_id, purpose))
        return view

    async def with_role(self, role: Role) -> list[int]:
        return sorted(i for i, m in self.members.items() if role in m.roles)
