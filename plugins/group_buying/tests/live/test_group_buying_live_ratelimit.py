"""The core's token bucket (linli.modules.ratelimit): admits, what it says to wait, its bound."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from linli.modules.ratelimit import RateLimited, RateLimiter, take
from linli_sdk import RateLimit, Role, command
from linli_sdk.operations import Empty


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_one_call_per_refill() -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimit(per_second=2, burst=3), clock=clock)
    assert [limiter.admit("bot") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.admit("bot") == pytest.approx(0.5)
    assert limiter.admit("neighbour") == 0.0  # per caller
    clock.now = 0.5
    assert limiter.admit("bot") == 0.0
    assert limiter.admit("bot") == pytest.approx(0.5)
    clock.now = 100.0
    assert [limiter.admit("bot") for _ in range(4)][-1] > 0  # never more than the burst


def test_a_refused_call_takes_nothing() -> None:
    limit = RateLimit(per_second=1, burst=1)
    bucket, wait = take(limit, None, 0.0)
    assert wait == 0.0
    again, wait = take(limit, bucket, 0.25)
    assert wait == pytest.approx(0.75) and again.tokens == pytest.approx(0.25)
    _, wait = take(limit, again, 1.0)
    assert wait == 0.0


def test_the_buckets_stay_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimit(per_second=1, burst=2), clock=clock, max_callers=10)
    for caller in range(50):
        limiter.admit(caller)
    assert len(limiter._buckets) <= 10
    clock.now = 10.0  # every bucket has refilled: all may go
    limiter.admit("late")
    assert list(limiter._buckets) == ["late"]


def test_retry_after_is_whole_seconds_and_at_least_one() -> None:
    refused = RateLimited("slow down", retry_after=0.2)
    assert refused.headers == {"Retry-After": "1"} and refused.status == 429
    assert RateLimited("slow down", retry_after=2.1).headers == {"Retry-After": "3"}


def test_limits_are_declared_on_operations() -> None:
    with pytest.raises(ValueError):
        RateLimit(per_second=0, burst=1)
    with pytest.raises(ValueError):
        RateLimit(per_second=1, burst=0)

    @command(Role.MEMBER, rate_limit=RateLimit(per_second=0.2, burst=1))
    async def ring_bell(ctx: object, data: Empty) -> Empty:
        return data

    assert ring_bell.rate_limit == RateLimit(per_second=0.2, burst=1)


@given(
    per_second=st.floats(0.1, 50),
    burst=st.integers(1, 20),
    gaps=st.lists(st.floats(0, 2), min_size=1, max_size=200),
)
def test_no_window_admits_more_than_the_burst_plus_the_refill(
    per_second: float, burst: int, gaps: list[float]
) -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimit(per_second=per_second, burst=burst), clock=clock)
    admitted: list[float] = []
    for gap in gaps:
        clock.now += gap
        if limiter.admit("caller") == 0.0:
            admitted.append(clock.now)
    for i, start in enumerate(admitted):
        for j in range(i, len(admitted)):
            window = admitted[j] - start
            assert j - i + 1 <= burst + per_second * window + 1e-6
