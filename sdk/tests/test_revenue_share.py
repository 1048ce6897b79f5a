from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from linli_sdk.errors import InvalidInput
from linli_sdk.money import MAX_AMOUNT, CurrencyMismatch, Money
from linli_sdk.revenue_share import (
    InvalidRules,
    RefundExceedsHeld,
    RemainderNegative,
    RevenueShareRules,
    Share,
    ShareKind,
    ShareOutOfBounds,
    UnknownParty,
    fixed,
    percent,
    refund,
    remainder,
    remaining,
    split,
)
from pydantic import ValidationError

DASH = "\N{EN DASH}"


def cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


def group_buying_rules() -> RevenueShareRules:
    return RevenueShareRules(
        shares=(
            percent("platform", 500, min=0, max=1000),
            percent("leader", 1000, min=500, max=1500),
            fixed("pickup_host", cny(50)),
            percent("community_fund", 100),
            remainder("supplier"),
        )
    )


# --- strategies -------------------------------------------------------------------------------

party_names = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
amounts = st.integers(min_value=0, max_value=10**10).map(cny)


@st.composite
def rules(draw: st.DrawFn, *, max_fee: int = 500) -> RevenueShareRules:
    """Random valid rules: percent and fixed shares around one remainder party."""
    names = draw(st.lists(party_names, min_size=1, max_size=7, unique=True))
    budget = 10_000
    shares: list[Share] = []
    for name in names[1:]:
        if draw(st.booleans()):
            bp = draw(st.integers(0, budget))
            high = draw(st.integers(bp, budget))
            low = draw(st.integers(0, bp))
            budget -= high
            shares.append(percent(name, bp, min=low, max=high))
        else:
            fee = draw(st.integers(0, max_fee))
            low_fee = draw(st.integers(0, fee))
            high_fee = draw(st.integers(fee, 2 * max_fee))
            shares.append(fixed(name, cny(fee), min=cny(low_fee), max=cny(high_fee)))
    shares.insert(draw(st.integers(0, len(shares))), remainder(names[0]))
    return RevenueShareRules(shares=tuple(shares))


@st.composite
def holdings(draw: st.DrawFn) -> dict[str, Money]:
    """What the parties hold of a charge: a split, or arbitrary non-negative holdings."""
    if draw(st.booleans()):
        the_rules = draw(rules(max_fee=0))
        return split(the_rules, draw(amounts))
    names = draw(st.lists(party_names, min_size=1, max_size=7, unique=True))
    return {name: cny(draw(st.integers(0, 10**8))) for name in names}


@st.composite
def refund_sequences(draw: st.DrawFn) -> tuple[dict[str, Money], list[Money]]:
    """Holdings and a sequence of partial refunds, each at most what is left."""
    held = draw(holdings())
    left = sum(money.amount for money in held.values())
    steps: list[Money] = []
    for _ in range(draw(st.integers(1, 6))):
        step = draw(st.integers(0, left))
        steps.append(cny(step))
        left -= step
    return held, steps


def expected_taken(the_rules: RevenueShareRules, amount: Money) -> int:
    """What the fixed and percent shares take, computed straight from DESIGN.md."""
    taken = 0
    for share in the_rules.shares:
        if share.kind is ShareKind.FIXED:
            assert share.fixed is not None
            taken += share.fixed.amount
        elif share.kind is ShareKind.PERCENT:
            assert share.basis_points is not None
            taken += amount.amount * share.basis_points // 10_000
    return taken


def total(parts: Mapping[str, Money]) -> int:
    return sum(money.amount for money in parts.values())


# --- split: properties ------------------------------------------------------------------------


@given(rules(), amounts)
def test_split_parts_sum_to_the_amount(the_rules: RevenueShareRules, amount: Money) -> None:
    try:
        parts = split(the_rules, amount)
    except RemainderNegative:
        return
    assert total(parts) == amount.amount


@given(rules(), amounts)
def test_split_parts_are_never_negative(the_rules: RevenueShareRules, amount: Money) -> None:
    try:
        parts = split(the_rules, amount)
    except RemainderNegative:
        return
    assert all(not part.is_negative and part.currency == "CNY" for part in parts.values())


