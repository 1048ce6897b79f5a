"""Litestar's ``get`` and ``post`` route decorators, with guards given the handler itself.

Litestar passes each guard ``copy(handler)`` on every request, so a guard cannot change the
handler; a shallow copy of a handler costs about as much as the platform's whole guard. The
platform's guards only read the handler (its ``opt``), so these hand it over as it is.
"""

from __future__ import annotations

from litestar import get as litestar_get
from litestar import post as litestar_post
from litestar.connection import ASGIConnection

__all__ = ["get", "post"]


async def _authorize(handler: litestar_get | litestar_post, connection: ASGIConnection) -> None:  # type: ignore[type-arg]
    for guard in handler.resolve_guards():
        await guard(connection, handler)  # type: ignore[misc]


class get(litestar_get):
    """Litestar's ``get``; its guards receive the handler, not a copy per request."""

    async def authorize_connection(self, connection: ASGIConnection) -> None:  # type: ignore[type-arg]
        """Run the guards in scope (see the module's docstring)."""
        await _authorize(self, connection)


class post(litestar_post):
    """Litestar's ``post``; its guards receive the handler, not a copy per request."""

    async def authorize_connection(self, connection: ASGIConnection) -> None:  # type: ignore[type-arg]
        """Run the guards in scope (see the module's docstring)."""
        await _authorize(self, connection)
