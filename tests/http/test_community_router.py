"""The community router: one guard for tenancy and access, and the caller provided to handlers."""

from __future__ import annotations

import linli.http.app as app_module
from linli.http.access import Access
from linli.http.community import Where, Who, community_router
from linli_sdk import Role
from litestar import get


@get("/whoami", opt=Access.of(Role.RESIDENT).opt)
async def whoami(where: Where, caller: Who) -> dict[str, object]:
    """Answer what the router provided."""
    return {"community": where.slug, "member": caller.member_id}


async def test_the_router_authenticates_checks_the_roles_and_provides_the_caller(
    start_platform, monkeypatch
):
    routes = app_module.platform_routes
    probe = community_router("/probe", [whoami], tag="probe")
    monkeypatch.setattr(app_module, "platform_routes", lambda platform: [*routes(platform), probe])
    async with start_platform() as running:
        url = "/v1/communities/home/probe/whoami"
        mine = await running.client.get(url, headers=running.auth("resident"))
        assert mine.status_code == 200, mine.text
        assert mine.json() == {"community": "home", "member": running.people["resident"].id}
        assert (await running.client.get(url)).status_code == 401
        newcomer = await running.client.get(url, headers=running.auth("newcomer"))
        assert newcomer.status_code == 403  # a member without the route's role
        stranger = await running.client.get(url, headers=running.auth("stranger"))
        assert stranger.status_code == 403  # a member of another community
        assert stranger.headers["content-type"].startswith("application/problem+json")