@given(rules(), amounts)
def test_split_percent_parts_are_the_floor_of_amount_times_bp_over_10000(
    the_rules: RevenueShareRules, amount: Money
) -> None:
    try:
        parts = split(the_rules, amount)
    except RemainderNegative:
        return
    for share in the_rules.shares:
        if share.kind is ShareKind.PERCENT:
            assert share.basis_points is not None
            assert parts[share.party].amount == amount.amount * share.basis_points // 10_000
        elif share.kind is ShareKind.FIXED:
            assert parts[share.party] == share.fixed
        else:
            assert parts[share.party].amount == amount.amount - expected_taken(the_rules, amount)


@given(rules(), st.integers(0, 3000).map(cny))
def test_split_is_refused_exactly_when_fixed_and_percent_parts_exceed_the_amount(
    the_rules: RevenueShareRules, amount: Money
) -> None:
    if expected_taken(the_rules, amount) > amount.amount:
        with pytest.raises(RemainderNegative, match=f"'{the_rules.remainder_party}'"):
            split(the_rules, amount)
    else:
        assert total(split(the_rules, amount)) == amount.amount


@given(rules(max_fee=0), amounts)
def test_split_without_fixed_fees_is_always_accepted(
    the_rules: RevenueShareRules, amount: Money
) -> None:
    assert total(split(the_rules, amount)) == amount.amount


@given(rules(), amounts)
def test_split_keeps_the_rules_order_and_includes_every_party(
    the_rules: RevenueShareRules, amount: Money
) -> None:
    try:
        parts = split(the_rules, amount)
    except RemainderNegative:
        return
    assert tuple(parts) == the_rules.parties


@given(rules(), amounts)
def test_split_is_deterministic_and_independent_of_how_the_rules_were_built(
    the_rules: RevenueShareRules, amount: Money
) -> None:
    rebuilt = [
        the_rules,
        RevenueShareRules(shares=list(the_rules.shares)),
        RevenueShareRules.model_validate_json(the_rules.model_dump_json()),
        the_rules.with_overrides({}),
    ]
    outcomes: list[list[tuple[str, object]]] = []
    for candidate in rebuilt:
        try:
            outcomes.append(list(split(candidate, amount).items()))
        except RemainderNegative as error:
            outcomes.append([("refused", error.detail)])
    assert all(outcome == outcomes[0] for outcome in outcomes)


# --- refund: properties -----------------------------------------------------------------------


def run_refunds(
    held: dict[str, Money],
    steps: list[Money],
    check: Callable[[dict[str, Money], dict[str, Money]], None],
) -> dict[str, Money]:
    """Refund each step from what is left, calling ``check(left, allocation)``; return left."""
    left = held
    for step in steps:
        allocation = refund(left, step)
        check(left, allocation)
        assert step.amount == total(allocation)
        left = remaining(left, allocation)
    return left


@given(refund_sequences())
def test_partial_refunds_never_take_more_from_a_party_than_it_holds(
    story: tuple[dict[str, Money], list[Money]],
) -> None:
    def check(left: dict[str, Money], allocation: dict[str, Money]) -> None:
        for party, part in allocation.items():
            assert Money.zero("CNY") <= part <= left[party]

    run_refunds(*story, check)


@given(refund_sequences())
def test_each_refund_allocation_sums_to_the_refund_amount(
    story: tuple[dict[str, Money], list[Money]],
) -> None:
    held, steps = story
    left = held
    for step in steps:
        allocation = refund(left, step)
        assert total(allocation) == step.amount
        assert tuple(allocation) == tuple(held)
        left = remaining(left, allocation)
    assert total(left) == total(held) - sum(step.amount for step in steps)


@given(refund_sequences())
def test_refunding_everything_left_zeroes_every_party(
    story: tuple[dict[str, Money], list[Money]],
) -> None:
    left = run_refunds(*story, lambda _left, _allocation: None)
    final = refund(left, cny(total(left)))
    assert final == left
    assert all(part.is_zero for part in remaining(left, final).values())


