"""The ledger's rules: accounts, and the pure functions that build balanced posting plans.

This is the functional core of settlement. Nothing here touches the database or a gateway:
each ``plan_*`` function turns what happened to a charge into a `PostingPlan` — a ledger
transaction's idempotency key, its kind and its postings — and `check_balanced` refuses any
plan whose postings do not add up to zero in every currency. Postings are signed: a debit is
positive, a credit negative. A party's payable has a credit balance, so what a party is owed is
minus the sum of its postings.

Accounts (see docs/settlement.md):

- ``gateway_clearing``: what the gateway holds for us (captured, less fees, less refunds paid).
- ``gateway_fees``: the gateway's fee, passed through to the party that bears it.
- ``refunds_payable``: refunds granted and not yet paid out by the gateway.
- ``authorizations_held`` / ``payer_authorizations``: memo pair for authorised, uncaptured money.
- ``platform_revenue``, ``community_fund``: the platform's and the community's shares.
- ``payable:<party>:<member id>``: what a provider, leader (团长) or pickup host (自提点) is owed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from linli_sdk import InvalidInput, Money
from linli_sdk.revenue_share import RevenueShareRules, split
from linli_sdk.revenue_share import refund as allocate_refund

__all__ = [
    "AUTHORIZATIONS_HELD",
    "COMMUNITY_FUND",
    "GATEWAY_CLEARING",
    "GATEWAY_FEES",
    "PAYER_AUTHORIZATIONS",
    "PLATFORM_REVENUE",
    "REFUNDS_PAYABLE",
    "ChargePosition",
    "ModuleHold",
    "PostedEntry",
    "Posting",
    "PostingPlan",
    "TxnKind",
    "Unbalanced",
    "balances_balance",
    "check_balanced",
    "held_by_party",
    "party_account",
    "payout_due",
    "payout_key",
    "plan_authorization",
    "plan_capture",
    "plan_clawback",
    "plan_payout",
    "plan_refund",
    "plan_refund_paid",
    "plan_void",
    "required_payees",
    "txn_key",
]

GATEWAY_CLEARING = "gateway_clearing"
GATEWAY_FEES = "gateway_fees"
REFUNDS_PAYABLE = "refunds_payable"
AUTHORIZATIONS_HELD = "authorizations_held"
PAYER_AUTHORIZATIONS = "payer_authorizations"
PLATFORM_REVENUE = "platform_revenue"
COMMUNITY_FUND = "community_fund"

_HOUSE_ACCOUNTS = {"platform": PLATFORM_REVENUE, "community_fund": COMMUNITY_FUND}
"""Parties whose share goes to an account of the house rather than to a member's payable."""


class Unbalanced(ValueError):
    """A posting plan does not add up to zero in some currency (a bug, never a user error)."""


class TxnKind(StrEnum):
    """What a ledger transaction records."""

    AUTHORIZE = "authorize"
    CAPTURE = "capture"
    VOID = "void"
    REFUND = "refund"
    REFUND_PAID = "refund_paid"
    PAYOUT = "payout"
    CLAWBACK = "clawback"


@dataclass(frozen=True, slots=True)
class Posting:
    """One line of a ledger transaction: ``amount`` debited (positive) or credited (negative).

    ``party`` is the revenue-share party whose share the line moves, or ``None`` for lines
    that are not part of the split (clearing, fees, memo accounts).
    """

    account: str
    amount: Money
    party: str | None = None


@dataclass(frozen=True, slots=True)
class PostingPlan:
    """A ledger transaction to append: its unique key, its kind and its balanced postings."""

    key: str
    kind: TxnKind
    postings: tuple[Posting, ...]


@dataclass(frozen=True, slots=True)
class PostedEntry:
    """An entry as read back from the ledger: enough to recompute holdings."""

    kind: TxnKind
    account: str
    amount: Money
    party: str | None


@dataclass(frozen=True, slots=True)
class ModuleHold:
    """A module's own payout hold as of one batch: its cutoff, and whether it waits for release."""

    cutoff: datetime
    until_released: bool


