"""The console's members page: members, verification requests, member scopes.

Deciding a request calls `linli.identity.verification.decide_request` and a scope change
`linli.identity.member_scopes`, as the API routes do, each as one unit of work.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import LinliError, Role
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from ...http.access import Access
from ...identity import member_scopes, verification
from ...identity.members import list_members
from ..web import act, form_of, page, visit_of

__all__ = ["member_routes"]

READ = Access.of(Role.OPERATOR, scope="read").opt
WRITE = Access.of(Role.OPERATOR, scope="admin").opt
BASE = "/c/{community:str}/members"


async def _page(request: Request[Any, Any, Any], error: LinliError | None = None) -> Template:
    visit = visit_of(request)
    where = visit.community
    members = await list_members(where)
    units = {u["id"]: f"{u['building']}-{u['room']}" for u in await verification.list_units(where)}
    names = {m["id"]: m["display_name"] for m in members}
    requests = [
        {**r, "name": names.get(r["member"], r["member"]), "unit_name": units.get(r["unit"], "")}
        for r in await verification.list_requests(where)
    ]
    grants = await member_scopes.list_grants(visit.platform.registry, where)
    return page(
        request, "members.html", error=error, members=members, requests=requests, grants=grants
    )


@get(BASE, opt=READ)
async def members(request: Request[Any, Any, Any]) -> Template:
    """The members with their roles, the pending verification requests, the member scopes."""
    return await _page(request)


@post(f"{BASE}/requests/{{request_id:int}}", opt=WRITE, status_code=303)
async def decide(
    request: Request[Any, Any, Any], community: FromPath[str], request_id: FromPath[int]
) -> Response[Any]:
    """Approve (the member becomes a verified resident of the unit) or refuse a request."""
    visit = visit_of(request)
    approve = (await form_of(request)).get("decision") == "approve"
    by = visit.caller.member_id if visit.caller else None
    return await act(
        request,
        lambda: verification.decide_request(visit.community, request_id, by, approve),
        again=_page,
        to=f"/c/{community}/members",
        notice=lambda status: f"Request {request_id} {status}.",
    )


@post(f"{BASE}/scopes/{{module:str}}/{{member_scope:str}}", opt=WRITE, status_code=303)
async def change_scope(
    request: Request[Any, Any, Any],
    community: FromPath[str],
    module: FromPath[str],
    member_scope: FromPath[str],
) -> Response[Any]:
    """Grant a module a member scope it declares here, or revoke it."""
    visit = visit_of(request)
    grant = (await form_of(request)).get("change") == "grant"
    change = member_scopes.grant_scope if grant else member_scopes.revoke_scope
    by = visit.caller.member_id if visit.caller else None
    word = "granted to" if grant else "revoked from"
    return await act(
        request,
        lambda: change(visit.platform.registry, visit.community, module, member_scope, by),
        again=_page,
        to=f"/c/{community}/members",
        notice=lambda _: f"{member_scope} {word} {module}.",
    )


def member_routes() -> list[Any]:
    """The members page and its decisions."""
    return [members, decide, change_scope]
