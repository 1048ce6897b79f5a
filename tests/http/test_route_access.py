"""Every route declares who may call it as a typed `Access`, checked when the app is built."""

from __future__ import annotations

import linli.http.app as app_module
import pytest
from linli.http.access import Access, AccessUndeclared
from linli.http.app import create_app
from linli.platform import Platform
from linli.settings import Settings
from linli_sdk import Role
from litestar import get
from litestar.params import FromPath


@pytest.mark.usefixtures("fixture_plugins")
def test_every_route_declares_its_access(database_url):
    app = create_app(Settings(database_url=database_url))
    undeclared = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.include_in_schema is False or route.path.startswith("/docs/api"):
                continue
            access = handler.opt.get("access")
            if not isinstance(access, Access):
                undeclared.append(f"{sorted(handler.http_methods)} {route.path}: {access!r}")
            elif "{community" in route.path:
                assert access.kind != "public", route.path  # a community route needs a caller
    assert undeclared == []


def test_a_misspelt_role_is_refused_where_it_is_declared():
    with pytest.raises(ValueError, match="operatr"):
        Access.of("operatr")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scope"):
        Access.of(Role.OPERATOR, scope="everything")
    assert str(Access.of(Role.OPERATOR, Role.AUDITOR)) == "role:auditor,operator"


def test_an_app_with_an_access_spelt_as_a_string_does_not_start(database_url, monkeypatch):
    """A route declared the old way (a string, unchecked until called) stops the build."""

    @get("/v1/communities/{community:str}/typo", opt={"access": "role:operatr"})
    async def typo(community: FromPath[str]) -> None: ...

    routes = app_module.platform_routes
    monkeypatch.setattr(app_module, "platform_routes", lambda platform: [*routes(platform), typo])
    platform = Platform.from_settings(Settings(database_url=database_url))
    with pytest.raises(AccessUndeclared, match="role:operatr"):
        create_app(platform=platform)
