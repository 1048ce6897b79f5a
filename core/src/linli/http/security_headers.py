"""Security headers on every response the platform sends, errors and CORS refusals included.

Added by the outermost ASGI wrapper (:func:`linli.http.observe.observed`, which stamps the
request id too), so they are on every response, whether a route, an exception handler or the
CORS middleware made it, at the cost of one pass over the raw header list (a ``before_send``
hook wrapped every send once more and parsed the headers into a mapping). A header a response
already sets is kept (the sign-in pages set their own ``Content-Security-Policy``, with their
script's hash).

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

__all__ = ["API_CSP", "DOCS_PATH", "with_security_headers"]

DOCS_PATH = "/docs/api"
"""Where the interactive API documentation is served (``OpenAPIConfig.path``)."""

API_CSP = "default-src 'none'; frame-ancestors 'none'"
"""The policy of every answer that sets none: load nothing, never framed."""

_DOCS_CSP = b"frame-ancestors 'none'"

_ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
_CSP = b"content-security-policy"


def with_security_headers(
    headers: list[tuple[bytes, bytes]], path: str
) -> list[tuple[bytes, bytes]]:
    """``headers`` (a response start message's) with each security header it lacks added."""
    present = {name.lower() for name, _ in headers}
    added = [header for header in _ALWAYS if header[0] not in present]
    if _CSP not in present:
        added.append((_CSP, _DOCS_CSP if path.startswith(DOCS_PATH) else API_CSP.encode()))
    return [*headers, *added]
