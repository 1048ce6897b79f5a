"""Per-caller rate limits on plugin operations: a small token bucket per caller and operation.

A caller is a member of the community, or a provider's back end known by its OAuth client id
(:func:`caller_key`).

An operation declares a :class:`linli_sdk.RateLimit`; the operation's guard asks a
:class:`RateLimiter` to admit each call after authentication and before the handler (or the
body) is touched, and refuses the rest with :class:`RateLimited` (429 and ``Retry-After``).
Buckets live in the process: with several workers each admits its own share.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from linli_sdk import Caller, LinliError, RateLimit

__all__ = ["RateLimited", "RateLimiter", "TokenBucket", "caller_key", "take"]


class RateLimited(LinliError):
    """The caller called this operation too often (HTTP 429); ``retry_after`` says when to retry."""

    status = 429
    title = "Too Many Requests"
    slug = "too-many-requests"

    def __init__(self, detail: str, *, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(detail, retry_after=seconds)
        self.headers = {"Retry-After": str(seconds)}


def caller_key(community_id: int, caller: Caller) -> Hashable:
    """Whose bucket a call takes from: the member's in the community, or the back end's.

    A provider's back end calls with client credentials and no member id, so it is known by
    its OAuth client id: two back ends never share a bucket.
    """
    if caller.member_id is None and caller.client_id:
        return (community_id, "client", caller.client_id)
    return (community_id, "member", caller.member_id)


@dataclass(frozen=True, slots=True)
class TokenBucket:
    """Calls in hand (``tokens``) as of the moment ``stamp`` (seconds, monotonic)."""

    tokens: float
    stamp: float


def take(limit: RateLimit, bucket: TokenBucket | None, now: float) -> tuple[TokenBucket, float]:
    """Take one call from ``bucket`` at ``now`` (a fresh caller has ``burst`` in hand).

    Returns the bucket after the attempt and the seconds to wait: ``0.0`` when the call is
    admitted, else how long until one call is back in hand (nothing was taken).
    """
    if bucket is None:
        tokens = float(limit.burst)
    else:
        elapsed = max(0.0, now - bucket.stamp)
        tokens = min(float(limit.burst), bucket.tokens + elapsed * limit.per_second)
    if tokens >= 1.0:
        return TokenBucket(tokens - 1.0, now), 0.0
    return TokenBucket(tokens, now), (1.0 - tokens) / limit.per_second


class RateLimiter:
    """The buckets of one operation's callers, bounded in number.

    Args:
        limit: The operation's declared limit.
        clock: Seconds, monotonic (``time.monotonic`` by default; tests pass their own).
        max_callers: Buckets kept at most; past it, those that have refilled are dropped (a
            full bucket is the same as none), then the oldest.

    """

    def __init__(
        self,
        limit: RateLimit,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_callers: int = 100_000,
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._max = max_callers
        self._buckets: dict[Hashable, TokenBucket] = {}

    def admit(self, caller: Hashable) -> float:
        """Take one call for ``caller``; ``0.0`` if admitted, else the seconds to wait."""
        now = self._clock()
        bucket, wait = take(self.limit, self._buckets.pop(caller, None), now)
        self._buckets[caller] = bucket  # re-inserted: the dict stays ordered by last use
        if len(self._buckets) > self._max:
            self._prune(now)
        return wait

    def _prune(self, now: float) -> None:
        refill = self.limit.burst / self.limit.per_second
        for key in [k for k, b in self._buckets.items() if now - b.stamp >= refill]:
            del self._buckets[key]
        while len(self._buckets) > self._max:
            del self._buckets[next(iter(self._buckets))]
