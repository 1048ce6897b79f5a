"""Every request given an id and measured; ``/metrics``; Swagger UI's assets served locally.

:func:`observed` wraps the whole app (after routing, exception handling and CORS, so 404s
and refusals are seen too):

- the request's id is the ``X-Request-ID`` it sent when that is sane (1-128 letters, digits
  and ``-_.:``), else a new one; it is echoed in the response's ``X-Request-ID`` and set for
  every log line written while the request is served (:mod:`linli.observe.logs`);
- the answer is counted by method, route template and status, and its time to the response's
  start recorded (:mod:`linli.observe.metrics`);
- the security headers are added where the response lacks them
  (:mod:`linli.http.security_headers`).

``GET /metrics`` answers in the Prometheus text format; when ``LINLI_METRICS_TOKEN`` is set it
asks for it as a bearer token. ``/docs/api`` loads Swagger UI from ``/docs/api/assets``
(the ``swagger-ui-bundle-v2`` package's files), so it works without internet.
"""

from __future__ import annotations

import hmac
import logging
import random
import re
from typing import Any

from litestar import Request, Response, get
from litestar.enums import ScopeType
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from ..errors import Unauthorized
from ..observe.gauges import read_gauges
from ..observe.logs import REQUEST_ID
from ..observe.metrics import CONTENT_TYPE, RequestTimer, observe_request, render
from ..platform import Platform
from .access import Access
from .security_headers import with_security_headers

__all__ = ["REQUEST_ID_HEADER", "docs_assets", "metrics_route", "observed", "swagger"]

REQUEST_ID_HEADER = "x-request-id"
log = logging.getLogger(__name__)
_MEDIA_TYPE = CONTENT_TYPE.split("; charset")[0]  # Litestar adds the charset
_SANE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            if _SANE_ID.fullmatch(value):
                return value.decode("ascii")
            break
    # 128 random bits, as a UUID4 has; an id names a request, it guards nothing, so Python's
    # generator (reseeded in a forked worker) serves, without a system call per request
    return f"{random.getrandbits(128):032x}"


def observed(app: ASGIApp) -> ASGIApp:
    """``app`` with request ids, request metrics and the security headers on every response."""

    async def observe(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        timer = RequestTimer()
        method, path = scope["method"], scope.get("path", "")
        request_id = _request_id(scope)
        token = REQUEST_ID.set(request_id)
        header = (b"x-request-id", request_id.encode("ascii"))

        async def send_observed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = with_security_headers(list(message.get("headers", ())), path)
                message["headers"] = [*headers, header]
                route = scope.get("path_template")
                observe_request(method, route, message["status"], timer.elapsed())
            await send(message)

        try:
            await app(scope, receive, send_observed)
        finally:
            REQUEST_ID.reset(token)

    return observe


def metrics_route(platform: Platform) -> Any:
    """``GET /metrics``: the Prometheus text format (bearer ``LINLI_METRICS_TOKEN`` if set)."""

    @get(
        "/metrics",
        summary="Prometheus metrics",
        description="Requests by route and status with latency, outbox lag, pending gateway "
        "intents, due deadlines and dispatch queues, in the Prometheus text format. Needs the "
        "bearer `LINLI_METRICS_TOKEN` when that is set.",
        tags=["platform"],
        # Public unless a token is set (a scraper on the operator's own network, as usual).
        opt=(Access.service() if platform.settings.metrics_token else Access.public()).opt,
        media_type=_MEDIA_TYPE,
    )
    async def metrics(request: Request[Any, Any, Any]) -> Response[Any]:
        expected = platform.settings.metrics_token
        if expected:
            sent = request.headers.get("authorization", "")
            if not hmac.compare_digest(sent.encode(), f"Bearer {expected}".encode()):
                raise Unauthorized("send the metrics token as a bearer token")
        return Response(render(await _gauges()), media_type=_MEDIA_TYPE)

    return metrics


async def _gauges() -> list[Metric]:
    """The database's gauges and ``linli_database_up``; only the latter (0) if it fails."""
    try:
        gauges = await read_gauges()
    except Exception:  # the request metrics are still worth a scrape
        log.warning("metrics: the database's gauges could not be read", exc_info=True)
        return [GaugeMetricFamily("linli_database_up", _UP, value=0)]
    return [GaugeMetricFamily("linli_database_up", _UP, value=1), *gauges]


_UP = "1 when the gauges were read from the database for this scrape, 0 when it failed."

ASSETS = "/assets"
"""Where, under the API docs' path, Swagger UI's files are served."""


def docs_assets(docs: str) -> Any:
    """The router serving Swagger UI's files under ``docs`` + :data:`ASSETS`."""
    return create_static_files_router(
        path=docs + ASSETS,
        directories=[swagger_ui_path],
        include_in_schema=False,
        opt=Access.public().opt,
    )


def swagger(docs: str) -> SwaggerRenderPlugin:
    """Swagger UI, its script, style and icon loaded from :func:`docs_assets`."""
    base = docs + ASSETS
    return SwaggerRenderPlugin(
        js_url=f"{base}/swagger-ui-bundle.js",
        css_url=f"{base}/swagger-ui.css",
        standalone_preset_js_url=f"{base}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{base}/favicon-32x32.png'>",
    )
