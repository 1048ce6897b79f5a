"""Revenue-share rules: the shares a module declares, their bounds, and the operator's overrides.

Public through :mod:`linli_sdk.revenue_share`, which also holds the pure functions that apply
them (`split`, `refund`, `remaining`).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from linli_sdk.errors import InvalidInput
from linli_sdk.money import Money

BASIS_POINTS_WHOLE = 10_000
"""Basis points in the whole amount: 100 % is 10000 bp, 5 % is 500 bp."""

HOUSE_PARTIES: frozenset[str] = frozenset({"platform", "community_fund"})
"""Parties whose share stays with the house (the platform, the community fund): no payee needed."""

PartyName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
BasisPoints = Annotated[StrictInt, Field(ge=0, le=BASIS_POINTS_WHOLE)]


class InvalidRules(InvalidInput):
    """A set of revenue-share rules breaks a rule; the message names the party."""

    title = "Invalid revenue-share rules"
    slug = "invalid-revenue-share-rules"


class UnknownParty(InvalidInput):
    """An override or a refund names a party the rules do not have."""

    title = "Unknown party"
    slug = "unknown-party"


class ShareOutOfBounds(InvalidInput):
    """An override lies outside the share's declared bounds, or does not fit its kind."""

    title = "Share out of bounds"
    slug = "share-out-of-bounds"


class RemainderNegative(InvalidInput):
    """The fixed and percent shares of a charge exceed the amount."""

    title = "Shares exceed the amount"
    slug = "remainder-negative"


class RefundExceedsHeld(InvalidInput):
    """A refund is larger than what the parties still hold of the charge."""

    title = "Refund exceeds what is held"
    slug = "refund-exceeds-held"


class ShareKind(StrEnum):
    """How a share is computed."""

    PERCENT = "percent"
    """Basis points of the whole amount, floored."""
    FIXED = "fixed"
    """A fixed amount per charge."""
    REMAINDER = "remainder"
    """Whatever the other shares leave."""


