"""The test kit (`linli_sdk.testing`) behaves like the platform a plugin author relies on.

The plugin under test is a tiny "group buy" module defined here, assembled as a
`types.SimpleNamespace` (pluggy registers any object with hook-named attributes) whose
operations and hooks are closures over a trace list the tests read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from linli_sdk import (
    CHARGE_CAPTURED,
    CHARGE_FAILED,
    Caller,
    ChargeStatus,
    Community,
    Conflict,
    Context,
    CreditEventSpec,
    Deadline,
    Empty,
    Event,
    Forbidden,
    Host,
    InvalidInput,
    JobRequest,
    Manifest,
    MemberView,
    Money,
    NotFound,
    RevenueShareRules,
    Role,
    command,
    fixed,
    hookimpl,
    percent,
    query,
    remainder,
)
from linli_sdk.revenue_share import RefundExceedsHeld, RemainderNegative
from linli_sdk.testing import InMemoryHost, PluginKit, load_manifest
from pydantic import BaseModel, Field

# --- the plugin under test -------------------------------------------------------------------


class SaleSettings(BaseModel):
    max_qty: int = Field(default=5, ge=1, le=50)
    unit_price: int = Field(default=1000, ge=1)


class OrderIn(BaseModel):
    qty: int = Field(ge=1)
    ref: str = Field(min_length=1)
    fail_after: bool = False


class OrderOut(BaseModel):
    charge_id: str
    amount: Money
    parts: dict[str, Money]


class SaleIn(BaseModel):
    key: str
    closes_in_minutes: int


class Ack(BaseModel):
    ok: bool = True


class WhoAmI(BaseModel):
    member_id: int | None
    display_name: str | None
    roles: list[str]
    settings_max_qty: int


class WrongOut(BaseModel):
    nope: int = 0


Ctx = Context[SaleSettings]


PAYEES = {"leader": 2, "pickup_host": 2, "supplier": 3}
"""Who is paid each share that needs a payee (the platform and the fund are the house's)."""


def cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


def group_buying_rules() -> RevenueShareRules:
    """Platform 5 % (0-10 %), leader 10 % (5-15 %), pickup host CNY 1, fund 1 %, supplier rest."""
    return RevenueShareRules(
        shares=(
            percent("platform", 500, min=0, max=1000),
            percent("leader", 1000, min=500, max=1500),
            fixed("pickup_host", cny(100), min=cny(0), max=cny(200)),
            percent("community_fund", 100),
            remainder("supplier"),
        )
    )


def make_plugin(*, rules: RevenueShareRules | None = None) -> SimpleNamespace:
    """A fresh plugin object whose hooks record what they saw in ``plugin.trace``."""
    trace: list[tuple[str, Any]] = []
    failing_deadlines: set[str] = set()

    @command(Role.RESIDENT)
    async def place_order(ctx: Ctx, data: OrderIn) -> OrderOut:
        """Order and pay.

        Charges the buyer and tells everyone.
        """
        if data.qty > ctx.settings.max_qty:
            raise Conflict(f"at most {ctx.settings.max_qty} per order")
        assert ctx.caller.member_id is not None
        charge = await ctx.host.payments.charge(
            order_ref=data.ref,
            amount=cny(data.qty * ctx.settings.unit_price),
            payer_id=ctx.caller.member_id,
            payees=PAYEES,
        )
        await ctx.host.events.publish("order_placed", {"ref": data.ref, "qty": data.qty})
        await ctx.host.deadlines.schedule(f"pickup-{data.ref}", ctx.now + timedelta(days=1), {})
        if data.fail_after:
            raise Conflict("changed my mind after charging")
        trace.append(("handler-returned", data.ref))
        return OrderOut(charge_id=charge.id, amount=charge.amount, parts=charge.parts)

    @command(Role.LEADER)
    async def open_sale(ctx: Ctx, data: SaleIn) -> Ack:
        """Open a sale that closes after a while."""
        due = ctx.now + timedelta(minutes=data.closes_in_minutes)
        await ctx.host.deadlines.schedule(data.key, due, {"key": data.key})
        return Ack()

    @query(Role.MEMBER)
    async def whoami(ctx: Ctx, data: Empty) -> WhoAmI:
        """Look myself up."""
        assert ctx.caller.member_id is not None
        me = await ctx.host.members.get(ctx.caller.member_id)
        return WhoAmI(
            member_id=me.id if me else None,
            display_name=me.display_name if me else None,
            roles=sorted(me.roles) if me else [],
            settings_max_qty=ctx.settings.max_qty,
        )

    @command(Role.MEMBER, scope="orders:write", name="tag-order")
    async def tag(ctx: Ctx, data: Empty) -> Ack:
        """Needs a custom scope."""
        return Ack()

    @query(Role.MEMBER)
    async def broken(ctx: Ctx, data: Empty) -> WrongOut:
        """Returns the wrong model."""
        return Ack()  # type: ignore[return-value]

    @hookimpl
    async def linli_module_enabled(host: Host, settings: BaseModel) -> None:
        trace.append(("enabled", settings))
        await host.events.publish("enabled", {})

    @hookimpl
    def linli_module_disabled(host: Host) -> None:  # a sync hook works too
        trace.append(("disabled", host.community.slug))

    @hookimpl
    async def linli_event(host: Host, event: Event) -> None:
        trace.append(("event", event.type))
        if event.type == "sale.sale_closed":
            await host.events.publish("thanks_sent", {"for": event.payload["key"]})

    @hookimpl
    async def linli_deadline_reached(host: Host, deadline: Deadline) -> None:
        if deadline.key in failing_deadlines:
            await host.events.publish("half_done", {})
            raise RuntimeError(f"{deadline.key} failed")
        trace.append(("deadline", deadline.key))
        await host.events.publish("sale_closed", {"key": deadline.key})

    @hookimpl
    async def linli_seed_demo(host: Host) -> None:
        trace.append(("seeded", host.community.name))
        await host.events.publish("seeded", {})

    manifest = Manifest(
        name="sale",
        version="1.0.0",
        sdk=">=1.0,<2",
        title="Test sale",
        settings=SaleSettings,
        operations=(place_order, open_sale, whoami, tag, broken),
        credit_events=(
            CreditEventSpec(
                name="picked_up_on_time", min_weight=0, max_weight=5, description="On time."
            ),
            CreditEventSpec(name="no_show", min_weight=-20, max_weight=-1, description="No show."),
        ),
        revenue_share=group_buying_rules() if rules is None else rules,
    )
    return SimpleNamespace(
        manifest=manifest,
        trace=trace,
        failing_deadlines=failing_deadlines,
        linli_module_enabled=linli_module_enabled,
        linli_module_disabled=linli_module_disabled,
        linli_event=linli_event,
        linli_deadline_reached=linli_deadline_reached,
        linli_seed_demo=linli_seed_demo,
    )


@pytest.fixture
def plugin() -> SimpleNamespace:
    return make_plugin()


@pytest.fixture
def kit(linli_kit: Callable[..., PluginKit], plugin: SimpleNamespace) -> PluginKit:
    return linli_kit(plugin)


def traced(plugin: SimpleNamespace, kind: str) -> list[Any]:
    return [value for what, value in plugin.trace if what == kind]


# --- the fixture and the kit itself ----------------------------------------------------------


def test_the_fixture_is_a_factory_of_fresh_kits(
    linli_kit: Callable[..., PluginKit], plugin: SimpleNamespace
) -> None:
    first, second = linli_kit(plugin), linli_kit(plugin)
    assert isinstance(first, PluginKit)
    assert first is not second
    assert first.host is not second.host
    assert first.manifest is plugin.manifest
    assert isinstance(first.host, InMemoryHost)
    assert first.host.module == "sale"
    assert first.community == Community(id=1, slug="test-community", name="Test")
    assert first.clock == datetime(2026, 1, 1, tzinfo=UTC)


def test_the_kit_takes_a_community_and_a_start_time(plugin: SimpleNamespace) -> None:
    garden = Community(id=7, slug="sunny-garden", name="阳光花园")
    start = datetime(2027, 3, 1, 8, tzinfo=UTC)
    kit = PluginKit(plugin, community=garden, now=start)
    assert kit.host.community == garden
    assert kit.host.now() == start


def test_a_naive_start_time_is_refused(plugin: SimpleNamespace) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        PluginKit(plugin, now=datetime(2026, 1, 1))


def test_an_object_without_a_manifest_is_refused() -> None:
    with pytest.raises(TypeError, match="manifest"):
        load_manifest(SimpleNamespace(manifest="not a manifest"))
    with pytest.raises(TypeError, match="manifest"):
        PluginKit(object())


async def test_a_class_instance_works_as_a_plugin_too() -> None:
    class Plugin:
        manifest = Manifest(name="inst", version="0.1.0", sdk=">=0.1", title="Instance")

        def __init__(self) -> None:
            self.seen: list[str] = []

        @hookimpl
        async def linli_seed_demo(self, host: Host) -> None:
            self.seen.append(host.module)

    instance = Plugin()
    kit = PluginKit(instance)
    assert kit.manifest.name == "inst"
    await kit.seed_demo()
    assert instance.seen == ["inst"]


def test_a_hook_for_an_unknown_spec_is_refused_at_once() -> None:
    @hookimpl
    def linli_order_paid(host: Host) -> None: ...

    plugin = SimpleNamespace(
        manifest=Manifest(name="typo", version="0.1.0", sdk=">=0.1", title="Typo"),
        linli_order_paid=linli_order_paid,
    )
    with pytest.raises(Exception, match="linli_order_paid"):
        PluginKit(plugin)


def test_add_member_implies_the_member_role_and_numbers_members(kit: PluginKit) -> None:
    wang = kit.add_member("Wang", Role.LEADER, phone_masked="138****1234")
    li = kit.add_member("Li", verified=False)
    assert wang.roles == {Role.MEMBER, Role.LEADER}
    assert li.roles == {Role.MEMBER}
    assert not li.verified
    assert wang.id != li.id
    assert kit.host.members.members == {wang.id: wang, li.id: li}


# --- operations: validation, roles, scopes ----------------------------------------------------


async def test_calling_an_operation_runs_it_and_returns_its_output(kit: PluginKit) -> None:
    buyer = kit.add_member("Zhao", Role.RESIDENT)
    out = await kit.call("place-order", {"qty": 2, "ref": "o-1"}, as_=buyer)
    assert isinstance(out, OrderOut)
    assert out.amount == cny(2000)
    assert out.parts == {}  # pending inside the call: the gateway answers after it returns
    charge = kit.host.payments.charges[out.charge_id]
    assert charge.status is ChargeStatus.CAPTURED
    assert sum(p.amount for p in charge.parts.values()) == 2000


async def test_input_is_validated_against_the_operation_model(kit: PluginKit) -> None:
    buyer = kit.add_member("Zhao", Role.RESIDENT)
    with pytest.raises(InvalidInput, match=r"invalid input for sale\.place-order: qty") as raised:
        await kit.call("place-order", {"qty": 0, "ref": "o-1"}, as_=buyer)
    assert [e["field"] for e in raised.value.extensions["errors"]] == ["qty"]
    assert raised.value.status == 422 and raised.value.slug == "invalid-input"
    with pytest.raises(InvalidInput) as missing:
        await kit.call("place-order", {"ref": "o-1"}, as_=buyer)  # qty missing
    assert missing.value.extensions["errors"] == [{"field": "qty", "message": "Field required"}]
    assert kit.host.payments.charges == {}


async def test_input_may_be_given_as_the_model_itself(kit: PluginKit) -> None:
    buyer = kit.add_member("Zhao", Role.RESIDENT)
    out = await kit.call("place-order", OrderIn(qty=1, ref="o-1"), as_=buyer)
    assert isinstance(out, OrderOut)


async def test_a_model_of_another_type_is_validated_not_passed_through(kit: PluginKit) -> None:
    leader = kit.add_member("Wang", Role.LEADER)
    with pytest.raises(InvalidInput, match="key"):
        await kit.call("open-sale", Ack(), as_=leader)


async def test_a_caller_without_the_role_is_forbidden(kit: PluginKit) -> None:
    unverified = kit.add_member("New", verified=False)
    with pytest.raises(Forbidden, match="resident") as raised:
        await kit.call("place-order", {"qty": 1, "ref": "o-1"}, as_=unverified)
    assert raised.value.status == 403
    assert kit.host.payments.charges == {}


async def test_the_role_is_checked_before_the_input(kit: PluginKit) -> None:
    resident = kit.add_member("Zhao", Role.RESIDENT)
    with pytest.raises(Forbidden):
        await kit.call("open-sale", {"nonsense": True}, as_=resident)


async def test_a_caller_without_the_scope_is_forbidden(kit: PluginKit) -> None:
    member = kit.add_member("Zhao")
    reader = Caller(member_id=member.id, roles=member.roles, scopes=frozenset({"read"}))
    assert isinstance(await kit.call("whoami", as_=reader), WhoAmI)  # a query needs "read"
    with pytest.raises(Forbidden, match="orders:write"):
        await kit.call("tag-order", as_=reader)
    tagger = Caller(member_id=member.id, roles=member.roles, scopes=frozenset({"orders:write"}))
    assert await kit.call("tag-order", as_=tagger) == Ack()
    with pytest.raises(Forbidden, match="'read'"):
        await kit.call("whoami", as_=tagger)


async def test_a_member_gets_every_scope_by_default(kit: PluginKit) -> None:
    member = kit.add_member("Zhao")
    assert await kit.call("tag-order", as_=member) == Ack()


async def test_an_unknown_operation_is_not_found(kit: PluginKit) -> None:
    member = kit.add_member("Zhao")
    with pytest.raises(NotFound, match="no-such-thing"):
        await kit.call("no-such-thing", as_=member)


async def test_a_handler_returning_the_wrong_model_raises_type_error(kit: PluginKit) -> None:
    member = kit.add_member("Zhao")
    with pytest.raises(TypeError, match="WrongOut"):
        await kit.call("broken", as_=member)


async def test_the_context_carries_the_caller_settings_and_idempotency_key(
    plugin: SimpleNamespace,
) -> None:
    seen: list[Context[Any]] = []

    @query(Role.MEMBER)
    async def peek(ctx: Ctx, data: Empty) -> Ack:
        """Record the context."""
        seen.append(ctx)
        return Ack()

    spy = SimpleNamespace(
        manifest=plugin.manifest.model_copy(update={"operations": (peek,)}),
    )
    kit = PluginKit(spy, community=Community(id=3, slug="c3", name="C3"))
    member = kit.add_member("Zhao", Role.RESIDENT)
    await kit.call("peek", as_=member, idempotency_key="key-1")
    (ctx,) = seen
    assert ctx.community.id == 3
    assert ctx.module == "sale"
    assert ctx.caller.member_id == member.id
    assert ctx.caller.roles == member.roles
    assert ctx.settings == SaleSettings()
    assert ctx.host is kit.host
    assert ctx.now == kit.clock
    assert ctx.idempotency_key == "key-1"


# --- enable / disable / seed ----------------------------------------------------------------


async def test_enable_validates_settings_and_fires_the_hook(
    kit: PluginKit, plugin: SimpleNamespace
) -> None:
    settings = await kit.enable({"max_qty": 2})
    assert settings == SaleSettings(max_qty=2)
    assert traced(plugin, "enabled") == [SaleSettings(max_qty=2)]
    member = kit.add_member("Zhao")
    who = await kit.call("whoami", as_=member)
    assert isinstance(who, WhoAmI)
    assert who.settings_max_qty == 2


async def test_enable_refuses_invalid_settings_and_keeps_the_old_ones(
    kit: PluginKit, plugin: SimpleNamespace
) -> None:
    await kit.enable({"max_qty": 3})
    with pytest.raises(InvalidInput, match=r"settings\.max_qty") as raised:
        await kit.enable({"max_qty": 0})
    assert [e["field"] for e in raised.value.extensions["errors"]] == ["settings.max_qty"]
    with pytest.raises(InvalidInput, match=r"unknown settings\.max_qtty"):
        await kit.enable({"max_qtty": 4})  # a typo is refused, as the platform does
    assert kit.settings == SaleSettings(max_qty=3)
    assert len(traced(plugin, "enabled")) == 1


async def test_settings_take_effect_in_operations(kit: PluginKit) -> None:
    await kit.enable({"max_qty": 1})
    buyer = kit.add_member("Zhao", Role.RESIDENT)
    with pytest.raises(Conflict, match="at most 1"):
        await kit.call("place-order", {"qty": 2, "ref": "o-1"}, as_=buyer)


async def test_events_published_by_a_hook_are_delivered(
    kit: PluginKit, plugin: SimpleNamespace
) -> None:
    await kit.enable()
    assert traced(plugin, "event") == ["sale.enabled"]


async def test_disable_fires_the_hook(kit: PluginKit, plugin: SimpleNamespace) -> None:
    await kit.disable()
    assert traced(plugin, "disabled") == ["test-community"]


async def test_seed_demo_fires_the_hook(kit: PluginKit, plugin: SimpleNamespace) -> None:
    await kit.seed_demo()
    assert traced(plugin, "seeded") == ["Test"]
    assert traced(plugin, "event") == ["sale.seeded"]


# --- events ------------------------------------------------------------------------------


async def test_events_are_delivered_after_the_call_returns(
    kit: PluginKit, plugin: SimpleNamespace
) -> None:
    buyer = kit.add_member("Zhao", Role.RESIDENT)
    await kit.call("place-order", {"qty": 1, "ref": "o-1"}, as_=buyer)
    assert plugin.trace == [
        ("handler-returned", "o-1"),
        ("event", "sale.order_placed"),
        ("event", CHARGE_CAPTURED),  # the gateway's answer comes after the call's own events
    ]
    (event, captured) = kit.host.events.published
    assert captured.module is None and captured.payload["module"] == "sale"
    assert event.type == "sale.order_placed"
    assert event.module == "sale"
    assert event.community == "test-community"
    assert event.occurred == kit.clock
    assert event.payload == {"ref": "o-1", "qty": 1}


async def test_each_event_is_delivered_once(kit: PluginKit, plugin: SimpleNamespace) -> None:
    buyer = kit.add_member("Zhao", Role.RESIDENT)
    await kit.call("place-order", {"qty": 1, "ref": "o-1"}, as_=buyer)
    await kit.call("place-order", {"qty": 1, "ref": "o-2"}, as_=buyer)
    assert await kit.deliver_events() == []
    assert traced(plugin, "event") == ["sale.order_placed", CHARGE_CAPTURED] * 2
    ids = [e.id for e in kit.host.events.published]
    assert len(set(ids)) == 4


async def test_an_operation_that_raises_leaves_no_trace_on_the_host(
    kit: PluginKit, plugin: SimpleNamespace
) -> None:
    buyer = kit.add_member("Zhao", Role.RESIDENT)
    with pytest.raises(Conflict):
        await kit.call("place-order", {"qty": 1, "ref": "o-1", "fail_after": True}, as_=buyer)
    # Rolled back as on the platform: no charge, no deadline, no event - now or later.
    assert kit.host.payments.charges == {}
    assert kit.host.deadlines.pending == {}
    assert kit.host.events.published == []
    await kit.call("place-order", {"qty": 1, "ref": "o-2"}, as_=buyer)
    assert traced(plugin, "event") == ["sale.order_placed", CHARGE_CAPTURED]
    assert [e.payload.get("ref") for e in kit.host.events.published] == ["o-2", None]
    # The failed order's ref is free: charging it now makes a new charge.
    out = await kit.call("place-order", {"qty": 1, "ref": "o-1"}, as_=buyer)
    assert isinstance(out, OrderOut)
    assert len(kit.host.payments.charges) == 2


# --- deadlines ----------------------------------------------------------------------------


async def test_advance_fires_due_deadlines_earliest_first(
    kit: PluginKit, plugin: SimpleNamespace
) -> None:
    leader = kit.add_member("Wang", Role.LEADER)
    for key, minutes in (("late", 50), ("early", 10), ("next-day", 24 * 60), ("mid", 30)):
        await kit.call("open-sale", {"key": key, "closes_in_minutes": minutes}, as_=leader)
    fired = await kit.advance(timedelta(hours=1))
    assert [d.key for d in fired] == ["early", "mid", "late"]
    assert traced(plugin, "deadline") == ["early", "mid", "late"]
    assert fired[0].payload == {"key": "early"}
    assert list(kit.host.deadlines.pending) == ["next-day"]
    assert kit.clock == datetime(2026, 1, 1, 1, tzinfo=UTC)


async def test_deadlines_not_yet_due_stay_pending_until_due(
    kit: PluginKit, plugin: SimpleNamespace
) -> None:
    leader = kit.add_member("Wang", Role.LEADER)
    await kit.call("open-sale", {"key": "s", "closes_in_minutes": 60}, as_=leader)
    assert await kit.advance(timedelta(minutes=59)) == []
    assert "s" in kit.host.deadlines.pending
    assert [d.key for d in await kit.advance(timedelta(minutes=1))] == ["s"]  # due == now fires
    assert kit.host.deadlines.pending == {}
    assert await kit.advance(timedelta(days=1)) == []  # once only
    assert traced(plugin, "deadline") == ["s"]


async def test_events_from_deadline_hooks_are_delivered(
    kit: PluginKit, plugin: SimpleNamespace
) -> None:
    leader = kit.add_member("Wang", Role.LEADER)
    await kit.call("open-sale", {"key": "s", "closes_in_minutes": 5}, as_=leader)
    await kit.advance(timedelta(minutes=5))
    # the deadline's event, then the event an event hook published in response
    assert traced(plugin, "event") == ["sale.sale_closed", "sale.thanks_sent"]


async def test_rescheduling_a_key_moves_the_deadline_and_cancel_removes_it(
    kit: PluginKit, plugin: SimpleNamespace
) -> None:
    deadlines = kit.host.deadlines
    await deadlines.schedule("a", kit.clock + timedelta(minutes=5), {"n": 1})
    await deadlines.schedule("a", kit.clock + timedelta(hours=2), {"n": 2})
    await deadlines.schedule("b", kit.clock + timedelta(minutes=5), {})
    assert await deadlines.cancel("b") is True
    assert await deadlines.cancel("b") is False
    assert await kit.advance(timedelta(hours=1)) == []
    (fired,) = await kit.advance(timedelta(hours=1))
    assert (fired.key, fired.payload) == ("a", {"n": 2})


async def test_a_deadline_whose_hook_raises_stays_pending_and_is_retried(
    kit: PluginKit, plugin: SimpleNamespace
) -> None:
    await kit.host.deadlines.schedule("flaky", kit.clock + timedelta(minutes=1), {})
    plugin.failing_deadlines.add("flaky")
    with pytest.raises(RuntimeError, match="flaky failed"):
        await kit.advance(timedelta(minutes=1))
    assert "flaky" in kit.host.deadlines.pending
    assert kit.host.events.published == []  # what the failed hook published is discarded
    plugin.failing_deadlines.clear()
    assert [d.key for d in await kit.advance(timedelta(0))] == ["flaky"]
    assert traced(plugin, "deadline") == ["flaky"]


async def test_a_naive_deadline_is_refused(kit: PluginKit) -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        await kit.host.deadlines.schedule("x", datetime(2026, 1, 2), {})


# --- payments ---------------------------------------------------------------------------


async def charge(kit: PluginKit, amount: int, ref: str = "o-1", *, capture: bool = True) -> Any:
    """Charge through the host, then let the gateway answer (as after a call returns)."""
    charged = await kit.host.payments.charge(
        order_ref=ref, amount=cny(amount), payer_id=1, payees=PAYEES, capture=capture
    )
    assert charged.status is ChargeStatus.PENDING
    kit.host.payments.settle()
    return kit.host.payments.charges[charged.id]


async def test_a_charge_is_split_by_the_declared_rules(kit: PluginKit) -> None:
    ch = await charge(kit, 10_000)
    assert ch.status is ChargeStatus.CAPTURED
    assert ch.parts == {
        "platform": cny(500),
        "leader": cny(1000),
        "pickup_host": cny(100),
        "community_fund": cny(100),
        "supplier": cny(8300),
    }
    assert list(ch.parts) == ["platform", "leader", "pickup_host", "community_fund", "supplier"]
    assert ch.refunded == cny(0)


async def test_percent_shares_are_floored_and_the_remainder_takes_the_cents(
    kit: PluginKit,
) -> None:
    ch = await charge(kit, 1999)
    assert ch.parts == {
        "platform": cny(99),  # floor(99.95)
        "leader": cny(199),  # floor(199.9)
        "pickup_host": cny(100),
        "community_fund": cny(19),  # floor(19.99)
        "supplier": cny(1582),
    }
    assert sum(p.amount for p in ch.parts.values()) == 1999


async def test_an_operation_sees_the_same_split(kit: PluginKit) -> None:
    await kit.enable({"max_qty": 10})
    buyer = kit.add_member("Zhao", Role.RESIDENT)
    out = await kit.call("place-order", {"qty": 10, "ref": "o-1"}, as_=buyer)
    assert isinstance(out, OrderOut)
    assert kit.host.payments.charges[out.charge_id].parts["supplier"] == cny(8300)


async def test_charging_an_order_ref_again_returns_the_first_charge(kit: PluginKit) -> None:
    first = await charge(kit, 1000)
    again = await kit.host.payments.charge(
        order_ref="o-1", amount=cny(5000), payer_id=1, payees=PAYEES
    )
    assert again == first
    assert len(kit.host.payments.charges) == 1


async def test_a_split_leaving_the_remainder_negative_is_refused_at_charge_time(
    kit: PluginKit,
) -> None:
    with pytest.raises(RemainderNegative, match="supplier"):
        await charge(kit, 50)  # the fixed CNY 1.00 alone is more
    with pytest.raises(RemainderNegative):
        await charge(kit, 50, "o-2", capture=False)
    assert kit.host.payments.charges == {}


async def test_charging_without_revenue_share_rules_is_refused() -> None:
    bare = SimpleNamespace(manifest=Manifest(name="bare", version="0.1.0", sdk=">=0.1", title="B"))
    kit = PluginKit(bare)
    with pytest.raises(InvalidInput, match="revenue-share"):
        await charge(kit, 1000)


async def test_an_authorised_charge_is_split_only_when_captured(kit: PluginKit) -> None:
    payments = kit.host.payments
    ch = await charge(kit, 10_000, capture=False)
    assert ch.status is ChargeStatus.AUTHORIZED
    assert ch.parts == {}
    asked = await payments.capture(ch.id)
    assert asked.status is ChargeStatus.AUTHORIZED  # captured once the unit has returned
    payments.settle()
    captured = payments.charges[ch.id]
    assert captured.status is ChargeStatus.CAPTURED
    assert captured.parts["supplier"] == cny(8300)
    assert await payments.capture(ch.id) == captured  # capturing again changes nothing
    with pytest.raises(Conflict, match="refund it instead of voiding"):
        await payments.void(ch.id)


async def test_a_voided_charge_takes_nothing_and_cannot_be_captured(kit: PluginKit) -> None:
    payments = kit.host.payments
    ch = await charge(kit, 10_000, capture=False)
    await payments.void(ch.id)
    payments.settle()
    voided = payments.charges[ch.id]
    assert voided.status is ChargeStatus.VOIDED
    assert voided.parts == {}
    assert await payments.void(ch.id) == voided
    with pytest.raises(Conflict, match="voided; it cannot be captured"):
        await payments.capture(ch.id)
    with pytest.raises(Conflict, match="no applied capture"):
        await payments.refund(ch.id, cny(1), reason="x", ref="r-1")


async def test_an_authorised_charge_cannot_be_refunded(kit: PluginKit) -> None:
    ch = await charge(kit, 10_000, capture=False)
    with pytest.raises(Conflict, match="no applied capture"):
        await kit.host.payments.refund(ch.id, cny(1), reason="x", ref="r-1")


async def test_an_unknown_charge_is_not_found(kit: PluginKit) -> None:
    payments = kit.host.payments
    for attempt in (payments.capture("ch_404"), payments.void("ch_404")):
        with pytest.raises(NotFound):
            await attempt
    with pytest.raises(NotFound):
        await payments.refund("ch_404", cny(1), reason="x", ref="r-1")


async def test_a_refund_is_allocated_pro_rata_to_what_each_party_holds(kit: PluginKit) -> None:
    payments = kit.host.payments
    ch = await charge(kit, 10_000)
    half = await payments.refund(ch.id, cny(5000), reason="half the eggs broke", ref="r-1")
    assert half.parts == {
        "platform": cny(250),
        "leader": cny(500),
        "pickup_host": cny(50),
        "community_fund": cny(50),
        "supplier": cny(4150),
    }
    assert half.amount == cny(5000)
    assert half.charge_id == ch.id
    assert half.reason == "half the eggs broke"
    after = payments.charges[ch.id]
    assert after.status is ChargeStatus.CAPTURED
    assert after.refunded == cny(5000)
    assert after.parts["supplier"] == cny(4150)
    # One fen: its one minor unit goes to the largest fractional part (the supplier's).
    cent = await payments.refund(ch.id, cny(1), reason="rounding", ref="r-2")
    assert cent.parts["supplier"] == cny(1)
    assert sum(p.amount for p in cent.parts.values()) == 1
    # The rest returns every party to exactly zero.
    rest = await payments.refund(ch.id, cny(4999), reason="all", ref="r-3")
    assert sum(p.amount for p in rest.parts.values()) == 4999
    final = payments.charges[ch.id]
    assert final.status is ChargeStatus.REFUNDED
    assert final.refunded == cny(10_000)
    assert all(part == cny(0) for part in final.parts.values())
    refunded_by_party = {
        party: sum(r.parts[party].amount for r in (half, cent, rest)) for party in ch.parts
    }
    assert refunded_by_party == {party: part.amount for party, part in ch.parts.items()}


async def test_refunds_are_idempotent_by_ref(kit: PluginKit) -> None:
    payments = kit.host.payments
    ch = await charge(kit, 10_000)
    first = await payments.refund(ch.id, cny(3000), reason="x", ref="r-1")
    again = await payments.refund(ch.id, cny(3000), reason="x", ref="r-1")
    assert again == first
    assert payments.charges[ch.id].refunded == cny(3000)
    assert list(payments.refunds) == [(ch.id, "r-1")]
    other = await payments.refund(ch.id, cny(3000), reason="x", ref="r-2")
    assert other.id != first.id
    assert payments.charges[ch.id].refunded == cny(6000)


async def test_refunding_more_than_is_held_is_refused(kit: PluginKit) -> None:
    payments = kit.host.payments
    ch = await charge(kit, 10_000)
    with pytest.raises(RefundExceedsHeld):
        await payments.refund(ch.id, cny(10_001), reason="x", ref="r-1")
    await payments.refund(ch.id, cny(6000), reason="x", ref="r-2")
    with pytest.raises(RefundExceedsHeld):
        await payments.refund(ch.id, cny(4001), reason="x", ref="r-3")
    assert payments.charges[ch.id].refunded == cny(6000)
    assert (ch.id, "r-3") not in payments.refunds
    await payments.refund(ch.id, cny(4000), reason="x", ref="r-4")
    with pytest.raises(RefundExceedsHeld):  # fully refunded: the parties hold nothing
        await payments.refund(ch.id, cny(1), reason="x", ref="r-5")


# --- credit -------------------------------------------------------------------------------


async def test_a_declared_credit_event_within_bounds_is_recorded(kit: PluginKit) -> None:
    credit = kit.host.credit
    await credit.emit(member_id=4, event="picked_up_on_time", weight=5, event_id="e-1")
    await credit.emit(member_id=4, event="no_show", weight=-20, event_id="e-2")
    assert credit.events == {"e-1": (4, "picked_up_on_time", 5), "e-2": (4, "no_show", -20)}


@pytest.mark.parametrize(
    ("event", "weight", "message"),
    [
        ("picked_up_on_time", 6, "outside the declared 0..5"),
        ("picked_up_on_time", -1, "outside the declared 0..5"),
        ("no_show", 0, "outside the declared -20..-1"),
        ("no_show", -21, "outside the declared -20..-1"),
        ("helped_a_neighbour", 1, "did not declare credit event helped_a_neighbour"),
    ],
)
async def test_credit_events_outside_bounds_or_undeclared_are_refused(
    kit: PluginKit, event: str, weight: int, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        await kit.host.credit.emit(member_id=4, event=event, weight=weight, event_id="e-1")
    assert kit.host.credit.events == {}


async def test_credit_events_are_idempotent_by_event_id(kit: PluginKit) -> None:
    credit = kit.host.credit
    await credit.emit(member_id=4, event="picked_up_on_time", weight=2, event_id="e-1")
    await credit.emit(member_id=4, event="picked_up_on_time", weight=3, event_id="e-1")
    assert credit.events == {"e-1": (4, "picked_up_on_time", 2)}


# --- dispatch and members ---------------------------------------------------------------------


async def test_dispatch_returns_the_same_ticket_for_the_same_ref(kit: PluginKit) -> None:
    def job(ref: str) -> JobRequest:
        return JobRequest(
            ref=ref,
            skills=frozenset({"cleaning"}),
            window_start=kit.clock,
            window_end=kit.clock + timedelta(hours=4),
            duration=timedelta(hours=2),
        )

    first = await kit.host.dispatch.submit(job("booking-1"))
    again = await kit.host.dispatch.submit(job("booking-1"))
    other = await kit.host.dispatch.submit(job("booking-2"))
    assert again == first
    assert first.ref == "booking-1"
    assert first.status == "pending"
    assert other.id != first.id
    assert set(kit.host.dispatch.jobs) == {"booking-1", "booking-2"}


async def test_members_lookup_gives_the_masked_view(kit: PluginKit) -> None:
    wang = kit.add_member("Wang", Role.LEADER, phone_masked="138****1234")
    found = await kit.host.members.get(wang.id)
    assert isinstance(found, MemberView)
    assert found == wang
    assert found.phone_masked == "138****1234"
    assert await kit.host.members.get(999) is None
    who = await kit.call("whoami", as_=wang)
    assert isinstance(who, WhoAmI)
    assert (who.member_id, who.display_name) == (wang.id, "Wang")
    assert who.roles == ["leader", "member"]


async def test_the_kit_lists_members_by_role(kit: PluginKit) -> None:
    leader = kit.add_member("Wang", Role.LEADER, Role.RESIDENT)
    resident = kit.add_member("Chen", Role.RESIDENT)
    assert await kit.host.members.with_role(Role.RESIDENT) == [leader.id, resident.id]
    assert await kit.host.members.with_role(Role.OPERATOR) == []


async def test_a_declined_charge_is_pending_in_the_call_then_failed_with_an_event(
    kit: PluginKit, plugin: SimpleNamespace
) -> None:
    buyer = kit.add_member("Buyer", Role.RESIDENT)
    payments = kit.host.payments
    payments.decline_next()
    placed = await kit.call("place-order", {"qty": 1, "ref": "d-1"}, as_=buyer)
    assert placed.parts == {}  # type: ignore[attr-defined]  # pending inside the call
    charge = payments.charges[placed.charge_id]  # type: ignore[attr-defined]
    assert charge.status is ChargeStatus.FAILED
    failed = [e for e in kit.host.events.published if e.type == CHARGE_FAILED]
    assert [(e.module, e.payload) for e in failed] == [
        (
            None,
            {
                "charge_id": charge.id,
                "order_ref": "d-1",
                "module": "sale",
                "amount": {"amount": 1000, "currency": "CNY"},
                "reason": "card_declined",
            },
        )
    ]
    assert ("event", CHARGE_FAILED) in plugin.trace  # delivered to linli_event, once
    assert traced(plugin, "event").count(CHARGE_FAILED) == 1
    assert await charge_again(kit, "d-1") == charge  # the same order: the failed charge
    with pytest.raises(Conflict, match="the gateway refused it"):
        await payments.capture(charge.id)
    with pytest.raises(Conflict, match="no applied capture"):
        await payments.refund(charge.id, cny(1), reason="x", ref="r-d")
    assert await payments.void(charge.id) == charge  # nothing held: voiding changes nothing
    again = await kit.call("place-order", {"qty": 1, "ref": "d-2"}, as_=buyer)
    assert payments.charges[again.charge_id].status is ChargeStatus.CAPTURED  # type: ignore[attr-defined]


async def test_a_decline_in_a_call_that_raises_is_kept_for_the_next_charge(kit: PluginKit) -> None:
    buyer = kit.add_member("Buyer", Role.RESIDENT)
    payments = kit.host.payments
    payments.decline_next("insufficient_funds")
    with pytest.raises(Conflict):
        await kit.call("place-order", {"qty": 1, "ref": "x-1", "fail_after": True}, as_=buyer)
    assert payments.charges == {} and payments.declines == ["insufficient_funds"]
    await kit.call("place-order", {"qty": 1, "ref": "x-2"}, as_=buyer)
    [failed] = [e for e in kit.host.events.published if e.type == CHARGE_FAILED]
    assert failed.payload["order_ref"] == "x-2"
    assert failed.payload["reason"] == "insufficient_funds"


async def charge_again(kit: PluginKit, ref: str) -> Any:
    return await kit.host.payments.charge(
        order_ref=ref, amount=cny(1000), payer_id=1, payees=PAYEES
    )
