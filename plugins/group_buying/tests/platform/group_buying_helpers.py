"""Helpers the group buying platform tests share: the people, the campaign, the clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from linli.dispatch.tables import ScheduledDeadline
from linli.dispatch.worker import DispatchWorker
from linli.identity.members import NewMember, add_member
from linli.modules.enablement import set_module
from linli.network.service import add_pickup_point
from linli.testing import Running
from linli_sdk import Role

GB = "/v1/communities/home/modules/group_buying"
SETTLEMENT = "/v1/communities/home/settlement"
POINT = "Building 3 lockers"


@dataclass
class GroupBuy:
    """A running platform with group buying enabled in ``home`` and the people it needs."""

    running: Running
    supplier: NewMember
    host: NewMember
    neighbour: NewMember
    worker: DispatchWorker
    point_id: int

    def auth(self, who: str) -> dict[str, str]:
        """Headers for a fixture member or one of ``supplier``, ``host``, ``neighbour``."""
        if who in ("supplier", "host", "neighbour"):
            return {"Authorization": f"Bearer {getattr(self, who).token}"}
        return self.running.auth(who)

    async def post(self, op: str, data: dict[str, Any], who: str, key: str = "") -> Any:
        """Call a command of the module; fail the test unless it answers 200."""
        headers = self.auth(who) | ({"Idempotency-Key": key} if key else {})
        answer = await self.running.client.post(f"{GB}/{op}", json=data, headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def get(self, op: str, who: str, **params: Any) -> Any:
        """Call a query of the module; fail the test unless it answers 200."""
        answer = await self.running.client.get(f"{GB}/{op}", params=params, headers=self.auth(who))
        assert answer.status_code == 200, answer.text
        return answer.json() if "json" in answer.headers["content-type"] else answer

    async def open(self, seconds: float = 2.0, **fields: Any) -> dict[str, Any]:
        """Open a campaign as the leader, its deadline ``seconds`` from now."""
        deadline = datetime.now(UTC) + timedelta(seconds=seconds)
        data = {
            "title": "Strawberries",
            "product": "500 g",
            "unit_price": {"amount": 1000, "currency": "CNY"},
            "stock_cap": 20,
            "per_person_limit": 5,
            "minimum": 2,
            "deadline": deadline.isoformat(),
            "pickup_point_ids": [self.point_id],
            "supplier_id": self.supplier.id,
        } | fields
        return await self.post("open-campaign", data, "leader")

    async def join(self, who: str, campaign: dict[str, Any], quantity: int) -> dict[str, Any]:
        """Order ``quantity`` units as ``who``."""
        data = {
            "campaign_id": campaign["id"],
            "quantity": quantity,
            "pickup_point_id": self.point_id,
        }
        return await self.post("join-campaign", data, who, key=f"join-{who}-{campaign['id']}")

    async def settle(self, seconds: float = 10.0) -> None:
        """Run the worker and the settlement's after-commit work until nothing is pending."""
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while loop.time() < end:
            await self.running.platform.settlement.idle()
            await self.worker.run_once()
            await self.running.platform.settlement.idle()
            pending = await ScheduledDeadline.count().where(
                (ScheduledDeadline.status == "pending")
                & (ScheduledDeadline.due <= datetime.now(UTC))
            )
            if not pending:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("deadlines still pending")

    async def until_closed(self, campaign: dict[str, Any]) -> dict[str, Any]:
        """Wait for the campaign's deadline, then run what is due; the campaign afterwards."""
        due = datetime.fromisoformat(campaign["deadline"])
        await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.05)
        await self.settle()
        return dict(await self.get("get-campaign", "leader", campaign_id=campaign["id"]))


@asynccontextmanager
async def group_buying(
    start_platform: Callable[..., Any], **settings: Any
) -> AsyncIterator[GroupBuy]:
    """A platform with group buying enabled in ``home``; retries fast, no worker of its own."""
    overrides = {"dispatch_worker": False, "dispatch_retry_base_seconds": 0.05} | settings
    async with start_platform(**overrides) as running:
        home = running.home
        await set_module(running.platform, home, "group_buying", enabled=True)
        host = await add_member(home, "Host Li", Role.PICKUP_HOST, Role.RESIDENT)
        point = await add_pickup_point(home, POINT, host_id=host.id)
        yield GroupBuy(
            running=running,
            supplier=await add_member(home, "Farmer Zhang", Role.PROVIDER_STAFF),
            host=host,
            neighbour=await add_member(home, "Neighbour Liu", Role.RESIDENT),
            worker=running.platform.worker,
            point_id=point.id,
        )
