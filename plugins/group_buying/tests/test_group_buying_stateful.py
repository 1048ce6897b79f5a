"""A Hypothesis state machine drives campaigns on the kit and checks them against a model.

Campaigns open with random stock, limits, minimums and tiers; residents join with random
quantities; the clock moves and deadlines close campaigns, or the leader or an operator closes
one now (again and again); pickup hosts verify codes. After
every step: nothing is oversold, per-person limits hold, every order's charge is where the
model says (authorised while open, voided when cancelled, captured when confirmed with exactly
the tier difference refunded), and every captured charge's parts add up to what it kept.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from group_buying_kit_helpers import START, campaign_tables, community_of, empty_tables
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from linli_group_buying import plugin as group_buying
from linli_group_buying.models import Campaign, Order
from linli_group_buying.pricing import Tier, final_unit_price, formed
from linli_sdk import ChargeStatus, Conflict, Money, Role
from linli_sdk.testing import PluginKit

_DB = Path(tempfile.mkdtemp(prefix="linli-gb-")) / "stateful.sqlite"


def cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


@dataclass
class Model:
    """What the rules say a campaign should be."""

    campaign: Campaign
    held: dict[int, int] = field(default_factory=dict)  # member -> units
    orders: list[Order] = field(default_factory=list)
    status: str = "open"
    final: int | None = None

    @property
    def sold(self) -> int:
        return sum(order.quantity for order in self.orders)


class CampaignLifecycle(RuleBasedStateMachine):
    """Campaigns, joins, deadlines and pickups against :class:`Model`."""

    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.tables = campaign_tables(_DB)
        self.tables.__enter__()
        self.run(empty_tables())
        self.gb = community_of(PluginKit(group_buying, now=START))
        self.run(self.gb.kit.enable({"uncollected_days": 30}))
        self.operator = self.gb.kit.add_member("Operator Zhou", Role.OPERATOR)
        self.models: list[Model] = []
        self.collected: set[int] = set()

    def run(self, work: Any) -> Any:
        return self.runner.run(work)

    def teardown(self) -> None:
        self.tables.__exit__(None, None, None)
        self.runner.close()

    @property
    def kit(self) -> PluginKit:
        return self.gb.kit

    @initialize(
        stock=st.integers(2, 8),
        minimum=st.integers(1, 3),
        tier=st.tuples(st.integers(2, 3), st.integers(100, 999)),
    )
    def first_campaign(self, stock: int, minimum: int, tier: tuple[int, int]) -> None:
        self.open_campaign(stock, 3, minimum, False, tier, 10)

    @precondition(lambda self: len(self.models) < 3)
    @rule(
        stock=st.integers(1, 8),
        limit=st.integers(1, 4),
        minimum=st.integers(1, 4),
        by_quantity=st.booleans(),
        tier=st.one_of(st.none(), st.tuples(st.integers(2, 3), st.integers(100, 999))),
        hours=st.integers(1, 30),
    )
    def open_campaign(
        self,
        stock: int,
        limit: int,
        minimum: int,
        by_quantity: bool,
        tier: tuple[int, int] | None,
        hours: int,
    ) -> None:
        fields: dict[str, Any] = {
            "stock_cap": stock,
            "per_person_limit": min(limit, stock),
            "minimum": min(minimum, stock) if by_quantity else minimum,
            "measure": "quantity" if by_quantity else "buyers",
            "deadline": (self.kit.clock + timedelta(hours=hours)).isoformat(),
        }
        if tier is not None:
            fields["tiers"] = [{"at_least": tier[0], "unit_price": cny(tier[1]).model_dump()}]
        self.models.append(Model(self.run(self.gb.open(**fields))))

    @rule(data=st.data(), who=st.integers(0, 3), quantity=st.integers(1, 3))
    def join(self, data: st.DataObject, who: int, quantity: int) -> None:
        model = data.draw(st.sampled_from(self.models))
        campaign, member = model.campaign, self.gb.residents[who]
        held = model.held.get(member.id, 0)
        expect_ok = (
            model.status == "open"
            and self.kit.clock < campaign.deadline
            and held + quantity <= campaign.per_person_limit
            and model.sold + quantity <= campaign.stock_cap
        )
        try:
            order = self.run(self.gb.join(member, campaign, quantity))
        except Conflict:
            assert not expect_ok
            return
        assert expect_ok
        model.held[member.id] = held + quantity
        model.orders.append(order)

    @rule(hours=st.integers(1, 4))
    def advance(self, hours: int) -> None:
        self._advance(timedelta(hours=hours))

    def _advance(self, delta: timedelta) -> None:
        self.run(self.kit.advance(delta))
        for model in self.models:
            if model.status == "open" and self.kit.clock >= model.campaign.deadline:
                self._close(model)

    @rule(data=st.data(), by_operator=st.booleans())
    def close_now(self, data: st.DataObject, by_operator: bool) -> None:
        model = data.draw(st.sampled_from(self.models))
        who = self.operator if by_operator else self.gb.leader
        answer = self.run(
            self.kit.call("close-campaign-now", {"campaign_id": model.campaign.id}, as_=who)
        )
        if model.status == "open":
            self._close(model)
        else:
            event("closed again")
        assert isinstance(answer, Campaign) and answer.status == model.status
        assert (answer.final_unit_price or cny(0)).amount == (model.final or 0)
        self._advance(timedelta(0))  # the tier refunds, due at once

    def _close(self, model: Model) -> None:
        campaign = model.campaign
        buyers, units = len({o.member_id for o in model.orders}), model.sold
        if formed(campaign.measure, campaign.minimum, buyers, units):
            tiers = [Tier(t.at_least, t.unit_price) for t in campaign.tiers]
            final = final_unit_price(campaign.unit_price, tiers, campaign.measure, buyers, units)
            model.status, model.final = "confirmed", final.amount
            event("tier reached" if final < campaign.unit_price else "formed at base price")
        else:
            model.status = "cancelled"
            event("cancelled")

    @precondition(lambda self: any(m.status == "confirmed" for m in self.models))
    @rule(data=st.data())
    def verify(self, data: st.DataObject) -> None:
        orders = [o for m in self.models if m.status == "confirmed" for o in m.orders]
        order = data.draw(st.sampled_from(orders))
        listed = self.run(self.kit.call("my-orders", as_=self._member(order.member_id)))
        (mine,) = [o for o in listed.items if o.id == order.id]  # type: ignore[attr-defined]
        assert mine.pickup_code
        if order.id in self.collected:
            try:
                self.run(
                    self.kit.call("verify-pickup", {"code": mine.pickup_code}, as_=self.gb.host)
                )
            except Conflict:
                return
            raise AssertionError("collected twice")
        self.run(self.kit.call("verify-pickup", {"code": mine.pickup_code}, as_=self.gb.host))
        self.collected.add(order.id)
        assert self.kit.host.payments.payable(order.charge_id)

    def _member(self, member_id: int) -> Any:
        return next(r for r in self.gb.residents if r.id == member_id)

    @invariant()
    def stock_and_limits_hold(self) -> None:
        for model in self.models:
            now = self.run(
                self.kit.call(
                    "get-campaign", {"campaign_id": model.campaign.id}, as_=self.gb.leader
                )
            )
            assert isinstance(now, Campaign)
            assert now.sold == model.sold <= now.stock_cap
            assert all(units <= now.per_person_limit for units in model.held.values())
            assert now.status == model.status

    @invariant()
    def charges_are_where_the_rules_say(self) -> None:
        charges = self.kit.host.payments.charges
        for model in self.models:
            for order in model.orders:
                charge = charges[order.charge_id]
                assert charge.amount == order.amount
                if model.status == "open":
                    assert charge.status is ChargeStatus.AUTHORIZED
                elif model.status == "cancelled":
                    assert charge.status is ChargeStatus.VOIDED
                else:
                    assert model.final is not None
                    assert charge.status is ChargeStatus.CAPTURED
                    back = (order.unit_price.amount - model.final) * order.quantity
                    assert charge.refunded == cny(back)
                    kept = sum(part.amount for part in charge.parts.values())
                    assert kept == order.amount.amount - back


CampaignLifecycle.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_campaign_lifecycle = CampaignLifecycle.TestCase
