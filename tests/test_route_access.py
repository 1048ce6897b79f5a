"""Every route declares who may call it (``opt["access"]``), so authorization can be checked."""

from __future__ import annotations

import re

import pytest
from linli.http.app import create_app
from linli.settings import Settings

ACCESS = re.compile(r"^(public|member|platform|service|role:[a-z_]+(,[a-z_]+)*)$")


@pytest.mark.usefixtures("fixture_plugins")
def test_every_route_declares_its_access(database_url):
    app = create_app(Settings(database_url=database_url))
    undeclared = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.include_in_schema is False or route.path.startswith("/docs/api"):
                continue
            access = handler.opt.get("access")
            if not (isinstance(access, str) and ACCESS.match(access)):
                undeclared.append(f"{sorted(handler.http_methods)} {route.path}: {access!r}")
    assert undeclared == []
