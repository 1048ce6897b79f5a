"""The dispatch service's HTTP routes."""

from __future__ import annotations

from typing import Any

from ..platform import Platform

__all__ = ["routes"]


def routes(platform: Platform) -> list[Any]:
    """The route handlers of the dispatch service."""
    return []
