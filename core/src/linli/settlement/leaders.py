"""Leaders' income (团长 as 社区服务专员): one statement per leader, and the operator's ranking.

Both read the ledger for a period of local months (the community's time zone) and apply the
pure rules of :mod:`linli.settlement.income`; the ranking adds the dispatch jobs the leader's
worker completed and residents' ratings of them. Who may read what is decided by the routes
(:mod:`linli.settlement.leader_routes`).
"""

from __future__ import annotations

from datetime import date, datetime

from linli_sdk import Community, InvalidInput, Money, NotFound

from . import income_store
from .income import LeaderIncome, month_bounds, months_between, period_total, statement_months
from .ranking import LeaderRecord, Ranking, earnings_by_member, rank

__all__ = ["leader_income", "leader_ranking"]


def _span(
    community: Community, first: date, last: date
) -> tuple[list[date], tuple[datetime, datetime]]:
    """The months of the period and the instants it starts and ends (exclusive)."""
    months = months_between(first, last)
    start, _ = month_bounds(months[0], community.zone)
    _, end = month_bounds(months[-1], community.zone)
    return months, (start, end)


async def leader_income(
    community: Community,
    member_id: int,
    first: date,
    last: date,
    *,
    test_money: bool,
    leaders_only: bool = False,
) -> LeaderIncome:
    """The member's income from ``first`` to ``last`` (months), per module and kind.

    Raises:
        NotFound: ``member_id`` is no member of the community, or (``leaders_only``) holds
            neither the leader nor the pickup-host role there.

    """
    if await income_store.member_name(community.id, member_id) is None:
        raise NotFound(f"there is no member {member_id} in {community.slug}")
    if leaders_only and member_id not in await income_store.leaders(community.id):
        raise NotFound(f"member {member_id} is no leader or pickup host in {community.slug}")
    months, (start, end) = _span(community, first, last)
    found = await income_store.postings(community.id, start, end, member_id)
    statement = statement_months(found, member_id, months, community.zone)
    return LeaderIncome(
        community=community.slug,
        member_id=member_id,
        timezone=community.timezone,
        test_money=test_money,
        months=statement,
        total=period_total(statement),
    )


async def leader_ranking(
    community: Community, first: date, last: date, currency: str, *, test_money: bool
) -> Ranking:
    """Every leader and pickup host of the community ranked for the period (best first).

    Raises:
        InvalidInput: ``currency`` is not an active ISO 4217 code, or the period is wrong.

    """
    try:
        Money.zero(currency)
    except ValueError:
        raise InvalidInput(
            f"{currency!r} is not an active ISO 4217 code", field="currency"
        ) from None
    months, (start, end) = _span(community, first, last)
    earned = earnings_by_member(await income_store.postings(community.id, start, end), currency)
    tallies = await income_store.job_tallies(community.id, start, end)
    records = []
    for member_id, name in (await income_store.leaders(community.id)).items():
        tally = tallies.get(member_id, income_store.JobTally())
        records.append(
            LeaderRecord(
                member_id=member_id,
                name=name,
                earnings=earned.get(member_id, 0),
                jobs_completed=tally.completed,
                jobs_on_time=tally.on_time,
                ratings=tally.ratings,
                stars=tally.stars,
            )
        )
    return Ranking(
        community=community.slug,
        period_from=f"{months[0]:%Y-%m}",
        period_to=f"{months[-1]:%Y-%m}",
        currency=currency,
        test_money=test_money,
        leaders=rank(records, currency),
    )
