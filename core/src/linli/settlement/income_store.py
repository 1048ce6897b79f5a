"""What a leader's income statement and the leaders' ranking read: ledger postings, jobs, ratings.

Reads only. The postings come from the ledger (payees' accounts ``payable:<party>:<member>``);
the jobs a leader's dispatch worker completed and residents' ratings of them come from the
dispatch and credit tables. Every query names the community.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from linli_sdk import Role

from linli.credit.tables import ProviderRating
from linli.db.raw import fetch
from linli.dispatch.tables import DispatchJob, ServiceWorker
from linli.tables import Member

from .income import IncomePosting, party_of
from .tables import LedgerEntry

__all__ = ["LEADER_ROLES", "JobTally", "job_tallies", "leaders", "member_name", "postings"]

LEADER_ROLES = frozenset({Role.LEADER, Role.PICKUP_HOST})
"""The roles that make a member one of the community's leaders (团长, 自提点)."""


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def postings(
    community_id: int, start: datetime, end: datetime, member_id: int | None = None
) -> list[IncomePosting]:
    """Every posting on payees' accounts (or one member's) from ``start`` to ``end`` (exclusive)."""
    pattern = "payable:%" if member_id is None else f"payable:%:{member_id}"
    rows = await fetch(
        LedgerEntry._meta.db,
        "SELECT t.created_at AS at, t.kind AS txn_kind, e.account, e.party, e.amount, "
        "e.currency, c.module FROM linli_settlement_ledger_entry e "
        "JOIN linli_settlement_ledger_txn t ON t.id = e.txn "
        "LEFT JOIN linli_settlement_charge c ON c.id = e.charge "
        "WHERE e.community = {} AND e.account LIKE {} AND t.created_at >= {} "
        "AND t.created_at < {} ORDER BY e.id",
        community_id,
        pattern,
        start,
        end,
    )
    return [
        IncomePosting(
            at=_as_datetime(row["at"]),
            account=row["account"],
            module=row["module"],
            txn_kind=row["txn_kind"],
            share=row["party"] is not None,
            amount=int(row["amount"]),
            currency=row["currency"],
        )
        for row in rows
        if member_id is None or party_of(row["account"], member_id) is not None
    ]


async def leaders(community_id: int) -> dict[int, str]:
    """The community's leaders and pickup hosts: member id -> display name."""
    rows = await Member.select(Member.id, Member.display_name, Member.roles).where(
        Member.community == community_id
    )
    found = {}
    for row in rows:
        roles = row["roles"]
        if isinstance(roles, str):
            roles = json.loads(roles)
        if LEADER_ROLES & set(roles):
            found[int(row["id"])] = str(row["display_name"])
    return found


async def member_name(community_id: int, member_id: int) -> str | None:
    """A member's display name, or ``None`` if they are no member of the community."""
    if not 0 < member_id < 2**31:  # beyond any id the database hands out
        return None
    row = (
        await Member.select(Member.display_name)
        .where((Member.id == member_id) & (Member.community == community_id))
        .first()
    )
    return None if row is None else str(row["display_name"])


@dataclass
class JobTally:
    """One member's dispatch jobs in a period: completed, on time, ratings and their stars."""

    completed: int = 0
    on_time: int = 0
    ratings: int = 0
    stars: int = 0


async def job_tallies(community_id: int, start: datetime, end: datetime) -> dict[int, JobTally]:
    """Per member: the dispatch jobs their worker completed in the period, and ratings.

    A job is on time if completed by its window's end; a rating counts in the period it was
    given, whenever its job was done.
    """
    tallies: dict[int, JobTally] = {}
    done = await DispatchJob.select(
        DispatchJob.completed_at, DispatchJob.window_end, DispatchJob.worker.member.as_alias("m")
    ).where(
        (DispatchJob.community == community_id)
        & (DispatchJob.status == "completed")
        & (DispatchJob.completed_at >= start)
        & (DispatchJob.completed_at < end)
    )
    for row in done:
        if row["m"] is None:
            continue
        tally = tallies.setdefault(int(row["m"]), JobTally())
        tally.completed += 1
        late = _as_datetime(row["completed_at"]) > _as_datetime(row["window_end"])
        tally.on_time += 0 if late else 1
    rated = await ProviderRating.select(ProviderRating.job, ProviderRating.stars).where(
        (ProviderRating.community == community_id)
        & (ProviderRating.rated_at >= start)
        & (ProviderRating.rated_at < end)
    )
    stars = {int(row["job"]): int(row["stars"]) for row in rated}
    if not stars:
        return tallies
    workers = await DispatchJob.select(DispatchJob.id, DispatchJob.worker).where(
        (DispatchJob.community == community_id) & DispatchJob.id.is_in(list(stars))
    )
    members = await _worker_members(community_id)
    for row in workers:
        member = members.get(row["worker"])
        if member is None:
            continue
        tally = tallies.setdefault(member, JobTally())
        tally.ratings += 1
        tally.stars += stars[int(row["id"])]
    return tallies


async def _worker_members(community_id: int) -> dict[int, int]:
    rows = await ServiceWorker.select(ServiceWorker.id, ServiceWorker.member).where(
        ServiceWorker.community == community_id
    )
    return {int(r["id"]): int(r["member"]) for r in rows if r["member"] is not None}
