"""The console's router and templates: what ``create_app`` mounts at ``/console``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from linli_sdk import LinliError
from litestar import Router
from litestar.exceptions import HTTPException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from ..http.access import Access
from .pages.communities import community_routes
from .pages.members import member_routes
from .pages.modules import module_routes
from .pages.network import network_routes
from .pages.providers import provider_routes
from .pages.settlement import settlement_routes
from .pages.sign_in import sign_in_routes
from .pages.webhooks import webhook_routes
from .web import PREFIX, SignInNeeded, console_guard, error_page

__all__ = ["console_routes", "console_templates"]

HERE = Path(__file__).parent


def console_templates() -> TemplateConfig[JinjaTemplateEngine]:
    """The console's Jinja templates (autoescaped), for the app's ``template_config``."""
    return TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine)


def console_routes() -> list[Any]:
    """The console's router: its pages, guarded, and its static files (htmx, the style)."""
    static = create_static_files_router(
        "/static", directories=[HERE / "static"], opt=Access.public().opt, name="console-static"
    )
    pages = Router(
        "/",
        route_handlers=[
            *sign_in_routes(),
            *community_routes(),
            *network_routes(),
            *module_routes(),
            *member_routes(),
            *provider_routes(),
            *settlement_routes(),
            *webhook_routes(),
        ],
        guards=[console_guard],  # type: ignore[list-item]
        exception_handlers={
            SignInNeeded: error_page,
            LinliError: error_page,
            HTTPException: error_page,
        },
        include_in_schema=False,
    )
    return [Router(PREFIX, route_handlers=[static, pages], include_in_schema=False)]
