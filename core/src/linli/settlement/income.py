"""A leader's whole income (团长 as 社区服务专员): the pure rules of the statement and the ranking.

Nothing here touches the database. A leader earns under several revenue-share parties — the
``leader`` commission of group buying or bill payment, the ``pickup_host`` fee of a pickup
point, a ``provider`` share of a service they do, the ``station``'s government subsidy — each
credited to ``payable:<party>:<member id>`` in the ledger. `statement_months` sums those
postings per local month (in the community's time zone), module and kind; `rank` orders the
leaders of a period by the documented score (docs/leaders.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from fractions import Fraction
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
    "LeaderRank",
    "LeaderRecord",
    "Ranking",
    "income_csv",
    "kind_of",
    "month_bounds",
    "months_between",
    "parse_month",
    "party_of",
    "rank",
    "ranking_csv",
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
    """The instants a local month starts and ends (exclusive) in ``zone``."""
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    end_day = _next(month)
    return start, datetime(end_day.year, end_day.month, 1, tzinfo=zone)


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


# --- the ranking ------------------------------------------------------------------------------

WEIGHTS = (5000, 3000, 2000)
"""Points out of 10,000 for earnings, on-time rate and residents' ratings."""
PRIOR_RATINGS, PRIOR_STARS = 5, 3
"""The ratings average starts as five 3-star ratings, so a few ratings move it only a little."""


@dataclass(frozen=True, slots=True)
class LeaderRecord:
    """What a leader did in a period: net earnings (one currency), jobs and ratings."""

    member_id: int
    name: str
    earnings: int
    jobs_completed: int
    jobs_on_time: int
    ratings: int
    stars: int


class LeaderRank(BaseModel):
    """One leader's place in the ranking, with every figure the score comes from."""

    rank: int
    member_id: int
    name: str
    earnings: Money
    jobs_completed: int
    jobs_on_time: int
    on_time_rate: float | None = Field(description="jobs_on_time / jobs_completed.")
    ratings: int
    average_stars: float | None
    score: int = Field(description="0-10,000 points (docs/leaders.md#the-ranking).")


class Ranking(BaseModel):
    """The operator's ranking of the community's leaders for a period (best first)."""

    community: str
    period_from: str
    period_to: str
    currency: str
    test_money: bool
    leaders: list[LeaderRank]


def _score(record: LeaderRecord, top: int) -> Fraction:
    earnings = Fraction(max(record.earnings, 0), top) if top > 0 else Fraction(0)
    on_time = Fraction(record.jobs_on_time + 1, record.jobs_completed + 2)
    stars = Fraction(record.stars + PRIOR_STARS * PRIOR_RATINGS, record.ratings + PRIOR_RATINGS)
    rating = (stars - 1) / 4
    e, t, r = WEIGHTS
    return e * earnings + t * on_time + r * rating


def rank(records: Iterable[LeaderRecord], currency: str) -> list[LeaderRank]:
    """Order leaders by score, then earnings, then member id; ranks count from 1.

    Score = 5000·E + 3000·T + 2000·R (rounded half up), where E is the leader's earnings over
    the top earner's (0 when negative or nobody earned), T = (on time + 1) / (completed + 2)
    and R = (average stars with five 3-star ratings added - 1) / 4.
    """
    chosen = list(records)
    top = max((r.earnings for r in chosen), default=0)
    scored = sorted(
        ((_score(r, top), r) for r in chosen),
        key=lambda pair: (-pair[0], -pair[1].earnings, pair[1].member_id),
    )
    return [
        LeaderRank(
            rank=place,
            member_id=record.member_id,
            name=record.name,
            earnings=Money(amount=record.earnings, currency=currency),
            jobs_completed=record.jobs_completed,
            jobs_on_time=record.jobs_on_time,
            on_time_rate=(
                round(record.jobs_on_time / record.jobs_completed, 4)
                if record.jobs_completed
                else None
            ),
            ratings=record.ratings,
            average_stars=round(record.stars / record.ratings, 2) if record.ratings else None,
            score=int(score + Fraction(1, 2)),
        )
        for place, (score, record) in enumerate(scored, start=1)
    ]


def ranking_csv(ranking: Ranking) -> str:
    """The ranking as CSV, best first; earnings in minor units; a rate of no jobs is empty."""
    header: list[object] = ["rank", "member_id", "name", "earnings", "currency"]
    header += ["jobs_completed", "jobs_on_time", "on_time_rate", "ratings", "average_stars"]
    header += ["score", "money"]
    money = "TEST" if ranking.test_money else "LIVE"
    rows: list[list[object]] = [header]
    for r in ranking.leaders:
        rate = "" if r.on_time_rate is None else r.on_time_rate
        stars = "" if r.average_stars is None else r.average_stars
        rows.append(
            [
                *(r.rank, r.member_id, r.name, r.earnings.amount, r.earnings.currency),
                *(r.jobs_completed, r.jobs_on_time, rate, r.ratings, stars, r.score, money),
            ]
        )
    return csv_text(rows)
