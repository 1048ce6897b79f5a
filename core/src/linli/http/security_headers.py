"""Security headers on every response the platform sends, errors and CORS refusals included.

Registered as a ``before_send`` hook, so it sees every response, whether a route, an exception
handler or the CORS middleware made it. A header a response already sets is kept (the
sign-in pages set their own ``Content-Security-Policy``, with their script's hash).

- ``X-Content-Type-Options: nosniff``: a browser never guesses a type (JSON stays JSON);
- ``Referrer-Policy: no-referrer``: addresses (which may carry an authorization code) are not
  passed on to other sites;
- ``X-Frame-Options: DENY`` and ``Content-Security-Policy: ... frame-ancestors 'none'``: no
  page is shown inside another site's frame (clickjacking);
- ``Content-Security-Policy: default-src 'none'`` for API answers, which load nothing; the
  interactive API documentation (its page loads Swagger UI) gets only ``frame-ancestors``.

CORS stays Litestar's (``LINLI_CORS_ORIGINS``): a preflight from an origin not listed is
answered ``400 Disallowed CORS Origin`` without any ``Access-Control-Allow-*`` header, so the
browser refuses the call; an origin not listed never gets ``Access-Control-Allow-Origin``.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

__all__ = ["API_CSP", "DOCS_PATH", "security_headers"]

DOCS_PATH = "/docs/api"
"""Where the interactive API documentation is served (``OpenAPIConfig.path``)."""

API_CSP = "default-src 'none'; frame-ancestors 'none'"
"""The policy of every answer that sets none: load nothing, never framed."""

_DOCS_CSP = "frame-ancestors 'none'"

_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


async def security_headers(message: Message, scope: Scope) -> None:
    """Add the security headers to a response's start message (a ``before_send`` hook)."""
    if message["type"] != "http.response.start":
        return
    message.setdefault("headers", [])
    headers = MutableScopeHeaders.from_message(message=message)
    for name, value in _ALWAYS.items():
        if name not in headers:
            headers[name] = value
    if "Content-Security-Policy" not in headers:
        docs = str(scope.get("path", "")).startswith(DOCS_PATH)
        headers["Content-Security-Policy"] = _DOCS_CSP if docs else API_CSP
