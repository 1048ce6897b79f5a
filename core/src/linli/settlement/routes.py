"""The settlement service's HTTP routes."""

from __future__ import annotations

from typing import Any

from ..platform import Platform

__all__ = ["routes"]


def routes(platform: Platform) -> list[Any]:
    """The route handlers of the settlement service."""
    return []
