"""The console's communities: the list, creating, renaming and archiving one.

Each action calls what the API route calls (`linli.identity.communities`), with the input
read into the API's own models (`CommunityIn`, `CommunityChange`), under the same `Access`.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import LinliError, Role
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from ...http.access import Access
from ...identity import communities
from ...identity.community_schemas import CommunityChange, CommunityIn
from ..web import command, form_of, page, parsed, see, submit, visit_of

__all__ = ["community_routes"]

OPERATOR = Access.of(Role.OPERATOR).opt
OPERATOR_WRITE = Access.of(Role.OPERATOR, scope="admin").opt


async def _home(request: Request[Any, Any, Any], error: LinliError | None = None) -> Template:
    visit = visit_of(request)
    assert visit.operator is not None
    if visit.platform_operator:
        rows = await communities.list_communities(archived=True)
    else:
        rows = [await communities.get_record(slug) for slug in visit.operator.communities]
    return page(request, "home.html", communities=rows, error=error)


@get("/", opt=Access.member().opt)
async def home(request: Request[Any, Any, Any]) -> Template:
    """The communities the operator runs (every one, for the platform operator)."""
    return await _home(request)


@post("/communities", opt=Access.platform().opt, status_code=303)
async def create(request: Request[Any, Any, Any]) -> Response[Any]:
    """Create a community (platform operator), with its time zone and currency."""
    visit = visit_of(request)
    try:
        data = parsed(CommunityIn, await form_of(request), "community")
        made = await command(
            visit,
            lambda: communities.create_community(
                data.slug, data.name, timezone=data.timezone, currency=data.currency
            ),
        )
    except LinliError as exc:
        return await _home(request, exc)
    return see(f"/c/{made.slug}", f"Community {made.name} created.")


async def _overview(request: Request[Any, Any, Any], error: LinliError | None = None) -> Template:
    record = await communities.get_record(visit_of(request).community.slug)
    return page(request, "community.html", record=record, error=error)


@get("/c/{community:str}", opt=OPERATOR)
async def overview(request: Request[Any, Any, Any]) -> Template:
    """One community: its name, time zone, currency, and the areas to run it."""
    return await _overview(request)


@post("/c/{community:str}/rename", opt=OPERATOR_WRITE, status_code=303)
async def rename(request: Request[Any, Any, Any], community: FromPath[str]) -> Response[Any]:
    """Rename the community or move it to another time zone (operators)."""
    visit = visit_of(request)
    return await submit(
        request,
        CommunityChange,
        "change",
        lambda data: communities.update_community(
            visit.community.slug, name=data.name, timezone=data.timezone
        ),
        again=_overview,
        to=f"/c/{community}",
        notice=lambda _, __: "Saved.",
    )


@post("/c/{community:str}/archive", opt=Access.platform().opt, status_code=303)
async def archive(request: Request[Any, Any, Any], community: FromPath[str]) -> Response[Any]:
    """Archive the community (platform operator): its members are refused from now on."""
    visit = visit_of(request)
    await command(visit, lambda: communities.archive_community(visit.community.slug))
    return see("/", f"Community {community} archived.")


def community_routes() -> list[Any]:
    """The community list and one community's own page."""
    return [home, create, overview, rename, archive]
