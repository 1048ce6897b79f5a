"""The elder meals module (老人助餐): its manifest and hook implementations.

The entry point ``linli.plugins: elder_meals`` names this module. A kitchen publishes daily
menus; elders (registered with consent) or their family order before the cut-off; eligible
elders' meals are subsidised by the government payer; at the cut-off the day's delivery rounds
go to dispatch, and the worker hands each meal over at the door with the diner's code.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from linli_sdk import (
    Event,
    Host,
    Manifest,
    RevenueShareRules,
    Role,
    hookimpl,
    percent,
    remainder,
)

from . import delivery, elders, kitchen, menus, orders, subsidy
from .models import ElderMealsSettings
from .personal_data import linli_member_data, linli_member_erased
from .tables import MenuRow

__all__ = ["linli_member_data", "linli_member_erased", "manifest"]


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
    """Follow the gateway's news about the charges taking orderers' shares."""
    await delivery.payment_settled(host, event)


_DEMO_MENUS = (
    ("套餐A 红烧肉 Braised pork set", ("红烧肉", "清炒时蔬", "米饭", "紫菜蛋花汤"), 1500, 80),
    ("软食 Soft meal", ("肉末豆腐", "南瓜粥", "蒸蛋"), 1200, 40),
)


@hookimpl
async def linli_seed_demo(host: Host) -> None:
    """Put tomorrow's two menus by the demo's first provider into the demo community."""
    staff = await host.members.with_role(Role.PROVIDER_STAFF)
    if not staff:
        return
    now = datetime.now(UTC)
    tomorrow = host.community.today(now) + timedelta(days=1)
    for name, dishes, price, capacity in _DEMO_MENUS:
        row = MenuRow(
            community_id=host.community.id,
            kitchen_id=staff[0],
            day=tomorrow,
            name=name,
            dishes="\n".join(dishes),
            price_amount=price,
            currency="CNY",
            capacity=capacity,
            ordered=0,
            cutoff_at=host.community.start_of(tomorrow, time(9, 30)),
            deliver_from=host.community.start_of(tomorrow, time(11)),
            deliver_until=host.community.start_of(tomorrow, time(12, 30)),
            status=menus.OPEN,
            created_at=now,
        )
        await row.save()
        await host.deadlines.schedule(menus.cutoff_due.key(menu_id=row.id), row.cutoff_at, {})


manifest = Manifest(
    name="elder_meals",
    version="0.1.0",
    sdk=">=1.1,<2",
    title="Elderly meals (老人助餐)",
    description=(
        "Daily menus from a kitchen, ordered by elders or their family before the cut-off;"
        " a government subsidy per meal for eligible elders; delivery rounds by building"
        " through dispatch, handed over at the door with the diner's code; a daily kitchen list."
    ),
    settings=ElderMealsSettings,
    operations=(
        menus.publish_menu,
        menus.list_menus,
        menus.close_orders,
        elders.register_elder,
        elders.add_family,
        elders.set_eligibility,
        elders.elders,
        elders.my_elders,
        elders.leave_programme,
        orders.place_order,
        orders.my_orders,
        orders.cancel_order,
        delivery.delivery_list,
        delivery.confirm_delivery,
        kitchen.kitchen_list,
        kitchen.kitchen_list_csv,
        subsidy.charge_subsidies,
        subsidy.subsidy_statement,
    ),
    revenue_share=RevenueShareRules(
        shares=(
            percent("platform", 300, min=0, max=800),
            percent("delivery", 1000, min=500, max=2000),
            remainder("kitchen"),
        )
    ),
    deposit_rules=RevenueShareRules(shares=(remainder("kitchen"),)),
    member_scopes=frozenset({"members.unit"}),
    piccolo_app="linli_elder_meals.piccolo_app",
    deadline_handlers=(menus.cutoff_due,),
)
