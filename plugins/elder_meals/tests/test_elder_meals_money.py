"""Money properties of elderly meals (Hypothesis): the price split, and the ledger over many days.

Whatever the price, the subsidy setting, the shares an operator set and who orders, cancels
and receives meals: the subsidy and the orderer's share add up to the price and are never
negative; every delivered meal is paid exactly once, its charges split to the fen; a cancelled
meal costs nothing; no hold is left hanging.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linli_elder_meals import plugin as elder_meals
from linli_elder_meals import rules
from linli_elder_meals.models import Menu, Order
from linli_sdk import ChargeStatus, Community, Money, Role, split
from linli_sdk.testing import PluginKit

NOW = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)
_communities = itertools.count(1)
money = st.integers(0, 100_000).map(lambda n: Money(amount=n, currency="CNY"))


@given(price=money, subsidy=money, eligible=st.booleans())
def test_subsidy_and_share_add_up_to_the_price_and_are_never_negative(
    price: Money, subsidy: Money, eligible: bool
) -> None:
    paid_by_government, paid_by_orderer = rules.split_price(price, subsidy, eligible=eligible)
    assert paid_by_government + paid_by_orderer == price
    assert not paid_by_government.is_negative and not paid_by_orderer.is_negative
    assert paid_by_government <= subsidy or paid_by_government.is_zero
    if not eligible:
        assert paid_by_government.is_zero and paid_by_orderer == price
    else:
        assert paid_by_government == min(subsidy, price)


@given(
    price=money,
    subsidy=money,
    currency=st.sampled_from(["USD", "EUR"]),
)
def test_a_subsidy_in_another_currency_subsidises_nothing(
    price: Money, subsidy: Money, currency: str
) -> None:
    other = Money(amount=subsidy.amount, currency=currency)
    assert rules.split_price(price, other, eligible=True) == (Money.zero("CNY"), price)


diner = st.tuples(
    st.integers(1930, 2000),  # birth year
    st.booleans(),  # registered as an elder
    st.booleans(),  # ordered by family
    st.booleans(),  # cancelled before the cut-off
)


async def scenario(
    price: int,
    subsidy: int,
    platform_bp: int,
    delivery_bp: int,
    diners: list[tuple[int, bool, bool, bool]],
) -> None:
    community_id = next(_communities)
    kit = PluginKit(
        elder_meals,
        community=Community(
            id=community_id, slug=f"c{community_id}", name="C", timezone="Asia/Shanghai"
        ),
        now=NOW,
        granted_scopes={"members.unit"},
    )
    kitchen = kit.add_member("Kitchen", Role.PROVIDER_STAFF)
    courier = kit.add_member("Courier", Role.PROVIDER_STAFF)
    payer = kit.add_member("Street office", Role.OPERATOR)
    await kit.enable({"subsidy_payer_id": payer.id, "subsidy_per_meal": subsidy})
    rules_now = kit.host.payments.set_overrides({"platform": platform_bp, "delivery": delivery_bp})
    menu = await kit.call(
        "publish-menu",
        {
            "day": DAY.isoformat(),
            "name": "Set meal",
            "dishes": ["rice"],
            "price": {"amount": price, "currency": "CNY"},
            "capacity": len(diners),
        },
        as_=kitchen,
    )
    assert isinstance(menu, Menu)
    placed: list[tuple[Order, bool, bool]] = []
    for n, (born, registered, by_family, cancel) in enumerate(diners):
        elder = kit.add_member(f"Elder {n}", Role.RESIDENT, unit=f"{n % 3}-{n}01")
        orderer = elder
        if registered:
            await kit.call("register-elder", {"birth_year": born, "consent": True}, as_=elder)
            if by_family:
                orderer = kit.add_member(f"Family {n}", Role.RESIDENT, unit="9-901")
                await kit.call("add-family", {"family_member_id": orderer.id}, as_=elder)
        data = {"menu_id": menu.id, "for_member_id": elder.id}
        order = await kit.call("place-order", data, as_=orderer)
        assert isinstance(order, Order)
        eligible = registered and DAY.year - born >= 60
        assert order.subsidy + order.to_pay == order.price
        assert order.subsidy.amount == (min(subsidy, price) if eligible else 0)
        if cancel:
            await kit.call("cancel-order", {"order_id": order.id}, as_=orderer)
        placed.append((order, cancel, eligible))
    await kit.advance(datetime(2026, 3, 2, 1, 30, tzinfo=UTC) - kit.clock)  # the cut-off
    for order, cancel, _ in placed:
        if not cancel:
            code = {"order_id": order.id, "code": order.delivery_code}
            await kit.call("confirm-delivery", code, as_=courier)
    await kit.advance(timedelta(days=3))  # every hold past its expiry

    charges = {c.order_ref: c for c in kit.host.payments.charges.values()}
    assert not any(c.status is ChargeStatus.AUTHORIZED for c in charges.values())
    for order, cancel, _ in placed:
        hold = charges.get(f"meal-{order.id}")
        assert (hold is None) == order.to_pay.is_zero
        assert hold is None or hold.status is ChargeStatus.VOIDED  # released, never taken
        share = charges.get(f"meal-{order.id}-paid")
        grant = charges.get(f"meal-{order.id}-subsidy")
        if cancel:
            assert share is None and grant is None  # a cancelled meal costs nothing
            continue
        assert (share.amount if share else Money.zero("CNY")) == order.to_pay
        assert (grant.amount if grant else Money.zero("CNY")) == order.subsidy
        for charge in (share, grant):
            if charge is not None:
                assert charge.status is ChargeStatus.CAPTURED
                assert charge.parts == split(rules_now, charge.amount)
                assert kit.host.payments.payees[charge.id] == {
                    "kitchen": kitchen.id,
                    "delivery": courier.id,
                }
    delivered = [o for o, cancel, _ in placed if not cancel]
    taken = sum(c.amount.amount for c in charges.values() if c.status is ChargeStatus.CAPTURED)
    assert taken == price * len(delivered)  # every delivered meal paid once, exactly


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    price=st.integers(1, 5000),
    subsidy=st.integers(0, 3000),
    platform_bp=st.integers(0, 800),
    delivery_bp=st.integers(500, 2000),
    diners=st.lists(diner, min_size=1, max_size=5),
)
def test_every_delivered_meal_is_paid_exactly_once_and_split_to_the_fen(
    money_db: None,
    price: int,
    subsidy: int,
    platform_bp: int,
    delivery_bp: int,
    diners: list[tuple[int, bool, bool, bool]],
) -> None:
    asyncio.run(scenario(price, subsidy, platform_bp, delivery_bp, diners))