def txn_key(charge_id: int, kind: TxnKind, ref: str = "") -> str:
    """The ledger transaction's idempotency key, derived from the charge and the ref."""
    return f"ch{charge_id}:{kind}" + (f":{ref}" if ref else "")


def check_balanced(postings: Iterable[Posting]) -> None:
    """Raise `Unbalanced` unless the postings add up to zero in every currency."""
    totals: dict[str, int] = defaultdict(int)
    for posting in postings:
        totals[posting.amount.currency] += posting.amount.amount
    off = {currency: total for currency, total in totals.items() if total}
    if off:
        raise Unbalanced(f"postings do not balance: {off}")


def balances_balance(totals: Mapping[tuple[str, str], int]) -> bool:
    """Whether account balances (by account and currency) sum to zero in every currency."""
    per_currency: dict[str, int] = defaultdict(int)
    for (_, currency), total in totals.items():
        per_currency[currency] += total
    return not any(per_currency.values())


def _plan(key: str, kind: TxnKind, postings: Iterable[Posting]) -> PostingPlan:
    lines = tuple(p for p in postings if not p.amount.is_zero)
    check_balanced(lines)
    return PostingPlan(key, kind, lines)


def required_payees(rules: RevenueShareRules) -> tuple[str, ...]:
    """The parties that need a payee (a member id): all but the platform and community fund."""
    return rules.payee_parties


def party_account(party: str, payees: Mapping[str, int]) -> str:
    """The account a party's share is credited to.

    Raises:
        InvalidInput: The party needs a payee and ``payees`` names none.

    """
    if party in _HOUSE_ACCOUNTS:
        return _HOUSE_ACCOUNTS[party]
    if party not in payees:
        raise InvalidInput(f"{party}: name who is paid this share in payees", party=party)
    return f"payable:{party}:{payees[party]}"


def plan_authorization(charge_id: int, amount: Money) -> PostingPlan:
    """Record that ``amount`` is authorised on the payer's method (a memo pair, no money moves)."""
    return _plan(
        txn_key(charge_id, TxnKind.AUTHORIZE),
        TxnKind.AUTHORIZE,
        [Posting(AUTHORIZATIONS_HELD, amount), Posting(PAYER_AUTHORIZATIONS, -amount)],
    )


def plan_void(charge_id: int, amount: Money) -> PostingPlan:
    """Release an authorisation: reverse the memo pair."""
    return _plan(
        txn_key(charge_id, TxnKind.VOID),
        TxnKind.VOID,
        [Posting(AUTHORIZATIONS_HELD, -amount), Posting(PAYER_AUTHORIZATIONS, amount)],
    )


def plan_capture(
    charge_id: int,
    amount: Money,
    rules: RevenueShareRules,
    payees: Mapping[str, int],
    fee: Money,
) -> PostingPlan:
    """Capture ``amount``: release the authorisation, split it, and charge the fee to its bearer.

    The gateway keeps ``fee``; the clearing account receives the rest; every party's account is
    credited its part of `split`; the declared fee bearer's account is debited the fee.
    """
    parts = split(rules, amount)
    bearer = party_account(rules.fee_bearer, payees)
    postings = [
        Posting(AUTHORIZATIONS_HELD, -amount),
        Posting(PAYER_AUTHORIZATIONS, amount),
        Posting(GATEWAY_CLEARING, amount - fee),
        Posting(GATEWAY_FEES, fee),
        *(Posting(party_account(p, payees), -part, p) for p, part in parts.items()),
        Posting(bearer, fee),
        Posting(GATEWAY_FEES, -fee),
    ]
    return _plan(txn_key(charge_id, TxnKind.CAPTURE), TxnKind.CAPTURE, postings)


