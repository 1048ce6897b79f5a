"""A leader's income statement against the ledger, who may read it, and its CSV and chart.

Charges go straight through the platform's settlement service under the real modules' declared
rules (group buying, bill payment, housekeeping, government services); the statement is read
over HTTP. The property: for random charges and refunds across modules, the statement's total
is exactly what the leader's payable accounts moved in the ledger, refunds and fees netted.
"""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linli.identity.members import add_member
from linli.settlement.store import balances
from linli_sdk import Money, Role

C = "/v1/communities/home"
OTHER = "/v1/communities/other"
MODULES = ("group_buying", "bill_payment", "housekeeping", "gov_services")
_REFS = itertools.count()


def payees(module: str, leader: int, other: int) -> dict[str, int]:
    """Who each module pays: the leader under the party that module names them by."""
    return {
        "group_buying": {"leader": leader, "pickup_host": leader, "supplier": other},
        "bill_payment": {"leader": leader, "biller": other},
        "housekeeping": {"provider": leader},
        "gov_services": {"station": leader},
    }[module]


async def charge(running: Any, leader: int, module: str, fen: int) -> int:
    made = await running.platform.settlement.charge(
        running.home,
        module,
        order_ref=f"income-{next(_REFS)}",
        amount=Money(amount=fen, currency="CNY"),
        payer_id=running.people["resident"].id,
        payees=payees(module, leader, running.people["operator"].id),
        capture=True,
    )
    return int(made.id.removeprefix("ch_"))


async def settle(running: Any) -> None:
    settlement = running.platform.settlement
    await settlement.idle()
    await settlement.sweep(running.home.id)


async def statement(running: Any, member: int, who: dict[str, str], **params: Any) -> Any:
    return await running.client.get(
        f"{C}/settlement/leaders/{member}/income", params=params, headers=who
    )


class Live(tuple):  # type: ignore[type-arg]
    """(runner, running) with a short repr for Hypothesis' reports."""

    def __repr__(self) -> str:
        return "<live platform>"


@pytest.fixture
def live(start_platform) -> Iterator[Live]:
    """One platform for a whole Hypothesis run, driven from a synchronous test."""
    with asyncio.Runner() as runner:
        context = start_platform(plugins_allow=list(MODULES))
        running = runner.run(context.__aenter__())
        try:
            yield Live((runner, running))
        finally:
            runner.run(context.__aexit__(None, None, None))


