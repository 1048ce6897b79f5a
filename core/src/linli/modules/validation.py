"""Turning a pydantic validation error into a 422 that names every bad field."""

from __future__ import annotations

from linli_sdk import InvalidInput
from pydantic import ValidationError

__all__ = ["invalid_input"]


def invalid_input(exc: ValidationError, what: str, prefix: str = "") -> InvalidInput:
    """A 422 for ``exc``: ``detail`` lists ``field: message`` pairs, ``errors`` holds them."""
    errors = [
        {
            "field": ".".join([*([prefix] if prefix else []), *map(str, e["loc"])]),
            "message": e["msg"],
        }
        for e in exc.errors(include_url=False)
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return InvalidInput(f"invalid {what}: {detail}", errors=errors)