@given(holdings(), st.data())
def test_refund_parts_are_the_floor_or_the_ceiling_of_the_exact_share(
    held: dict[str, Money], data: st.DataObject
) -> None:
    whole = total(held)
    amount = data.draw(st.integers(0, whole))
    allocation = refund(held, cny(amount))
    for party, part in allocation.items():
        exact_numerator = held[party].amount * amount
        # part * whole lies within one whole of the exact share's numerator, from below or above
        assert abs(part.amount * whole - exact_numerator) < max(whole, 1)


@given(holdings(), st.data())
def test_refund_is_deterministic_and_independent_of_the_mapping_type(
    held: dict[str, Money], data: st.DataObject
) -> None:
    amount = cny(data.draw(st.integers(0, total(held))))
    items = list(held.items())
    outcomes = [
        refund(held, amount),
        refund(dict(items), amount),
        refund(OrderedDict(items), amount),
        refund(MappingProxyType(dict(items)), amount),
    ]
    assert all(list(outcome.items()) == list(outcomes[0].items()) for outcome in outcomes)


@given(holdings())
def test_refunding_zero_gives_all_zeros_and_refunding_the_total_returns_held(
    held: dict[str, Money],
) -> None:
    assert refund(held, cny(0)) == {party: cny(0) for party in held}
    assert refund(held, cny(total(held))) == held


@given(holdings(), st.integers(1, 1000))
def test_refunding_more_than_is_held_is_refused(held: dict[str, Money], extra: int) -> None:
    with pytest.raises(RefundExceedsHeld):
        refund(held, cny(total(held) + extra))


# --- overrides: properties --------------------------------------------------------------------


@given(rules(), st.data())
def test_overrides_inside_the_bounds_are_accepted(
    the_rules: RevenueShareRules, data: st.DataObject
) -> None:
    overrides: dict[str, int | Money] = {}
    for share in the_rules.shares:
        if share.kind is ShareKind.PERCENT and data.draw(st.booleans()):
            assert share.min_basis_points is not None and share.max_basis_points is not None
            low, high = share.min_basis_points, share.max_basis_points
            overrides[share.party] = data.draw(st.integers(low, high))
        elif share.kind is ShareKind.FIXED and data.draw(st.booleans()):
            assert share.min_fixed is not None and share.max_fixed is not None
            low, high = share.min_fixed.amount, share.max_fixed.amount
            overrides[share.party] = cny(data.draw(st.integers(low, high)))
    overridden = the_rules.with_overrides(overrides)
    assert overridden.parties == the_rules.parties
    for share in overridden.shares:
        if share.party in overrides:
            value = share.basis_points if share.kind is ShareKind.PERCENT else share.fixed
            assert value == overrides[share.party]
    reversed_order = dict(reversed(list(overrides.items())))
    assert the_rules.with_overrides(reversed_order) == overridden


@given(rules(), st.data())
def test_percent_overrides_outside_the_bounds_are_refused_naming_the_bound(
    the_rules: RevenueShareRules, data: st.DataObject
) -> None:
    percents = [s for s in the_rules.shares if s.kind is ShareKind.PERCENT]
    if not percents:
        return
    share = data.draw(st.sampled_from(percents))
    assert share.min_basis_points is not None and share.max_basis_points is not None
    low, high = share.min_basis_points, share.max_basis_points
    value = data.draw(st.one_of(st.integers(max_value=low - 1), st.integers(min_value=high + 1)))
    with pytest.raises(ShareOutOfBounds) as info:
        the_rules.with_overrides({share.party: value})
    assert info.value.detail == (
        f"{share.party}: {value} bp is outside the allowed {low}\N{EN DASH}{high} bp"
    )
    assert info.value.extensions == {"party": share.party, "value": value, "min": low, "max": high}