orders = st.lists(
    st.tuples(
        st.sampled_from(MODULES),
        st.integers(min_value=200, max_value=500_000),
        st.sampled_from([0, 1, 3, 7, 10]),  # tenths refunded
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(orders=orders)
def test_the_statement_total_is_the_leader_s_ledger_movement(live, orders):
    runner, running = live

    async def scenario() -> None:
        leader = await add_member(running.home, f"Leader {next(_REFS)}", Role.LEADER)
        charged = [(await charge(running, leader.id, m, fen), fen, r) for m, fen, r in orders]
        await settle(running)
        for number, fen, tenths in charged:
            if tenths:
                await running.platform.settlement.refund(
                    running.home,
                    number,
                    Money(amount=fen * tenths // 10, currency="CNY"),
                    reason="after-sale",
                    ref=f"r{number}",
                )
        await settle(running)
        moved = {
            account: total
            for (account, _), total in (await balances(running.home.id)).items()
            if account.endswith(f":{leader.id}") and account.startswith("payable:")
        }
        answer = await statement(running, leader.id, {"Authorization": f"Bearer {leader.token}"})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert [m["amount"] for m in body["total"]] == [-sum(moved.values())]
        (month,) = body["months"]
        assert sum(x["net"]["amount"] for x in month["lines"]) == -sum(moved.values())
        earned = sum(x["earned"]["amount"] for x in month["lines"])
        refunded = sum(x["refunded"]["amount"] for x in month["lines"])
        assert earned > 0 and refunded <= 0
        assert (refunded == 0) == all(tenths == 0 for _, _, tenths in orders)

    runner.run(scenario())


async def test_only_the_leader_and_the_community_s_operators_read_the_statement(start_platform):
    async with start_platform(plugins_allow=list(MODULES)) as running:
        leader = running.people["leader"]
        await charge(running, leader.id, "group_buying", 10_000)
        await settle(running)
        other_leader = await add_member(running.home, "Leader Two", Role.LEADER)
        auditor = await add_member(running.home, "Auditor", Role.AUDITOR)
        for who, status in {
            "leader": 200,
            "operator": 200,
            "resident": 403,
            "newcomer": 403,
            "stranger": 403,  # an operator, of another community
        }.items():
            answer = await statement(running, leader.id, running.auth(who))
            assert answer.status_code == status, (who, answer.text)
        for member in (other_leader, auditor):
            as_member = {"Authorization": f"Bearer {member.token}"}
            answer = await statement(running, leader.id, as_member)
            assert answer.status_code == 403, answer.text
            assert answer.headers["content-type"].startswith("application/problem+json")
        # another community's operator, in their own community, finds no such member
        there = await running.client.get(
            f"{OTHER}/settlement/leaders/{leader.id}/income", headers=running.auth("stranger")
        )
        assert there.status_code == 404, there.text
        mine = (await statement(running, leader.id, running.auth("leader"))).json()
        assert [m["amount"] for m in mine["total"]] == [1000 + 50]  # 10 %, and the pickup fee
        ranked = await running.client.get(
            f"{C}/settlement/leader-ranking", headers=running.auth("leader")
        )
        assert ranked.status_code == 403
        for who in ("operator", "stranger"):
            path = f"{C if who == 'operator' else OTHER}/settlement/leader-ranking"
            answer = await running.client.get(path, headers=running.auth(who))
            assert answer.status_code == 200, answer.text
        unknown = await running.client.get(
            f"{C}/settlement/leader-ranking",
            params={"currency": "NCO"},
            headers=running.auth("operator"),
        )
        assert unknown.status_code == 422, unknown.text
        assert leader.id not in [
            r["member_id"] for r in answer.json()["leaders"]
        ]  # the other community's ranking names none of home's leaders


async def test_the_statement_as_csv_and_as_a_chart(start_platform):
    async with start_platform(plugins_allow=list(MODULES)) as running:
        leader = running.people["leader"]
        await charge(running, leader.id, "group_buying", 10_000)
        await charge(running, leader.id, "gov_services", 500)
        await settle(running)
        me = running.auth("leader")
        answer = await statement(running, leader.id, me, format="csv")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(answer.text)))
        assert {(r["module"], r["kind"], r["net"], r["money"]) for r in rows} == {
            ("group_buying", "commission", "1000", "TEST"),
            ("group_buying", "service_share", "50", "TEST"),  # the pickup host's fixed fee
            ("gov_services", "subsidy", "497", "TEST"),  # 500 less the gateway's 0.6 %
        }
        for fmt, media in (("svg", "image/svg+xml"), ("png", "image/png")):
            answer = await statement(running, leader.id, me, format=fmt)
            assert answer.status_code == 200, answer.text
            assert answer.headers["content-type"].startswith(media)
        assert answer.content.startswith(b"\x89PNG")
        svg = (await statement(running, leader.id, me, format="svg")).text
        assert "<svg" in svg and "commission" in svg
        past = await statement(running, leader.id, me, **{"from": "2025-01", "to": "2025-03"})
        assert [(m["month"], m["total"]) for m in past.json()["months"]] == [
            ("2025-01", []),
            ("2025-02", []),
            ("2025-03", []),
        ]  # what was earned now is in none of them
        for wrong in ("2026-13", "9999-12", "0000-01"):
            bad = await statement(running, leader.id, me, **{"from": wrong})
            assert bad.status_code == 422, bad.text
        op = running.auth("operator")
        assert (await statement(running, 0, op)).status_code == 404
        huge = await statement(running, 10**20, op)
        assert huge.status_code in (404, 422), huge.text  # never a server error
        spec = (await running.client.get("/docs/api/openapi.json")).json()
        ok = spec["paths"][f"{C.replace('home', '{community}')}/settlement/leaders/{{member_id}}"
                           "/income"]["get"]["responses"]["200"]["content"]  # fmt: skip
        assert {"application/json", "text/csv", "image/png", "image/svg+xml"} <= set(ok)
