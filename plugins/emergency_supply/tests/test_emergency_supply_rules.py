"""The emergency supply module's pure rules: dispatch order, the public account, the record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from linli_emergency_supply.rules import (
    RULES,
    Delivered,
    Sensitive,
    Vulnerability,
    Waiting,
    dispatch_order,
    open_record,
    record,
    tally,
)
from linli_sdk import Money, split

T0 = datetime(2026, 2, 1, tzinfo=UTC)

waiting = st.lists(
    st.builds(
        Waiting,
        order_id=st.integers(1, 10_000),
        placed=st.integers(0, 10_000).map(lambda s: T0 + timedelta(seconds=s)),
        first=st.booleans(),
    ),
    unique_by=lambda w: w.order_id,
    max_size=40,
)


@given(waiting)
def test_every_vulnerable_order_is_dispatched_before_any_other_and_none_is_lost(orders):
    dispatched = dispatch_order(orders)
    assert sorted(dispatched) == sorted(o.order_id for o in orders)
    flags = {o.order_id: o.first for o in orders}
    seen_other = False
    for order_id in dispatched:
        if not flags[order_id]:
            seen_other = True
        assert not (seen_other and flags[order_id]), "a vulnerable order came after another"
    placed = {o.order_id: o.placed for o in orders}
    for group in (True, False):
        times = [placed[i] for i in dispatched if flags[i] is group]
        assert times == sorted(times)  # first come, first served within each group


delivered = st.lists(
    st.builds(
        Delivered,
        building=st.sampled_from(["1", "2", "3"]),
        household_id=st.integers(1, 20),
        pack=st.sampled_from(["rice", "vegetables"]),
        quantity=st.integers(1, 5),
    ),
    max_size=60,
)


@given(delivered)
def test_the_public_account_adds_up_to_what_was_delivered(items):
    buildings = tally(items)
    assert sum(b.orders_delivered for b in buildings) == len(items)
    assert sum(sum(b.packs.values()) for b in buildings) == sum(i.quantity for i in items)
    assert sum(b.households_served for b in buildings) == len(
        {(i.building, i.household_id) for i in items}
    )
    assert [b.building for b in buildings] == sorted({i.building for i in items})


@given(st.integers(1, 10_000_000))
def test_the_platform_takes_nothing_unless_an_operator_sets_a_share(amount):
    parts = split(RULES, Money(amount=amount, currency="CNY"))
    assert parts["platform"].amount == 0 and parts["supplier"].amount == amount
    capped = split(RULES.with_overrides({"platform": 300}), Money(amount=amount, currency="CNY"))
    assert capped["platform"].amount == amount * 300 // 10_000


def test_the_sealed_record_round_trips_and_says_nothing_by_default():
    assert open_record(record(Sensitive())) == Sensitive()
    marked = Sensitive(vulnerability=Vulnerability.ELDERLY_ALONE, consented_at=T0)
    assert open_record(record(marked)) == marked
