"""The worker recovers on its own: pending intents swept, failures retried with a capped backoff."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from linli.settlement.gateways import GatewayOutcome, SandboxGateway
from linli.settlement.recovery import IntentSweeper
from linli.settlement.service import Settlement
from linli.settlement.tables import GatewayIntent
from linli.upkeep import upkeep_for
from linli_sdk import ChargeStatus, Money
from settlement_helpers import charge_directly, settlement


@dataclass
class Clocks:
    """A monotonic clock and a wall clock that the test moves together."""

    mono: float = 1_000.0
    wall: datetime = field(default_factory=lambda: datetime.now(UTC))

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += timedelta(seconds=seconds)


class FlakyGateway(SandboxGateway):
    """The sandbox, unreachable for the next ``outages`` payments."""

    outages: int = 0

    async def authorize(self, *, key: str, amount: Money, capture: bool) -> GatewayOutcome:
        if self.outages:
            self.outages -= 1
            raise ConnectionError("the gateway did not answer")
        return await super().authorize(key=key, amount=amount, capture=capture)


async def pending() -> int:
    return await GatewayIntent.count().where(GatewayIntent.state == "pending")


async def test_the_worker_carries_out_what_a_crash_left_pending(start_shop):
    async with start_shop(settlement_sweep_seconds=30) as running:
        crashed = Settlement(running.platform.registry, settlement(running).gateway, eager=False)
        charge_id = await charge_directly(crashed, running, "c-1", 3_000)  # never carried out
        clocks = Clocks()
        worker = running.platform.worker
        worker.upkeep = upkeep_for(
            running.platform, clock=lambda: clocks.mono, now=lambda: clocks.wall
        )
        await worker.run_once()
        assert await pending() == 1  # younger than half the interval: its own call may send it
        clocks.advance(15.5)
        await worker.run_once()
        assert await pending() == 0  # within the sweep interval, with nobody running a sweep
        charge = await settlement(running).get(running.home, charge_id)
        assert charge.status is ChargeStatus.CAPTURED
        assert await settlement(running).reconcile(running.home.id) == []
        assert worker.upkeep.sweeper is not None
        assert worker.upkeep.sweeper.stats.carried_out == 1


async def test_an_unreachable_gateway_is_retried_with_a_capped_backoff(start_shop):
    async with start_shop() as running:
        gateway = FlakyGateway()
        service = Settlement(running.platform.registry, gateway, eager=False)
        charge_id = await charge_directly(service, running, "c-2", 3_000)
        clocks = Clocks(wall=datetime.now(UTC) + timedelta(minutes=5))
        sweeper = IntentSweeper(
            service,
            interval_seconds=30,
            retry_base_seconds=1,
            retry_cap_seconds=4,
            clock=lambda: clocks.mono,
            now=lambda: clocks.wall,
        )
        gateway.outages = 6
        for attempt, wait in enumerate([1, 2, 4, 4, 4, 4], start=1):
            assert await sweeper.sweep() == 0
            assert sweeper.stats.failures == attempt and sweeper.stats.waiting == 1
            clocks.advance(wait - 0.5)
            assert await sweeper.sweep() == 0  # still waiting: the gateway is not asked
            assert sweeper.stats.failures == attempt
            clocks.advance(0.5)  # the wait doubles up to the cap, never beyond
        assert await sweeper.sweep() == 1
        assert await sweeper.sweep() == 0
        assert sweeper.stats.waiting == sweeper.stats.overdue == 0
        assert (await service.get(running.home, charge_id)).status is ChargeStatus.CAPTURED
        assert await pending() == 0
