"""Split a group-buying charge, tune it for one community, and refund it in two steps."""

from linli_sdk.money import Money
from linli_sdk.revenue_share import (
    RevenueShareRules,
    ShareOutOfBounds,
    fixed,
    percent,
    refund,
    remainder,
    remaining,
    split,
)


def cny(fen: int) -> Money:
    return Money(amount=fen, currency="CNY")


# The module declares its rules once: who gets what, and how far an operator may move it.
rules = RevenueShareRules(
    shares=(
        percent("platform", 500, min=0, max=1000),  # 5 %, operator may set 0-10 %
        percent("leader", 1000, min=500, max=1500),  # 10 %, 5-15 %
        fixed("pickup_host", cny(50)),  # CNY 0.50 per order, not overridable
        percent("community_fund", 100),  # 1 %, not overridable
        remainder("supplier"),  # whatever is left
    ),
)
assert rules.fee_bearer == "supplier"  # no gateway_fee_bearer declared: the remainder party

# A charge of CNY 100.00 (10000 fen).
parts = split(rules, cny(10_000))
assert parts == {
    "platform": cny(500),
    "leader": cny(1000),
    "pickup_host": cny(50),
    "community_fund": cny(100),
    "supplier": cny(8350),
}
assert str(parts["supplier"]) == "CNY 83.50"

# Percent shares are floored; the remainder party gets the cents.
odd = split(rules, cny(1999))
assert odd["platform"] == cny(99)  # 5 % of 19.99 is 0.9995
assert odd["supplier"] == cny(1999 - 99 - 199 - 50 - 19)

# An operator tunes one community inside the declared bounds ...
community = rules.with_overrides({"platform": 800, "leader": 1200})
assert split(community, cny(10_000))["platform"] == cny(800)

# ... and is refused outside them, with the bound in the message.
try:
    rules.with_overrides({"platform": 1200})
except ShareOutOfBounds as error:
    assert error.detail == "platform: 1200 bp is outside the allowed 0\N{EN DASH}1000 bp"
    assert error.extensions == {"party": "platform", "value": 1200, "min": 0, "max": 1000}
else:
    raise AssertionError("an override outside the bounds must be refused")

# A partial refund of CNY 25.00 is taken from each party in proportion to what it holds.
first = refund(parts, cny(2500))
assert first == {
    "platform": cny(125),
    "leader": cny(250),
    "pickup_host": cny(13),  # 12.5 and 2087.5 tie: the one cent left goes to the earlier party
    "community_fund": cny(25),
    "supplier": cny(2087),
}
held = remaining(parts, first)

# Refunding the rest returns every party to exactly zero.
rest = refund(held, cny(7500))
assert all(money.is_zero for money in remaining(held, rest).values())
