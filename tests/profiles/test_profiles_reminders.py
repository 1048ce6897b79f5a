"""Repurchase reminders on the platform: due before the cycle ends, once per item and cycle."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from linli.identity.members import add_member
from linli.profiles.reminders import Reminder
from linli.unit_of_work import UnitOfWork
from linli.upkeep import upkeep_for
from linli_sdk import Role
from profiles_helpers import bought

START = date(2026, 1, 5)


class Recorded:
    """A reminder channel that keeps what it was handed."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, dict[str, Any], str]] = []

    async def remind(self, reminder: Reminder, unit: UnitOfWork) -> None:
        self.sent.append((reminder.member_id, dict(reminder.data), reminder.ref))


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


async def test_one_reminder_per_cycle_only_with_consent_and_not_when_not_for_me(start_platform):
    async with start_platform() as running:
        home, profiles = running.home, running.platform.profiles
        channel = Recorded()
        profiles.channel = channel
        members = [(await add_member(home, f"r{n}", Role.RESIDENT)).id for n in range(3)]
        keen, declined, _silent = members  # _silent never consents
        for member in members:
            for n, gap in enumerate((0, 18, 36)):
                day = START + timedelta(days=gap)
                await bought(home, member, "formula", day, f"o-{member}-{n}", "婴儿奶粉")
        await profiles.give_consent(home, keen)
        await profiles.give_consent(home, declined)
        await profiles.correct(home, declined, "formula", not_for_me=True)
        last = START + timedelta(days=36)  # cycle 18 days: due on day 16 of the cycle

        assert await profiles.remind([home], noon(last + timedelta(days=15))) == 0
        assert await profiles.remind([home], noon(last + timedelta(days=16))) == 1
        assert await profiles.remind([home], noon(last + timedelta(days=16))) == 0
        assert await profiles.remind([home], noon(last + timedelta(days=17))) == 0
        [(member, data, ref)] = channel.sent
        assert member == keen and ref == f"repurchase_due:formula:{last.isoformat()}"
        assert data == {
            "item": "formula",
            "item_name": "婴儿奶粉",
            "cycle_days": 18,
            "last_purchase": last.isoformat(),
        }

        # a purchase starts a new cycle, which gets its own reminder, through the worker's chore
        again = last + timedelta(days=18)
        fact = await bought(home, keen, "formula", again, "o-new", "婴儿奶粉")
        await profiles.fact_recorded(home, fact)
        chores = upkeep_for(running.platform, now=lambda: noon(again + timedelta(days=16)))
        assert await chores.run_due() >= 1
        assert [ref for _, _, ref in channel.sent][-1].endswith(again.isoformat())
        assert {m for m, _, _ in channel.sent} == {keen}  # never declined nor silent

        await profiles.withdraw_consent(home, keen)
        assert await profiles.remind([home], noon(again + timedelta(days=17))) == 0


async def test_the_platform_sends_reminders_as_notifications_once_per_cycle(start_platform):
    from linli.notifications.tables import NotificationMessage

    async with start_platform() as running:
        home, profiles = running.home, running.platform.profiles
        member = (await add_member(home, "Mum", Role.RESIDENT)).id
        for n, gap in enumerate((0, 18, 36)):
            await bought(home, member, "formula", START + timedelta(days=gap), f"m-{n}", "奶粉")
        await profiles.give_consent(home, member)
        due = noon(START + timedelta(days=36 + 16))
        assert await profiles.remind([home], due) == 1
        assert await profiles.remind([home], due + timedelta(hours=1)) == 0
        rows = await NotificationMessage.select(
            NotificationMessage.module, NotificationMessage.kind, NotificationMessage.status
        ).where(NotificationMessage.member == member)
        assert [(r["module"], r["kind"]) for r in rows] == [("profiles", "repurchase_due")]
        assert rows[0]["status"] in {"queued", "held"}


@pytest.mark.slow
async def test_two_sweeps_at_once_send_one_reminder_per_cycle(start_platform, postgres_url):
    async with start_platform(database_url=postgres_url) as running:
        home, profiles = running.home, running.platform.profiles
        channel = Recorded()
        profiles.channel = channel
        members = [(await add_member(home, f"c{n}", Role.RESIDENT)).id for n in range(4)]
        for member in members:
            for n, gap in enumerate((0, 10, 20)):
                day = START + timedelta(days=gap)
                await bought(home, member, "eggs", day, f"e-{member}-{n}")
            await profiles.give_consent(home, member)
        due = noon(START + timedelta(days=28))
        counts = await asyncio.gather(*(profiles.remind([home], due) for _ in range(3)))
        assert sum(counts) == 4
        assert sorted(m for m, _, _ in channel.sent) == sorted(members)
