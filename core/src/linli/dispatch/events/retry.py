"""When to try again: exponential backoff with a cap (a pure rule)."""

from __future__ import annotations

__all__ = ["retry_delay_ms"]


def retry_delay_ms(attempts: int, *, base_seconds: float, cap_seconds: float) -> int:
    """Milliseconds to wait after the ``attempts``-th failed attempt: base · 2^(n-1), capped."""
    exponent = max(attempts - 1, 0)
    delay = base_seconds * (2 ** min(exponent, 40))
    return int(min(delay, cap_seconds) * 1000)
