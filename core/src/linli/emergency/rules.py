"""The emergency channel's pure rules: what a valid declaration is, which one is in force."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from linli_sdk import Emergency, InvalidInput

__all__ = ["KIND", "check_window", "in_force_first"]

KIND = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
"""An emergency's kind: a short lower-case word, e.g. ``epidemic`` or ``flood``."""


def check_window(kind: str, starts_at: datetime, ends_at: datetime | None) -> None:
    """Refuse a declaration whose kind is not a word or whose end is not after its start.

    Raises:
        InvalidInput: Naming the field at fault.

    """
    if not KIND.match(kind):
        raise InvalidInput("the kind is a short lower-case word, e.g. epidemic", field="kind")
    if starts_at.tzinfo is None or (ends_at is not None and ends_at.tzinfo is None):
        raise InvalidInput("times carry their time zone", field="starts_at")
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidInput("an emergency ends after it starts", field="ends_at")


def in_force_first(emergencies: Iterable[Emergency], now: datetime) -> Emergency | None:
    """The emergency in force at ``now`` that started first (ties: by id), or ``None``."""
    live = [e for e in emergencies if e.in_force(now)]
    return min(live, key=lambda e: (e.starts_at, e.id)) if live else None