@given(rules(), st.data())
def test_fixed_overrides_outside_the_bounds_are_refused_naming_the_bound(
    the_rules: RevenueShareRules, data: st.DataObject
) -> None:
    fixeds = [s for s in the_rules.shares if s.kind is ShareKind.FIXED]
    if not fixeds:
        return
    share = data.draw(st.sampled_from(fixeds))
    assert share.min_fixed is not None and share.max_fixed is not None
    low, high = share.min_fixed, share.max_fixed
    value = cny(
        data.draw(
            st.one_of(
                st.integers(min_value=-MAX_AMOUNT, max_value=low.amount - 1),
                st.integers(min_value=high.amount + 1, max_value=MAX_AMOUNT),
            )
        )
    )
    with pytest.raises(ShareOutOfBounds) as info:
        the_rules.with_overrides({share.party: value})
    assert f"{share.party}: {value} is outside the allowed {low}\N{EN DASH}{high}" in str(
        info.value
    )
    assert info.value.extensions["min"] == low.model_dump()
    assert info.value.extensions["max"] == high.model_dump()


# --- examples ---------------------------------------------------------------------------------


def test_group_buying_example_on_cny_100() -> None:
    parts = split(group_buying_rules(), cny(10_000))
    assert parts == {
        "platform": cny(500),
        "leader": cny(1000),
        "pickup_host": cny(50),
        "community_fund": cny(100),
        "supplier": cny(8350),
    }
    assert list(parts) == ["platform", "leader", "pickup_host", "community_fund", "supplier"]


def test_group_buying_floors_each_percent_share_and_gives_the_cents_to_the_remainder() -> None:
    parts = split(group_buying_rules(), cny(1999))
    # 5 % of 1999 = 99.95 -> 99; 10 % = 199.9 -> 199; 1 % = 19.99 -> 19
    assert parts == {
        "platform": cny(99),
        "leader": cny(199),
        "pickup_host": cny(50),
        "community_fund": cny(19),
        "supplier": cny(1999 - 99 - 199 - 50 - 19),
    }


def test_group_buying_with_a_community_override() -> None:
    rules_ = group_buying_rules().with_overrides({"platform": 800, "leader": 500})
    parts = split(rules_, cny(10_000))
    assert parts["platform"] == cny(800)
    assert parts["leader"] == cny(500)
    assert parts["supplier"] == cny(10_000 - 800 - 500 - 50 - 100)


def test_override_message_names_the_party_and_the_bound() -> None:
    refusals: dict[str, tuple[int | Money, str]] = {
        "platform": (1200, f"platform: 1200 bp is outside the allowed 0{DASH}1000 bp"),
        "pickup_host": (
            cny(60),
            f"pickup_host: CNY 0.60 is outside the allowed CNY 0.50{DASH}CNY 0.50",
        ),
        "community_fund": (200, f"community_fund: 200 bp is outside the allowed 100{DASH}100 bp"),
    }
    for party, (value, message) in refusals.items():
        with pytest.raises(ShareOutOfBounds) as info:
            group_buying_rules().with_overrides({party: value})
        assert info.value.detail == message


@pytest.mark.parametrize(
    ("overrides", "error", "fragment"),
    [
        ({"nobody": 100}, UnknownParty, "nobody: no such party"),
        ({"supplier": 100}, ShareOutOfBounds, "supplier: the remainder party"),
        ({"platform": cny(100)}, ShareOutOfBounds, "platform: a percent share is overridden"),
        ({"platform": True}, ShareOutOfBounds, "platform: a percent share is overridden"),
        ({"platform": 5.0}, ShareOutOfBounds, "platform: a percent share is overridden"),
        ({"pickup_host": 50}, ShareOutOfBounds, "pickup_host: a fixed share is overridden"),
        (
            {"pickup_host": Money(amount=50, currency="USD")},
            ShareOutOfBounds,
            "pickup_host: USD 0.50 is not in the share's currency",
        ),
    ],
)
def test_overrides_that_do_not_fit_are_refused(
    overrides: dict[str, Any], error: type[InvalidInput], fragment: str
) -> None:
    with pytest.raises(error, match=re.escape(fragment)) as info:
        group_buying_rules().with_overrides(overrides)
    assert isinstance(info.value, InvalidInput)
    assert info.value.extensions["party"] == next(iter(overrides))


