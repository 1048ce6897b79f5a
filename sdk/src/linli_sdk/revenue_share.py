"""Revenue-share rules and the pure functions that split a charge and allocate its refunds.

A module declares its rules once, e.g. group buying: platform 5 % (the operator may set
0-10 %), leader (团长) 10 % (5-15 %), pickup host (自提点) a fixed fee, community fund 1 % and
the supplier the remainder. The operator tunes each community inside the declared bounds with
`RevenueShareRules.with_overrides`. The semantics are exact:

- `split`: fixed shares are taken first; each percent share is
  ``floor(amount * bp / 10000)`` of the whole amount; the remainder party takes what is left,
  flooring cents included. A split that would leave the remainder party negative is refused.
- `refund`: a refund is allocated in proportion to what each party still holds: each exact
  share is floored and the minor units left go one by one to the largest fractional parts
  (ties: the rules' order). No party gives back more than it holds, and refunding everything
  returns every party to exactly zero.
"""

from __future__ import annotations

from collections.abc import Mapping

from linli_sdk._revenue_share_rules import (
    BASIS_POINTS_WHOLE,
    HOUSE_PARTIES,
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
    remainder,
)
from linli_sdk.errors import InvalidInput
from linli_sdk.money import CurrencyMismatch, Money, sum_money

__all__ = [
    "BASIS_POINTS_WHOLE",
    "HOUSE_PARTIES",
    "InvalidRules",
    "RefundExceedsHeld",
    "RemainderNegative",
    "RevenueShareRules",
    "Share",
    "ShareKind",
    "ShareOutOfBounds",
    "UnknownParty",
    "fixed",
    "percent",
    "refund",
    "remainder",
    "remaining",
    "split",
]


def split(rules: RevenueShareRules, amount: Money) -> dict[str, Money]:
    """Split a charge among the parties, in the rules' order, zero parts included.

    Fixed shares are taken first; each percent share is ``floor(amount * bp / 10000)`` of the
    whole amount; the remainder party takes what is left. The parts add up to ``amount``.

    Raises:
        InvalidInput: ``amount`` is negative.
        CurrencyMismatch: A fixed share is in another currency than ``amount``.
        RemainderNegative: The fixed and percent shares exceed ``amount``.

    """
    if amount.is_negative:
        raise InvalidInput(f"cannot split a negative amount ({amount})", amount=amount.model_dump())
    parts: dict[str, Money] = {}
    for share in rules.shares:
        if share.fixed is not None:
            if share.fixed.currency != amount.currency:
                raise CurrencyMismatch(
                    f"{share.party}: the fixed share is in {share.fixed.currency}, "
                    f"the amount in {amount.currency}",
                    currencies=[share.fixed.currency, amount.currency],
                )
            parts[share.party] = share.fixed
        elif share.basis_points is not None:
            floored = amount.amount * share.basis_points // BASIS_POINTS_WHOLE
            parts[share.party] = Money(amount=floored, currency=amount.currency)
    taken = sum_money(parts.values(), amount.currency)
    left = amount - taken
    if left.is_negative:
        raise RemainderNegative(
            f"the shares ({taken}) exceed the amount ({amount}): "
            f"the remainder party '{rules.remainder_party}' would be negative",
            amount=amount.model_dump(),
            shares={party: part.model_dump() for party, part in parts.items()},
            remainder_party=rules.remainder_party,
        )
    return {share.party: parts.get(share.party, left) for share in rules.shares}


def refund(held: Mapping[str, Money], amount: Money) -> dict[str, Money]:
    """Allocate a refund in proportion to what each party still holds of a charge.

    Each party's exact share ``held * amount / total_held`` is floored; the minor units left go
    one by one to the largest fractional parts, ties to the earlier party in ``held``'s order
    (the rules' order). The result keeps ``held``'s order, sums to ``amount``, never exceeds
    what a party holds, and is ``held`` itself when ``amount`` is the total held.

    Raises:
        InvalidInput: ``amount`` or a held value is negative.
        CurrencyMismatch: The held values and ``amount`` are not all in one currency.
        RefundExceedsHeld: ``amount`` is more than the total held.

    """
    if amount.is_negative:
        raise InvalidInput(
            f"cannot refund a negative amount ({amount})", amount=amount.model_dump()
        )
    for party, money in held.items():
        if money.currency != amount.currency:
            raise CurrencyMismatch(
                f"{party}: holds {money.currency}, the refund is in {amount.currency}",
                currencies=[money.currency, amount.currency],
            )
        if money.is_negative:
            raise InvalidInput(f"{party}: holds a negative amount ({money})", party=party)
    total = sum(money.amount for money in held.values())
    if amount.amount > total:
        raise RefundExceedsHeld(
            f"the refund ({amount}) exceeds what the parties hold "
            f"({Money(amount=total, currency=amount.currency)})",
            amount=amount.model_dump(),
            held_total=total,
        )
    if total == 0:
        return {party: Money.zero(amount.currency) for party in held}
    shares = [divmod(money.amount * amount.amount, total) for money in held.values()]
    floored = [whole for whole, _ in shares]
    left = amount.amount - sum(floored)
    by_fraction = sorted(range(len(shares)), key=lambda i: -shares[i][1])
    for i in by_fraction[:left]:
        floored[i] += 1
    return {
        party: Money(amount=part, currency=amount.currency)
        for party, part in zip(held, floored, strict=True)
    }


def remaining(held: Mapping[str, Money], refunded: Mapping[str, Money]) -> dict[str, Money]:
    """Return what each party still holds after ``refunded`` (e.g. a `refund` allocation).

    Raises:
        UnknownParty: ``refunded`` names a party that ``held`` does not.
        CurrencyMismatch: A refunded part is in another currency than the party's holding.
        RefundExceedsHeld: A party would give back more than it holds.

    """
    for party in refunded:
        if party not in held:
            raise UnknownParty(f"{party}: holds nothing of this charge", party=party)
    left = {
        party: money - refunded[party] if party in refunded else money
        for party, money in held.items()
    }
    for party, money in left.items():
        if money.is_negative:
            raise RefundExceedsHeld(
                f"{party}: gives back {refunded[party]} but holds only {held[party]}", party=party
            )
    return left
