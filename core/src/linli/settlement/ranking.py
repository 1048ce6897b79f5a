"""The operator's ranking of leaders: the pure rules of the score (docs/leaders.md).

Each leader's net earnings in a period, the dispatch jobs their worker completed (and how many
on time) and residents' ratings of them become one score out of 10,000 points; `rank` orders
the leaders by it. Nothing here touches the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from linli_sdk import Money, csv_text
from pydantic import BaseModel, Field

from .income import IncomePosting, party_of

__all__ = [
    "PRIOR_RATINGS",
    "PRIOR_STARS",
    "WEIGHTS",
    "LeaderRank",
    "LeaderRecord",
    "Ranking",
    "earnings_by_member",
    "rank",
    "ranking_csv",
]


def earnings_by_member(postings: Iterable[IncomePosting], currency: str) -> dict[int, int]:
    """Net income in ``currency`` per member whose payable accounts the postings are on.

    Payouts and clawbacks (postings of no charge) are not income and are left out.
    """
    earned: dict[int, int] = defaultdict(int)
    for posting in postings:
        member = posting.account.rpartition(":")[2]
        if posting.module is None or posting.currency != currency or not member.isdigit():
            continue
        if party_of(posting.account, int(member)) is not None:
            earned[int(member)] -= posting.amount
    return dict(earned)


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
