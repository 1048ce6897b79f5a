"""The host's credit port on the platform: bounds, idempotency, annulment, standing (Hypothesis)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from credit_helpers import CREDIT, emit, enable_probe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linli.credit import ledger
from linli.credit.ledger import CreditBook, Subject
from linli.credit.port import HostCredit
from linli.identity.members import add_member
from linli_sdk import InvalidInput

DECLARED = {"helped": (1, 20), "returned_late": (-30, -1)}


class Live(tuple):  # type: ignore[type-arg]
    """(runner, running) with a short repr for Hypothesis' reports."""

    def __repr__(self) -> str:
        return "<live platform>"


@pytest.fixture
def live(start_platform, credit_probe, credit_database) -> Iterator[tuple[asyncio.Runner, Any]]:
    """One platform for a whole Hypothesis run, driven from a synchronous test."""
    with asyncio.Runner() as runner:
        context = start_platform(database_url=credit_database)
        running = runner.run(context.__aenter__())
        runner.run(enable_probe(running))
        try:
            yield Live((runner, running))
        finally:
            runner.run(context.__aexit__(None, None, None))


_MEMBERS = itertools.count(1)

sends = st.lists(
    st.tuples(
        st.sampled_from([*DECLARED, "stolen_points", "no_show"]),
        st.integers(-1000, 1000),
        st.integers(0, 5),  # event ids repeat: a resend
    ),
    max_size=25,
)


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sends=sends)
def test_whatever_a_plugin_sends_the_score_stays_inside_its_declared_bounds(live, sends):
    runner, running = live

    async def scenario() -> None:
        member = await add_member(running.home, f"m{next(_MEMBERS)}")
        port = HostCredit(running.platform, running.home, "probe_credit")
        accepted: dict[str, int] = {}
        for name, weight, ident in sends:
            bounds = DECLARED.get(name)
            try:
                async with running.platform.engine.transaction():
                    await port.emit(
                        member_id=member.id,
                        event=name,
                        weight=weight,
                        event_id=f"{member.id}-{ident}",
                    )
            except InvalidInput as refused:
                assert bounds is None or not bounds[0] <= weight <= bounds[1]
                assert "declare" in refused.detail or "min_weight=" in refused.detail
                continue
            assert bounds is not None and bounds[0] <= weight <= bounds[1]
            accepted.setdefault(f"{member.id}-{ident}", weight)  # the first send of an id counts
        standing = await port.standing(member.id)
        book = CreditBook(running.platform.settings)
        base, cap = book.model.base, book.model.cap
        lowest = max(-cap, sum(min(0, w) for w in accepted.values()))
        highest = min(cap, sum(max(0, w) for w in accepted.values()))
        assert base + lowest - 1 <= standing.score <= base + highest + 1
        kept = await ledger.events_of(running.home, Subject("member", member.id))
        assert sorted(e.weight for e in kept) == sorted(accepted.values())

    runner.run(scenario())


@pytest.mark.slow
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    weights=st.lists(st.sampled_from([-30, -12, -1, 1, 7, 20]), min_size=1, max_size=15),
    data=st.data(),
)
def test_annulling_an_event_then_recomputing_equals_never_having_had_it(live, weights, data):
    runner, running = live
    annulled = data.draw(st.sets(st.integers(0, len(weights) - 1), min_size=1))

    async def scenario() -> None:
        annulling = await add_member(running.home, f"a{next(_MEMBERS)}")
        never = await add_member(running.home, f"n{next(_MEMBERS)}")
        book = CreditBook(running.platform.settings)
        refs = []
        for i, weight in enumerate(weights):
            name = "helped" if weight > 0 else "returned_late"
            for member, skip in ((annulling, False), (never, i in annulled)):
                if skip:
                    continue
                await ledger.record(
                    running.home,
                    Subject("member", member.id),
                    module="probe_credit",
                    event=name,
                    weight=weight,
                    event_id=f"{member.id}-{i}",
                )
            refs.append(await _last_ref(annulling.id))
        for i in annulled:
            await ledger.annul(running.home, refs[i], "entered by mistake", "member:1")
        first = await book.explain(running.home, Subject("member", annulling.id))
        second = await book.explain(running.home, Subject("member", never.id))
        assert first.score == second.score
        assert [line.points for line in first.lines] == [line.points for line in second.lines]

    runner.run(scenario())


async def _last_ref(member_id: int) -> int:
    from linli.credit.tables import CreditEventRow

    row = (
        await CreditEventRow.select(CreditEventRow.id)
        .where(CreditEventRow.subject_id == member_id)
        .order_by(CreditEventRow.id, ascending=False)
        .first()
    )
    assert row is not None
    return int(row["id"])


async def test_a_plugin_out_of_bounds_is_refused_naming_the_bound(start_platform, credit_probe):
    async with start_platform() as running:
        await enable_probe(running)
        resident = running.people["resident"].id
        over = await emit(running, resident, "helped", 21, "h1")
        assert over.status_code == 422
        assert "max_weight=20" in over.json()["detail"]
        unknown = await emit(running, resident, "stolen_points", 5, "h2")
        assert unknown.status_code == 422 and "did not declare" in unknown.json()["detail"]
        for _ in range(2):
            fine = await emit(running, resident, "helped", 20, "h3")
            assert fine.status_code == 200, fine.text
        mine = await running.client.get(f"{CREDIT}/me", headers=running.auth("resident"))
        body = mine.json()
        assert body["standing"]["score"] == 620  # recorded once
        (line,) = body["explanation"]["contributions"]
        assert line["module"] == "probe_credit" and line["description"] == "Helped a neighbour"
        assert line["points"] == 20.0 and line["decay"] == 1.0
        stranger = await emit(running, running.people["stranger"].id, "helped", 5, "h4")
        assert stranger.status_code == 404  # a member of another community