class Share(BaseModel):
    """One party's share of a charge and the bounds an operator may move it within.

    Build one with `percent`, `fixed` or `remainder`. Bounds left out default to the declared
    value, so the operator cannot change that share.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    party: PartyName
    kind: ShareKind
    basis_points: BasisPoints | None = None
    min_basis_points: BasisPoints | None = None
    max_basis_points: BasisPoints | None = None
    fixed: Money | None = None
    min_fixed: Money | None = None
    max_fixed: Money | None = None

    @model_validator(mode="before")
    @classmethod
    def _bounds_default_to_the_value(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            for value, *bounds in (
                ("basis_points", "min_basis_points", "max_basis_points"),
                ("fixed", "min_fixed", "max_fixed"),
            ):
                for bound in bounds:
                    if data.get(bound) is None:
                        data[bound] = data.get(value)
        return data

    @model_validator(mode="after")
    def _fits_its_kind_and_bounds(self) -> Self:
        fields = {
            ShareKind.PERCENT: ("basis_points", "min_basis_points", "max_basis_points"),
            ShareKind.FIXED: ("fixed", "min_fixed", "max_fixed"),
            ShareKind.REMAINDER: (),
        }
        for name in type(self).model_fields:
            if name in ("party", "kind"):
                continue
            needed = name in fields[self.kind]
            if needed != (getattr(self, name) is not None):
                verb = "needs" if needed else "cannot have"
                raise InvalidRules(f"{self.party}: a {self.kind} share {verb} {name}")
        if self.kind is ShareKind.PERCENT:
            _check_bounds(
                self.party, self.basis_points, self.min_basis_points, self.max_basis_points, " bp"
            )
        elif self.kind is ShareKind.FIXED:
            _check_bounds(self.party, self.fixed, self.min_fixed, self.max_fixed)
        return self

    def bounds_text(self) -> str:
        """Describe the allowed range, e.g. ``0\N{EN DASH}1000 bp``."""
        if self.kind is ShareKind.PERCENT:
            return f"{_span(self.min_basis_points, self.max_basis_points)} bp"
        if self.kind is ShareKind.FIXED:
            return _span(self.min_fixed, self.max_fixed)
        return "whatever the other shares leave"


def _span(low: object, high: object) -> str:
    return f"{low}\N{EN DASH}{high}"


def _check_bounds(party: str, value: Any, low: Any, high: Any, unit: str = "") -> None:
    if isinstance(value, Money):
        for money in (value, low, high):
            if money.currency != value.currency:
                raise InvalidRules(f"{party}: the fixed share and its bounds mix currencies")
            if money.is_negative:
                raise InvalidRules(f"{party}: a fixed share cannot be negative ({money})")
    if not low <= high:
        raise InvalidRules(f"{party}: the minimum {low}{unit} is above the maximum {high}{unit}")
    if not low <= value <= high:
        bounds = f"{_span(low, high)}{unit}"
        raise InvalidRules(f"{party}: the declared {value}{unit} is outside its bounds {bounds}")


def percent(
    party: str, basis_points: int, *, min: int | None = None, max: int | None = None
) -> Share:
    """Declare a share of ``basis_points`` of the whole amount (500 bp = 5 %), floored.

    Args:
        party: The party's name, a slug such as ``platform``.
        basis_points: The declared share.
        min: The least an operator may set; defaults to ``basis_points``.
        max: The most an operator may set; defaults to ``basis_points``.

    """
    return Share(
        party=party,
        kind=ShareKind.PERCENT,
        basis_points=basis_points,
        min_basis_points=min,
        max_basis_points=max,
    )


def fixed(party: str, money: Money, *, min: Money | None = None, max: Money | None = None) -> Share:
    """Declare a fixed, non-negative amount per charge, taken before the percent shares.

    Args:
        party: The party's name, a slug such as ``pickup_host``.
        money: The declared fee.
        min: The least an operator may set; defaults to ``money``.
        max: The most an operator may set; defaults to ``money``.

    """
    return Share(party=party, kind=ShareKind.FIXED, fixed=money, min_fixed=min, max_fixed=max)


def remainder(party: str) -> Share:
    """Declare the share of the party that takes whatever the other shares leave."""
    return Share(party=party, kind=ShareKind.REMAINDER)


class RevenueShareRules(BaseModel):
    """A module's revenue-share rules: its shares in order and who bears the gateway's fee.

    Exactly one share is the remainder; party names are unique; the percent shares' maxima add
    up to at most 10000 bp; fixed shares are all in one currency. Breaking a rule raises
    `InvalidRules` naming the party.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    shares: tuple[Share, ...]
    gateway_fee_bearer: PartyName | None = Field(
        default=None,
        description="The party that bears the payment gateway's fee; None means the remainder.",
    )

    @model_validator(mode="after")
    def _one_coherent_rule_set(self) -> Self:
        parties = [share.party for share in self.shares]
        for party in parties:
            if parties.count(party) > 1:
                raise InvalidRules(f"{party}: the party appears more than once")
        remainders = [s.party for s in self.shares if s.kind is ShareKind.REMAINDER]
        if len(remainders) != 1:
            found = ", ".join(remainders) or "none"
            raise InvalidRules(f"exactly one share must be the remainder; found {found}")
        percents = [s for s in self.shares if s.kind is ShareKind.PERCENT]
        most = sum(s.max_basis_points or 0 for s in percents)
        if most > BASIS_POINTS_WHOLE:
            maxima = ", ".join(f"{s.party} {s.max_basis_points} bp" for s in percents)
            raise InvalidRules(
                f"the percent shares may add up to {most} bp, more than {BASIS_POINTS_WHOLE} bp "
                f"(their maxima: {maxima})"
            )
        fixed_in = {s.party: s.fixed.currency for s in self.shares if s.fixed is not None}
        if len(set(fixed_in.values())) > 1:
            listed = ", ".join(f"{party} {currency}" for party, currency in fixed_in.items())
            raise InvalidRules(f"the fixed shares must be in one currency; found {listed}")
        if self.gateway_fee_bearer is not None and self.gateway_fee_bearer not in parties:
            raise InvalidRules(
                f"{self.gateway_fee_bearer}: the gateway fee bearer is not one of the parties"
            )
        return self

    @property
    def parties(self) -> tuple[str, ...]:
        """The party names in the rules' order."""
        return tuple(share.party for share in self.shares)

    @property
    def remainder_party(self) -> str:
        """The party that takes whatever the other shares leave."""
        return next(s.party for s in self.shares if s.kind is ShareKind.REMAINDER)

    @property
    def fee_bearer(self) -> str:
        """The party that bears the gateway's fee: the declared one, else the remainder party."""
        return self.gateway_fee_bearer or self.remainder_party

    @property
    def payee_parties(self) -> tuple[str, ...]:
        """The parties a charge must name a payee (a member id) for: all but `HOUSE_PARTIES`."""
        return tuple(party for party in self.parties if party not in HOUSE_PARTIES)

    def check_payees(self, payees: Mapping[str, int]) -> None:
        """Refuse ``payees`` (party -> member id) that leave a party in `payee_parties` unnamed.

        Raises:
            InvalidInput: A party needs a payee and ``payees`` names none (``party`` names it).

        """
        for party in self.payee_parties:
            if party not in payees:
                raise InvalidInput(f"{party}: name who is paid this share in payees", party=party)

    def with_overrides(self, overrides: Mapping[str, int | Money]) -> RevenueShareRules:
        """Return these rules with an operator's per-community values, each inside its bounds.

        Args:
            overrides: Party name -> basis points (percent shares) or `Money` (fixed shares).

        Raises:
            UnknownParty: An override names a party the rules do not have.
            ShareOutOfBounds: An override targets the remainder party, has the wrong type for
                its share, or lies outside the share's declared bounds.

        """
        shares = {share.party: share for share in self.shares}
        for party, value in overrides.items():
            if party not in shares:
                raise UnknownParty(
                    f"{party}: no such party in these rules ({', '.join(shares)})", party=party
                )
            shares[party] = _override(shares[party], value)
        return RevenueShareRules(
            shares=tuple(shares.values()), gateway_fee_bearer=self.gateway_fee_bearer
        )