def test_remainder_negative_message() -> None:
    the_rules = RevenueShareRules(shares=(fixed("pickup_host", cny(300)), remainder("supplier")))
    with pytest.raises(RemainderNegative) as info:
        split(the_rules, cny(200))
    assert info.value.detail == (
        "the shares (CNY 3.00) exceed the amount (CNY 2.00): "
        "the remainder party 'supplier' would be negative"
    )
    assert info.value.extensions["remainder_party"] == "supplier"


def test_split_of_zero_without_fees_is_all_zeros() -> None:
    the_rules = RevenueShareRules(shares=(percent("platform", 500), remainder("supplier")))
    assert split(the_rules, cny(0)) == {"platform": cny(0), "supplier": cny(0)}


def test_split_refuses_a_negative_amount() -> None:
    with pytest.raises(InvalidInput, match="negative"):
        split(group_buying_rules(), cny(-1))


def test_split_refuses_a_fixed_share_in_another_currency() -> None:
    with pytest.raises(CurrencyMismatch, match="pickup_host"):
        split(group_buying_rules(), Money(amount=10_000, currency="USD"))


def test_split_of_a_zero_decimal_currency() -> None:
    the_rules = RevenueShareRules(shares=(percent("platform", 333), remainder("supplier")))
    parts = split(the_rules, Money(amount=1000, currency="JPY"))
    assert parts == {
        "platform": Money(amount=33, currency="JPY"),
        "supplier": Money(amount=967, currency="JPY"),
    }


def test_refund_gives_the_left_over_cents_to_the_largest_fractions_ties_in_order() -> None:
    assert refund({"a": cny(1), "b": cny(1), "c": cny(1)}, cny(2)) == {
        "a": cny(1),
        "b": cny(1),
        "c": cny(0),
    }
    assert refund({"c": cny(1), "b": cny(1), "a": cny(1)}, cny(1)) == {
        "c": cny(1),
        "b": cny(0),
        "a": cny(0),
    }
    # exact shares 3.3, 3.3, 3.4 of 10: floors 3, 3, 3 and the cent left goes to the 0.4
    assert refund({"a": cny(33), "b": cny(33), "c": cny(34)}, cny(10)) == {
        "a": cny(3),
        "b": cny(3),
        "c": cny(4),
    }


def test_refund_of_the_group_buying_split() -> None:
    held = split(group_buying_rules(), cny(10_000))
    first = refund(held, cny(2500))
    assert first == {
        "platform": cny(125),
        "leader": cny(250),
        "pickup_host": cny(13),  # 12.5 -> 12, and the one cent left goes to the largest fraction
        "community_fund": cny(25),
        "supplier": cny(2087),  # 2087.5 -> 2087
    }
    left = remaining(held, first)
    assert refund(left, cny(7500)) == left


@pytest.mark.parametrize(
    ("held", "amount", "error"),
    [
        ({"a": cny(100)}, cny(101), RefundExceedsHeld),
        ({}, cny(1), RefundExceedsHeld),
        ({"a": cny(100)}, cny(-1), InvalidInput),
        ({"a": cny(100), "b": cny(-1)}, cny(1), InvalidInput),
        ({"a": cny(100), "b": Money(amount=1, currency="USD")}, cny(1), CurrencyMismatch),
        ({"a": cny(100)}, Money(amount=1, currency="USD"), CurrencyMismatch),
    ],
)
def test_refund_refuses(held: dict[str, Money], amount: Money, error: type[Exception]) -> None:
    with pytest.raises(error):
        refund(held, amount)


def test_refund_of_nothing_held() -> None:
    assert refund({}, cny(0)) == {}
    assert refund({"a": cny(0), "b": cny(0)}, cny(0)) == {"a": cny(0), "b": cny(0)}


def test_remaining_refuses_unknown_parties_and_over_refunds() -> None:
    held = {"a": cny(100), "b": cny(50)}
    assert remaining(held, {"b": cny(20)}) == {"a": cny(100), "b": cny(30)}
    with pytest.raises(UnknownParty):
        remaining(held, {"c": cny(1)})
    with pytest.raises(RefundExceedsHeld, match=r"b: gives back CNY 0\.51 but holds only"):
        remaining(held, {"b": cny(51)})


