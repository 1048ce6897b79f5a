"""Looking up communities."""

from __future__ import annotations

from linli_sdk import Community, NotFound

from linli.tables import Community as CommunityRow

__all__ = ["find_community", "get_community"]


async def find_community(slug: str) -> Community | None:
    """The community with this slug, or ``None``."""
    row = await CommunityRow.select().where(CommunityRow.slug == slug).first().run()
    if row is None:
        return None
    return Community(id=row["id"], slug=row["slug"], name=row["name"])


async def get_community(slug: str) -> Community:
    """The community with this slug; :class:`~linli_sdk.NotFound` if there is none."""
    community = await find_community(slug)
    if community is None:
        raise NotFound(f"there is no community {slug!r}")
    return community
