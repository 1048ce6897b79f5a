"""A leader's whole income (团长 as 社区服务专员): the pure rules of the statement and the ranking.

Nothing here touches the database. A leader earns under several revenue-share parties — the
``leader`` commission of group buying or bill payment, the ``pickup_host`` fee of a pickup
point, a ``provider`` share of a service they do, the ``station``'s government subsidy — each
credited to ``payable:<party>:<member id>`` in the ledger. `statement_months` sums those
postings per local month (in the community's time zone), module and kind; the ranking's rules
are in :mod:`linli.settlement.ranking`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from linli_sdk import InvalidInput, Money, csv_text
from pydantic import BaseModel, Field

__all__ = [
    "MAX_MONTHS",
    "IncomeKind",
    "IncomeLine",
    "IncomeMonth",
    "IncomePosting",
    "LeaderIncome",
    "income_csv",
    "kind_of",
    "month_bounds",
    "months_between",
    "parse_month",
    "party_of",
    "period_total",
    "statement_months",
]

MAX_MONTHS = 36
"""The longest span one statement or ranking covers."""


class IncomeKind(StrEnum):
    """What a share of a charge is to the leader who earns it."""

    COMMISSION = "commission"
    """The leader's commission on an order (party ``leader``)."""
    SERVICE_SHARE = "service_share"
    """A share for a service the leader performs (``pickup_host``, ``provider``)."""
    SUBSIDY = "subsidy"
    """The government's subsidy for the station's work (party ``station``)."""
    OTHER = "other"
    """Any other party the leader is paid (e.g. goods they supply themselves)."""


_KINDS = {
    "leader": IncomeKind.COMMISSION,
    "pickup_host": IncomeKind.SERVICE_SHARE,
    "provider": IncomeKind.SERVICE_SHARE,
    "station": IncomeKind.SUBSIDY,
}


def kind_of(party: str) -> IncomeKind:
    """The kind of income a revenue-share party's share is (`IncomeKind.OTHER` if unnamed)."""
    return _KINDS.get(party, IncomeKind.OTHER)


def party_of(account: str, member_id: int) -> str | None:
    """The party of ``payable:<party>:<member_id>``, or ``None`` for another member's account."""
    prefix, _, rest = account.partition(":")
    party, _, member = rest.rpartition(":")
    if prefix != "payable" or not party or member != str(member_id):
        return None
    return party


def parse_month(text: str) -> date:
    """``YYYY-MM`` as the first day of that month.

    Raises:
        InvalidInput: ``text`` is not a month.

    """
    try:
        year, month = (int(part) for part in text.split("-"))
        if not 1970 <= year <= 9000:
            raise ValueError(year)
        return date(year, month, 1)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a month (YYYY-MM, 1970-9000)", field="month") from None