def held_by_party(entries: Iterable[PostedEntry], parties: Iterable[str]) -> dict[str, Money]:
    """What each party still holds of a charge: its split part less what refunds took back.

    Fees are not counted: they are borne on top of the split and never refunded.
    """
    held: dict[str, int] = dict.fromkeys(parties, 0)
    currency = None
    for entry in entries:
        if entry.party is not None:
            held[entry.party] -= entry.amount.amount
            currency = entry.amount.currency
    if currency is None:
        raise InvalidInput("the charge has not been captured: nothing is held to refund")
    return {party: Money(amount=amount, currency=currency) for party, amount in held.items()}


def plan_refund(
    charge_id: int, ref: str, held: Mapping[str, Money], amount: Money, payees: Mapping[str, int]
) -> PostingPlan:
    """Grant a refund: take it back from the parties pro rata to what they hold.

    Raises:
        RefundExceedsHeld: ``amount`` is more than the parties still hold.

    """
    taken = allocate_refund(held, amount)
    postings = [
        *(Posting(party_account(p, payees), part, p) for p, part in taken.items()),
        Posting(REFUNDS_PAYABLE, -amount),
    ]
    return _plan(txn_key(charge_id, TxnKind.REFUND, ref), TxnKind.REFUND, postings)


def plan_refund_paid(charge_id: int, ref: str, amount: Money) -> PostingPlan:
    """The gateway paid a granted refund back to the payer out of the clearing account."""
    return _plan(
        txn_key(charge_id, TxnKind.REFUND_PAID, ref),
        TxnKind.REFUND_PAID,
        [Posting(REFUNDS_PAYABLE, amount), Posting(GATEWAY_CLEARING, -amount)],
    )


@dataclass(frozen=True, slots=True)
class ChargePosition:
    """One charge's postings on a payee account, for a payout batch.

    ``net`` is the sum of the charge's postings on the account (its share credited, less the
    refunds that took part of it back, plus a fee its bearer owes); ``settled`` whether the
    charge's credit is past its hold. ``charge`` is ``None`` for the postings of no charge
    (payouts and clawbacks), which always count.
    """

    charge: int | None
    net: int
    settled: bool


def payout_due(positions: Iterable[ChargePosition]) -> int:
    """What a payee may be paid now, from its account's postings charge by charge.

    A debit meets only the credits of its own charge: a charge past its hold counts in full
    (its share less its refunds and fees); a charge still held counts only what it owes beyond
    its own credits (a fee larger than the share), so a charge refunded in full before its
    release holds nothing and takes nothing from the other charges. Payouts and clawbacks count
    at once. A negative result is a clawback the payee owes: nothing is paid until later
    earnings cover it.
    """
    total = 0
    for position in positions:
        counted = position.charge is None or position.settled
        total += position.net if counted else max(position.net, 0)
    return -total


def payout_key(community_id: int, account: str, batch: int) -> str:
    """The ledger key of a payee account's ``batch``-th payout (also its ``transfer_group``)."""
    return f"c{community_id}:payout:{account}:{batch}"


def plan_payout(community_id: int, account: str, batch: int, amount: Money) -> PostingPlan:
    """Pay ``amount`` out of a payee's account; ``batch`` counts the account's payouts (from 1).

    The key is derived from the ledger (how many payouts the account already had), so a batch
    that is run again after a crash produces the same key and pays nothing twice.
    """
    if amount.amount <= 0:
        raise InvalidInput(f"a payout must be positive, not {amount}")
    return _plan(
        payout_key(community_id, account, batch),
        TxnKind.PAYOUT,
        [Posting(account, amount), Posting(GATEWAY_CLEARING, -amount)],
    )


def plan_clawback(community_id: int, account: str, seq: int, amount: Money) -> PostingPlan:
    """Take ``amount`` back from a payee by reversing a transfer already paid out to it.

    The reversal returns the money to the clearing account and credits the payee's account,
    which a refund after the payout had left in debit. ``seq`` counts the account's reversals.
    """
    if amount.amount <= 0:
        raise InvalidInput(f"a clawback must be positive, not {amount}")
    return _plan(
        f"c{community_id}:clawback:{account}:{seq}",
        TxnKind.CLAWBACK,
        [Posting(GATEWAY_CLEARING, amount), Posting(account, -amount)],
    )