def _override(share: Share, value: int | Money) -> Share:
    party = share.party
    if share.kind is ShareKind.REMAINDER:
        raise ShareOutOfBounds(
            f"{party}: the remainder party takes what is left and cannot be overridden",
            party=party,
        )
    if share.kind is ShareKind.PERCENT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ShareOutOfBounds(
                f"{party}: a percent share is overridden with basis points (an int), "
                f"not {type(value).__name__}",
                party=party,
            )
        low, high = share.min_basis_points, share.max_basis_points
        if low is None or high is None or not low <= value <= high:
            raise ShareOutOfBounds(
                f"{party}: {value} bp is outside the allowed {share.bounds_text()}",
                party=party,
                value=value,
                min=low,
                max=high,
            )
        return share.model_copy(update={"basis_points": value})
    if not isinstance(value, Money):
        raise ShareOutOfBounds(
            f"{party}: a fixed share is overridden with Money, not {type(value).__name__}",
            party=party,
        )
    low_money, high_money = share.min_fixed, share.max_fixed
    if low_money is None or high_money is None or value.currency != low_money.currency:
        raise ShareOutOfBounds(
            f"{party}: {value} is not in the share's currency ({share.bounds_text()})",
            party=party,
            value=value.model_dump(),
        )
    if not low_money <= value <= high_money:
        raise ShareOutOfBounds(
            f"{party}: {value} is outside the allowed {share.bounds_text()}",
            party=party,
            value=value.model_dump(),
            min=low_money.model_dump(),
            max=high_money.model_dump(),
        )
    return share.model_copy(update={"fixed": value})
