"""The app's lifespan runs the dispatch worker (so ``linli serve`` does, on SQLite too)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from linli.dispatch.ports import DurableDeadlines
from linli.dispatch.tables import OutboxEvent
from linli.http.app import create_app
from linli.identity.members import create_community
from linli.modules.enablement import set_module
from linli.platform import Platform
from linli.settings import Settings
from litestar.testing import AsyncTestClient


async def test_the_served_app_fires_due_deadlines_in_process(database_url, timer_plugin):
    settings = Settings(database_url=database_url, dispatch_poll_seconds=0.05)
    seeded = Platform.from_settings(settings)
    await seeded.start(migrate_first=True)
    home = await create_community("home", "Home")
    await set_module(seeded, home, "timer", enabled=True)
    await DurableDeadlines(home, "timer").schedule(
        "close", datetime.now(UTC) - timedelta(seconds=1), {}
    )
    await seeded.stop()

    platform = Platform.from_settings(settings)
    async with AsyncTestClient(create_app(platform=platform)) as client:
        assert (await client.get("/v1/health")).status_code == 200
        for _ in range(100):
            fired = await OutboxEvent.select().where(OutboxEvent.type == "timer.fired")
            if fired:
                break
            await asyncio.sleep(0.05)
        assert len(fired) == 1
