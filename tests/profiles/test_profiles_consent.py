"""No tag without consent (Hypothesis over random purchase histories and consent changes)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linli.identity.members import add_member
from linli.profiles.rules import MIN_PURCHASES
from linli.profiles.tables import Tag
from linli_sdk import Role
from profiles_helpers import bought

START = date(2026, 1, 1)


class Live(tuple):  # type: ignore[type-arg]
    """(runner, running) with a short repr for Hypothesis' reports."""

    def __repr__(self) -> str:
        return "<live platform>"


@pytest.fixture
def live(start_platform) -> Iterator[tuple[asyncio.Runner, Any]]:
    """One platform for a whole Hypothesis run, driven from a synchronous test."""
    with asyncio.Runner() as runner:
        context = start_platform()
        running = runner.run(context.__aenter__())
        try:
            yield Live((runner, running))
        finally:
            runner.run(context.__aexit__(None, None, None))


_MEMBERS = itertools.count(1)

histories = st.lists(
    st.tuples(st.sampled_from(["formula", "eggs", "rice"]), st.integers(0, 120)), max_size=14
)
steps = st.lists(
    st.sampled_from(["purchases", "give", "withdraw", "buy-more"]), min_size=1, max_size=5
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=histories, later=histories, plan=steps)
def test_no_tag_is_computed_or_kept_without_consent_in_force(live, history, later, plan):
    runner, running = live
    profiles = running.platform.profiles
    home = running.home

    async def scenario() -> None:
        member = (await add_member(home, f"p{next(_MEMBERS)}", Role.RESIDENT)).id
        consented = False
        bought_days: dict[str, set[int]] = {}
        refs = itertools.count()

        async def buy(purchases: list[tuple[str, int]]) -> None:
            async with running.platform.engine.transaction():
                for item, day in purchases:
                    fact = await bought(
                        home, member, item, START + timedelta(days=day), f"o-{member}-{next(refs)}"
                    )
                    await profiles.fact_recorded(home, fact)  # as host.purchases does
                    bought_days.setdefault(item, set()).add(day)

        for step in plan:
            if step == "purchases":
                await buy(history)
            elif step == "buy-more":
                await buy(later)
            elif step == "give":
                await profiles.give_consent(home, member)
                consented = True
            elif consented:
                await profiles.withdraw_consent(home, member)
                consented = False
            stored = {r["item"] for r in await Tag.select(Tag.item).where(Tag.member == member)}
            shown = {t["item"] for t in await profiles.tags(home, member)}
            if not consented:
                assert stored == set() and shown == set()
            else:
                expected = {i for i, d in bought_days.items() if len(d) >= MIN_PURCHASES}
                assert stored == shown == expected

    runner.run(scenario())