# --- rules validation -------------------------------------------------------------------------


def test_bounds_default_to_the_declared_value() -> None:
    share = percent("community_fund", 100)
    assert (share.min_basis_points, share.max_basis_points) == (100, 100)
    fee = fixed("pickup_host", cny(50))
    assert (fee.min_fixed, fee.max_fixed) == (cny(50), cny(50))
    assert Share(party="x", kind=ShareKind.PERCENT, basis_points=7).max_basis_points == 7


def test_fee_bearer_defaults_to_the_remainder_party() -> None:
    assert group_buying_rules().fee_bearer == "supplier"
    declared = RevenueShareRules(shares=group_buying_rules().shares, gateway_fee_bearer="platform")
    assert declared.fee_bearer == "platform"
    assert declared.with_overrides({"platform": 0}).fee_bearer == "platform"


def test_rules_round_trip_through_json() -> None:
    the_rules = group_buying_rules()
    assert RevenueShareRules.model_validate_json(the_rules.model_dump_json()) == the_rules


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (
            lambda: (percent("platform", 500),),
            "exactly one share must be the remainder; found none",
        ),
        (lambda: (remainder("a"), remainder("b")), "found a, b"),
        (lambda: (percent("platform", 5), remainder("platform")), "platform: the party appears"),
        (
            lambda: (percent("platform", 500, min=600, max=1000), remainder("s")),
            f"platform: the declared 500 bp is outside its bounds 600{DASH}1000 bp",
        ),
        (
            lambda: (percent("platform", 500, min=0, max=400), remainder("s")),
            "platform: the declared 500 bp",
        ),
        (
            lambda: (fixed("pickup_host", cny(50), min=cny(60)), remainder("s")),
            "pickup_host: the minimum CNY 0.60 is above",
        ),
        (
            lambda: (fixed("pickup_host", cny(-1)), remainder("s")),
            "pickup_host: a fixed share cannot be negative",
        ),
        (
            lambda: (
                fixed("pickup_host", cny(1), max=Money(amount=2, currency="USD")),
                remainder("s"),
            ),
            "pickup_host: the fixed share and its bounds mix currencies",
        ),
        (
            lambda: (percent("a", 6000), percent("b", 3000, max=5000), remainder("s")),
            "may add up to 11000 bp",
        ),
        (
            lambda: (
                fixed("a", cny(1)),
                fixed("b", Money(amount=1, currency="USD")),
                remainder("s"),
            ),
            "found a CNY, b USD",
        ),
    ],
)
def test_invalid_rules_are_refused_naming_the_party(
    build: Callable[[], tuple[Share, ...]], fragment: str
) -> None:
    with pytest.raises(InvalidRules, match=re.escape(fragment)):
        RevenueShareRules(shares=build())


def test_gateway_fee_bearer_must_name_a_party() -> None:
    with pytest.raises(InvalidRules, match="nobody: the gateway fee bearer"):
        RevenueShareRules(shares=(remainder("supplier"),), gateway_fee_bearer="nobody")


def test_a_share_must_fit_its_kind() -> None:
    with pytest.raises(InvalidRules, match="x: a percent share needs basis_points"):
        Share(party="x", kind=ShareKind.PERCENT)
    with pytest.raises(InvalidRules, match="x: a remainder share cannot have fixed"):
        Share(party="x", kind=ShareKind.REMAINDER, fixed=cny(1))


@pytest.mark.parametrize("party", ["Platform", "1abc", "", "a-b", "a" * 41])
def test_party_names_are_slugs(party: str) -> None:
    with pytest.raises(ValidationError):
        remainder(party)


@pytest.mark.parametrize("basis_points", [-1, 10_001])
def test_basis_points_lie_within_0_and_10000(basis_points: int) -> None:
    with pytest.raises(ValidationError):
        percent("platform", basis_points)


def test_a_share_of_the_whole_amount_is_allowed() -> None:
    the_rules = RevenueShareRules(shares=(percent("platform", 10_000), remainder("supplier")))
    assert split(the_rules, cny(123)) == {"platform": cny(123), "supplier": cny(0)}
