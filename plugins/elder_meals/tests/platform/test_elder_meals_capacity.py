"""A menu is never oversold: residents ordering at the same moment get exactly its capacity.

Each winner's share is held once; the losers are answered 409 and hold nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from linli.identity.members import add_member
from linli_sdk import Role
from test_elder_meals_http import MODULE, as_, command, ok, resident

CAPACITY = 3
RESIDENTS = 8


async def crowd(running: Any) -> None:
    http, op = running.client, running.auth("operator")
    await ok(await http.put(MODULE, json={"enabled": True}, headers=op))
    await ok(
        await http.put(
            "/v1/communities/home/member-scopes/elder_meals/members.unit",
            headers={**op, "Idempotency-Key": str(uuid.uuid4())},
        )
    )
    kitchen = await add_member(running.home, "Kitchen", Role.PROVIDER_STAFF)
    day = running.home.today(datetime.now(UTC)) + timedelta(days=1)
    menu = await command(
        running,
        "publish-menu",
        {
            "day": day.isoformat(),
            "name": "Set meal",
            "dishes": ["rice"],
            "price": {"amount": 1500, "currency": "CNY"},
            "capacity": CAPACITY,
        },
        as_(kitchen),
    )
    people = [
        await resident(running, f"R{n}", f"1390000{n:04d}", ("7", f"{n + 100}"))
        for n in range(RESIDENTS)
    ]
    answers = await asyncio.gather(
        *(
            http.post(
                f"{MODULE}/place-order",
                json={"menu_id": menu["id"]},
                headers={**as_(person), "Idempotency-Key": str(uuid.uuid4())},
            )
            for person in people
        )
    )
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200] * CAPACITY + [409] * (RESIDENTS - CAPACITY), [a.text for a in answers]
    assert all("full" in a.json()["detail"] for a in answers if a.status_code == 409)
    menus = await ok(await http.get(f"{MODULE}/list-menus", headers=op))
    assert [m["left"] for m in menus["items"]] == [0]
    kitchen_list = await ok(
        await http.get(f"{MODULE}/kitchen-list", params={"day": day.isoformat()}, headers=op)
    )
    assert kitchen_list["meals"] == CAPACITY
    holds = {a.json()["hold_id"] for a in answers if a.status_code == 200}
    assert len(holds) == CAPACITY and None not in holds


async def test_a_menu_takes_exactly_its_capacity_on_sqlite(start_platform):
    async with start_platform() as running:
        await crowd(running)


@pytest.mark.slow
async def test_a_menu_takes_exactly_its_capacity_on_postgres(start_platform, postgres_url):
    async with start_platform(database_url=postgres_url) as running:
        await crowd(running)
