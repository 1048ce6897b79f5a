"""``create_app()``: the one composition root of the HTTP API."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import linli_sdk
from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.logging.config import LoggingConfig

from ..console.app import console_routes, console_templates
from ..credit.routes import routes as credit_routes
from ..dispatch.routes import routes as dispatch_routes
from ..emergency.routes import routes as emergency_routes
from ..identity.routes import routes as identity_routes
from ..insights.routes import routes as insights_routes
from ..network.routes import routes as network_routes
from ..notifications.routes import routes as notification_routes
from ..observe.logs import configure_logging
from ..platform import Platform
from ..profiles.routes import routes as profile_routes
from ..settings import Settings
from ..settlement.routes import routes as settlement_routes
from .access import check_access
from .boundary import input_boundary
from .observe import docs_assets, metrics_route, observed, swagger
from .openapi import TruthfulOpenAPIConfig
from .operations import operation_routes
from .platform_routes import platform_routes
from .problems import exception_handlers

__all__ = ["create_app", "create_served_app"]

DOCS = "/docs/api"

# The root logger stays as configure_logging set it (text or JSON, with request ids);
# Litestar's own logger writes through it.
_LOGGING = LoggingConfig(
    configure_root_logger=False,
    loggers={"litestar": {"level": "INFO", "handlers": [], "propagate": True}},
)


def create_app(
    settings: Settings | None = None,
    *,
    platform: Platform | None = None,
    migrate_on_start: bool = False,
) -> Litestar:
    """Build the Linli HTTP app: platform routes plus every loaded module's operations.

    Args:
        settings: The platform's settings; read from the environment when omitted.
        platform: An already built platform (the CLI passes the one it migrated).
        migrate_on_start: Apply pending migrations when the app starts.
    """
    platform = platform or Platform.from_settings(settings)
    if not logging.getLogger().handlers:  # served by a bare ASGI server: log somewhere
        configure_logging(platform.settings.log_format)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await platform.start(migrate_first=migrate_on_start)
        if platform.settings.dispatch_worker:
            platform.worker.start()  # deadlines, event deliveries and webhooks, in this process
        try:
            yield
        finally:
            await platform.stop()

    app = Litestar(
        route_handlers=[
            *platform_routes(platform),
            *identity_routes(platform),
            *settlement_routes(platform),
            *dispatch_routes(platform),
            *credit_routes(platform),
            *profile_routes(platform),
            *insights_routes(platform),
            *network_routes(),
            *emergency_routes(),
            *notification_routes(),
            *console_routes(),
            *operation_routes(platform),
            metrics_route(platform),
            docs_assets(DOCS),
        ],
        exception_handlers=exception_handlers,  # type: ignore[arg-type]
        middleware=[input_boundary],  # type: ignore[list-item]
        lifespan=[lifespan],
        cors_config=_cors(platform.settings.cors_origins),
        template_config=console_templates(),
        state=State({"platform": platform}),
        openapi_config=TruthfulOpenAPIConfig(
            title="Linli",
            version=linli_sdk.__version__,
            description="The Linli platform API: core routes and every module's operations.",
            path=DOCS,
            render_plugins=[swagger(DOCS)],
        ),
        debug=platform.settings.debug,
        logging_config=_LOGGING,
    )
    check_access(app.routes, DOCS)  # a route without a typed Access stops the start-up here
    # request ids, metrics and security headers on every response, 404s and CORS refusals included
    app.asgi_handler = observed(app.asgi_handler)
    return app


def create_served_app() -> Litestar:
    """``create_app`` for a server process of ``linli serve --workers N``: logs set up first."""
    settings = Settings()
    configure_logging(settings.log_format)
    return create_app(settings)


def _cors(origins: list[str]) -> CORSConfig | None:
    """Let pages served from ``origins`` call the API with a bearer token (no cookies)."""
    if not origins:
        return None
    return CORSConfig(
        allow_origins=origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
        expose_headers=["Idempotent-Replayed", "Retry-After", "Location", "X-Request-ID"],
        allow_credentials=False,
        max_age=600,
    )
