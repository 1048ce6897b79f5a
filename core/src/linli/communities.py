"""Looking up communities."""

from __future__ import annotations

from linli_sdk import Community, NotFound

from .tables import Community as CommunityRow

__all__ = ["get_community"]


async def get_community(slug: str) -> Community:
    """The community with this slug; :class:`~linli_sdk.NotFound` if there is none."""
    row = await CommunityRow.select().where(CommunityRow.slug == slug).first().run()
    if row is None:
        raise NotFound(f"there is no community {slug!r}")
    return Community(id=row["id"], slug=row["slug"], name=row["name"])
