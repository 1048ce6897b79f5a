"""Turning a pydantic validation error into a 422 that names every bad field."""

from __future__ import annotations

from linli_sdk import InvalidInput
from pydantic import ValidationError

__all__ = ["invalid_input"]


def invalid_input(exc: ValidationError, what: str, prefix: str = "") -> InvalidInput:
    """A 422 for ``exc``: ``detail`` lists ``field: message`` pairs, ``errors`` holds them.

    The SDK's test kit answers the same (`linli_sdk.InvalidInput.from_validation`).
    """
    return InvalidInput.from_validation(exc, what, prefix)