def _next(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from ``first`` to ``last`` inclusive (at most `MAX_MONTHS`).

    Raises:
        InvalidInput: ``last`` is before ``first``, or the span is longer than `MAX_MONTHS`.

    """
    if last < first:
        raise InvalidInput("the period ends before it starts", field="to")
    months = [first]
    while months[-1] < last:
        months.append(_next(months[-1]))
        if len(months) > MAX_MONTHS:
            raise InvalidInput(f"a period covers at most {MAX_MONTHS} months", field="to")
    return months


def month_bounds(month: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants a local month in ``zone`` starts and ends (exclusive), in UTC.

    In UTC because that is how the ledger's moments are written: SQLite compares them as text.
    """
    end_day = _next(month)
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    end = datetime(end_day.year, end_day.month, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class IncomePosting:
    """One ledger posting on a leader's payable account (``amount`` signed as the ledger has it).

    A credit (negative) is income; ``txn_kind`` says which transaction posted it (``capture``,
    ``refund``, ``payout``, ``clawback``); ``module`` is ``None`` for postings of no charge;
    ``share`` is false for a gateway fee the account's party bears (a line outside the split).
    """

    at: datetime
    account: str
    module: str | None
    txn_kind: str
    share: bool
    amount: int
    currency: str


class IncomeLine(BaseModel):
    """What one module paid the leader under one kind in one month, in one currency."""

    module: str
    kind: IncomeKind
    earned: Money = Field(description="Shares credited by captures.")
    refunded: Money = Field(description="What refunds took back (negative or zero).")
    fees: Money = Field(description="Gateway fees the leader bore (negative or zero).")
    net: Money = Field(description="earned + refunded + fees.")


class IncomeMonth(BaseModel):
    """One local month of a leader's income: per module and kind, and the totals."""

    month: str = Field(description="YYYY-MM in the community's time zone.")
    lines: list[IncomeLine]
    by_kind: dict[IncomeKind, list[Money]] = Field(description="Net per kind, per currency.")
    total: list[Money] = Field(description="Net income per currency.")
    paid_out: list[Money] = Field(
        description="Moved to the leader's connected account (net of clawbacks); not income."
    )


class LeaderIncome(BaseModel):
    """A leader's whole income across every module, month by month."""

    community: str
    member_id: int
    timezone: str
    test_money: bool = Field(description="True while the gateway is the sandbox.")
    months: list[IncomeMonth]
    total: list[Money] = Field(description="Net income over the period per currency.")


def _column(posting: IncomePosting) -> str:
    if not posting.share:
        return "fees"
    return "refunded" if posting.txn_kind == "refund" else "earned"


def _totals(amounts: dict[str, int]) -> list[Money]:
    return [Money(amount=amount, currency=cur) for cur, amount in sorted(amounts.items())]


def statement_months(
    postings: Iterable[IncomePosting], member_id: int, months: Sequence[date], zone: ZoneInfo
) -> list[IncomeMonth]:
    """Sum a leader's postings per local month, module and kind (what they are owed positive).

    A capture's credit is ``earned``, a refund's debit ``refunded``, a fee its bearer owes
    ``fees``; payouts and clawbacks are not income and go to ``paid_out``. Postings outside
    ``months`` or on another member's account are ignored.
    """
    cells: dict[date, dict[tuple[str, IncomeKind, str], dict[str, int]]] = defaultdict(dict)
    paid: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    wanted = set(months)
    for posting in postings:
        party = party_of(posting.account, member_id)
        local = posting.at.astimezone(zone)
        month = date(local.year, local.month, 1)
        if party is None or month not in wanted:
            continue
        owed = -posting.amount
        if posting.module is None:
            paid[month][posting.currency] -= owed
            continue
        key = (posting.module, kind_of(party), posting.currency)
        cell = cells[month].setdefault(key, {"earned": 0, "refunded": 0, "fees": 0})
        cell[_column(posting)] += owed
    return [_month(month, cells[month], paid[month]) for month in months]


def _month(
    month: date, cells: dict[tuple[str, IncomeKind, str], dict[str, int]], paid: dict[str, int]
) -> IncomeMonth:
    lines: list[IncomeLine] = []
    kinds: dict[IncomeKind, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    total: dict[str, int] = defaultdict(int)
    for (module, kind, currency), cell in sorted(cells.items()):
        net = sum(cell.values())
        money = {name: Money(amount=value, currency=currency) for name, value in cell.items()}
        lines.append(
            IncomeLine(module=module, kind=kind, net=Money(amount=net, currency=currency), **money)
        )
        kinds[kind][currency] += net
        total[currency] += net
    return IncomeMonth(
        month=f"{month:%Y-%m}",
        lines=lines,
        by_kind={kind: _totals(amounts) for kind, amounts in sorted(kinds.items())},
        total=_totals(total),
        paid_out=_totals({cur: amount for cur, amount in paid.items() if amount}),
    )


def period_total(months: Iterable[IncomeMonth]) -> list[Money]:
    """The months' net income added up, per currency."""
    totals: dict[str, int] = defaultdict(int)
    for month in months:
        for money in month.total:
            totals[money.currency] += money.amount
    return _totals(totals)


def income_csv(income: LeaderIncome) -> str:
    """A leader's income as CSV: one row per month, module, kind and currency (minor units)."""
    header = ["month", "module", "kind", "earned", "refunded", "fees", "net", "currency", "money"]
    money = "TEST" if income.test_money else "LIVE"
    rows: list[list[object]] = [list(header)]
    for month in income.months:
        for line in month.lines:
            amounts = [m.amount for m in (line.earned, line.refunded, line.fees, line.net)]
            rows.append(
                [month.month, line.module, line.kind.value, *amounts, line.net.currency, money]
            )
    return csv_text(rows)
