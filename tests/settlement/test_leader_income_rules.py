"""The pure rules of a leader's income: local months, kinds, netting, and the ranking's score."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from linli.settlement.income import (
    IncomeKind,
    IncomePosting,
    kind_of,
    month_bounds,
    months_between,
    party_of,
    statement_months,
)
from linli.settlement.ranking import LeaderRecord, rank
from linli_sdk import InvalidInput

LEADER = 7


def posting(at: datetime, account: str, amount: int, txn: str = "capture", **kw) -> IncomePosting:
    fields = {"module": "group_buying", "share": True, "currency": "CNY"} | kw
    return IncomePosting(at=at, account=account, txn_kind=txn, amount=amount, **fields)


def test_a_posting_counts_in_the_month_of_the_community_s_wall_clock():
    shanghai = ZoneInfo("Asia/Shanghai")
    late_october_utc = datetime(2026, 10, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 November there
    months = [date(2026, 10, 1), date(2026, 11, 1)]
    found = [posting(late_october_utc, f"payable:leader:{LEADER}", -120)]
    october, november = statement_months(found, LEADER, months, shanghai)
    assert october.total == [] and [m.amount for m in november.total] == [120]
    october, november = statement_months(found, LEADER, months, ZoneInfo("UTC"))
    assert [m.amount for m in october.total] == [120] and november.total == []


def test_refunds_and_fees_are_netted_and_payouts_are_not_income():
    at = datetime(2026, 11, 5, tzinfo=UTC)
    found = [
        posting(at, f"payable:leader:{LEADER}", -100),
        posting(at, f"payable:leader:{LEADER}", 50, txn="refund"),
        posting(at, f"payable:provider:{LEADER}", -8010, module="housekeeping"),
        posting(at, f"payable:provider:{LEADER}", 54, module="housekeeping", share=False),
        posting(at, f"payable:station:{LEADER}", -500, module="gov_services"),
        posting(at, f"payable:leader:{LEADER}", 8000, txn="payout", module=None, share=False),
        posting(at, "payable:leader:17", -999),  # another member's account
    ]
    (month,) = statement_months(found, LEADER, [date(2026, 11, 1)], ZoneInfo("UTC"))
    lines = {(x.module, x.kind): (x.earned.amount, x.refunded.amount, x.fees.amount, x.net.amount)
             for x in month.lines}  # fmt: skip
    assert lines == {
        ("group_buying", IncomeKind.COMMISSION): (100, -50, 0, 50),
        ("housekeeping", IncomeKind.SERVICE_SHARE): (8010, 0, -54, 7956),
        ("gov_services", IncomeKind.SUBSIDY): (500, 0, 0, 500),
    }
    assert [m.amount for m in month.total] == [50 + 7956 + 500]
    assert [m.amount for m in month.paid_out] == [8000]
    assert {k: v[0].amount for k, v in month.by_kind.items()} == {
        IncomeKind.COMMISSION: 50,
        IncomeKind.SERVICE_SHARE: 7956,
        IncomeKind.SUBSIDY: 500,
    }


def test_parties_name_the_kind_and_accounts_name_the_member():
    assert kind_of("leader") is IncomeKind.COMMISSION
    assert kind_of("pickup_host") is kind_of("provider") is IncomeKind.SERVICE_SHARE
    assert kind_of("station") is IncomeKind.SUBSIDY
    assert kind_of("supplier") is IncomeKind.OTHER
    assert party_of("payable:pickup_host:7", 7) == "pickup_host"
    assert party_of("payable:pickup_host:17", 7) is None
    assert party_of("platform_revenue", 7) is None


def test_a_period_is_at_most_three_years_and_never_backwards():
    assert len(months_between(date(2025, 11, 1), date(2026, 2, 1))) == 4
    with pytest.raises(InvalidInput):
        months_between(date(2026, 2, 1), date(2025, 11, 1))
    with pytest.raises(InvalidInput):
        months_between(date(2020, 1, 1), date(2026, 1, 1))


moments = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2026, 3, 31), timezones=st.just(UTC)
)
zones = st.sampled_from(["UTC", "Asia/Shanghai", "America/Los_Angeles", "Pacific/Kiritimati"])
postings = st.lists(
    st.tuples(
        moments,
        st.sampled_from(["leader", "pickup_host", "provider", "station", "supplier"]),
        st.sampled_from(["capture", "refund", "payout"]),
        st.integers(-100_000, 100_000),
    ),
    max_size=40,
)


@given(postings=postings, zone=zones)
def test_the_months_add_up_to_every_charge_posting_of_the_span(postings, zone):
    tz = ZoneInfo(zone)
    found = [
        posting(at, f"payable:{party}:{LEADER}", amount, txn=txn, module=None)
        if txn == "payout"
        else posting(at, f"payable:{party}:{LEADER}", amount, txn=txn)
        for at, party, txn, amount in postings
    ]
    months = months_between(date(2025, 11, 1), date(2026, 4, 1))
    statement = statement_months(found, LEADER, months, tz)
    total = sum(m.amount for month in statement for m in month.total)
    assert total == -sum(p.amount for p in found if p.module is not None)
    for month in statement:
        start = datetime(month_of(month.month).year, month_of(month.month).month, 1, tzinfo=tz)
        inside = [p for p in found if p.module and start <= p.at < next_month(start)]
        assert sum(m.amount for m in month.total) == -sum(p.amount for p in inside)
        assert sum(x.net.amount for x in month.lines) == -sum(p.amount for p in inside)


def month_of(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def next_month(start: datetime) -> datetime:
    later = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return later


def record(member: int, earnings: int, completed=0, on_time=0, ratings=0, stars=0):
    return LeaderRecord(member, f"m{member}", earnings, completed, on_time, ratings, stars)


def test_the_score_weighs_earnings_on_time_rate_and_ratings_as_documented():
    top = record(1, 10_000, completed=8, on_time=8, ratings=5, stars=25)
    half = record(2, 5_000)
    late = record(3, 10_000, completed=10, on_time=0, ratings=5, stars=5)
    ranked = rank([half, late, top], "CNY")
    assert [r.member_id for r in ranked] == [1, 3, 2]
    by_id = {r.member_id: r for r in ranked}
    # 1: 5000*1 + 3000*(9/10) + 2000*((25+15)/10 - 1)/4 = 5000 + 2700 + 1500
    assert by_id[1].score == 9200
    # 2: 5000*0.5 + 3000*(1/2) + 2000*(15/5 - 1)/4 = 2500 + 1500 + 1000
    assert by_id[2].score == 5000
    # 3: 5000 + 3000*(1/12) + 2000*((5+15)/10 - 1)/4 = 5000 + 250 + 500
    assert by_id[3].score == 5750
    assert by_id[1].on_time_rate == 1.0 and by_id[2].on_time_rate is None
    assert by_id[1].average_stars == 5.0 and by_id[3].average_stars == 1.0


def test_ties_go_to_the_higher_earner_then_the_lower_member_id_and_losses_score_zero():
    ranked = rank([record(5, -300), record(4, 0), record(9, 0)], "CNY")
    assert [(r.member_id, r.score) for r in ranked] == [(4, 2500), (9, 2500), (5, 2500)]
    assert [r.rank for r in ranked] == [1, 2, 3]


def test_a_local_month_is_bounded_by_utc_instants():
    start, end = month_bounds(date(2026, 11, 1), ZoneInfo("Asia/Shanghai"))
    assert start == datetime(2026, 10, 31, 16, tzinfo=UTC) and start.tzinfo is UTC
    assert end == datetime(2026, 11, 30, 16, tzinfo=UTC) and end.tzinfo is UTC
