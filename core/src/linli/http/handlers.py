"""Litestar's route decorators, with guards given the route handler itself.

Litestar passes each guard ``copy(handler)`` on every request, so that a guard cannot change
the handler; a shallow copy of a handler costs about as much as the platform's whole guard.
The platform's guards only read the handler (its ``opt``), so these hand it over as it is.
"""

from __future__ import annotations

import litestar
from litestar.connection import ASGIConnection
from litestar.handlers import HTTPRouteHandler

__all__ = ["delete", "get", "patch", "post", "put"]


class _GuardedByReaders(HTTPRouteHandler):
    """A route handler whose guards receive the handler, not a copy of it per request."""

    async def authorize_connection(self, connection: ASGIConnection) -> None:  # type: ignore[type-arg]
        """Run every guard in scope with this handler."""
        for guard in self.resolve_guards():
            await guard(connection, self)  # type: ignore[misc]


class get(_GuardedByReaders, litestar.get):
    """Litestar's ``get`` (see the module's docstring)."""


class post(_GuardedByReaders, litestar.post):
    """Litestar's ``post`` (see the module's docstring)."""


class put(_GuardedByReaders, litestar.put):
    """Litestar's ``put`` (see the module's docstring)."""


class patch(_GuardedByReaders, litestar.patch):
    """Litestar's ``patch`` (see the module's docstring)."""


class delete(_GuardedByReaders, litestar.delete):
    """Litestar's ``delete`` (see the module's docstring)."""
