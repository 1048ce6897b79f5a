"""The community controller: one guard for tenancy and access, the caller provided to handlers,
and its routes in the order they are declared."""

from __future__ import annotations

import linli.http.app as app_module
from linli.http.access import Access
from linli.http.app import create_app
from linli.http.community import COMMUNITY, CommunityController, Where, Who
from linli.settings import Settings
from linli_sdk import Role
from litestar import get


class Probe(CommunityController):
    """A service's controller, as the core's services declare theirs."""

    path = COMMUNITY + "/probe"
    tags = ["probe"]

    @get("/whoami", opt=Access.of(Role.RESIDENT).opt)
    async def whoami(self, where: Where, caller: Who) -> dict[str, object]:
        """Answer what the controller provided."""
        return {"community": where.slug, "member": caller.member_id}

    @get("/anyone", opt=Access.member().opt)
    async def anyone(self, where: Where) -> str:
        """Declared after ``whoami``, though its name sorts first."""
        return where.slug


async def test_the_controller_authenticates_checks_the_roles_and_provides_the_caller(
    start_platform, monkeypatch
):
    routes = app_module.platform_routes
    monkeypatch.setattr(app_module, "platform_routes", lambda platform: [*routes(platform), Probe])
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


def test_the_document_lists_a_controllers_routes_in_the_order_they_are_declared(
    database_url, monkeypatch
):
    routes = app_module.platform_routes
    monkeypatch.setattr(app_module, "platform_routes", lambda platform: [*routes(platform), Probe])
    app = create_app(Settings(database_url=database_url))
    paths = [p for p in app.openapi_schema.to_schema()["paths"] if "/probe/" in p]
    assert paths == [
        "/v1/communities/{community}/probe/whoami",
        "/v1/communities/{community}/probe/anyone",
    ]
    assert app.openapi_schema.paths[paths[0]].get.tags == ["probe"]  # type: ignore[union-attr,index]
