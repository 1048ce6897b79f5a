"""Errors only the core raises (plugins use :mod:`linli_sdk.errors`)."""

from __future__ import annotations

from linli_sdk import LinliError

__all__ = ["Unauthorized"]


class Unauthorized(LinliError):
    """No valid credentials were sent (HTTP 401)."""

    status = 401
    title = "Unauthorized"
    slug = "unauthorized"
