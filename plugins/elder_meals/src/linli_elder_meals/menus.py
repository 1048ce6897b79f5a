"""Menus: a kitchen publishes a day's meals; at the cut-off orders close.

Closing hands the day's delivery rounds (one per building) to dispatch.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from linli_sdk import (
    Deadline,
    Empty,
    Forbidden,
    Host,
    InvalidInput,
    JobRequest,
    Money,
    NotFound,
    Role,
    command,
    on_deadline,
    query,
)

from .elders import Ctx
from .models import MAX_DAYS_AHEAD, Menu, MenuList, MenuRef, NewMenu
from .rules import Status
from .tables import MenuRow, OrderRow, row_in

__all__ = [
    "DELIVERY_SKILL",
    "close_menu",
    "close_orders",
    "cutoff_due",
    "list_menus",
    "menu_row",
    "menu_view",
    "publish_menu",
    "round_ref",
]

DELIVERY_SKILL = "meal_delivery"
"""The skill dispatch looks for in a worker for a delivery round."""

OPEN, CLOSED = "open", "closed"


def menu_view(row: dict[str, Any]) -> Menu:
    """A menu row as answered."""
    return Menu(
        id=row["id"],
        day=row["day"],
        name=row["name"],
        dishes=row["dishes"].split("\n"),
        price=Money(amount=row["price_amount"], currency=row["currency"]),
        capacity=row["capacity"],
        left=row["capacity"] - row["ordered"],
        cutoff_at=row["cutoff_at"],
        deliver_from=row["deliver_from"],
        deliver_until=row["deliver_until"],
        status=row["status"],
        kitchen_id=row["kitchen_id"],
    )


async def menu_row(community_id: int, menu_id: int) -> dict[str, Any]:
    """The menu's row in the community (`NotFound` without one)."""
    return await row_in(MenuRow, community_id, menu_id, "menu")


@command(Role.PROVIDER_STAFF)
async def publish_menu(ctx: Ctx, data: NewMenu) -> Menu:
    """Offer a meal on a day: dishes, price per meal, capacity, cut-off and delivery window.

    The caller is the kitchen: its share of every meal's payments is paid to them. Orders
    close by themselves at the cut-off (a deadline), which dispatches the delivery rounds.
    """
    community = ctx.community
    if not ctx.today <= data.day <= ctx.today + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(
            f"publish menus for today up to {MAX_DAYS_AHEAD} days ahead", field="day"
        )
    cutoff_day = data.day - timedelta(days=data.cutoff_days_before)
    cutoff_at = community.start_of(cutoff_day, data.cutoff)
    deliver_from = community.start_of(data.day, data.deliver_from)
    deliver_until = community.start_of(data.day, data.deliver_until)
    if cutoff_at <= ctx.now:
        raise InvalidInput("the cut-off has passed already", field="cutoff")
    if not cutoff_at <= deliver_from < deliver_until:
        raise InvalidInput(
            "orders close before delivery starts, and delivery ends after it starts",
            field="deliver_until",
        )
    row = MenuRow(
        community_id=community.id,
        kitchen_id=ctx.caller.member_id,
        day=data.day,
        name=data.name,
        dishes="\n".join(data.dishes),
        price_amount=data.price.amount,
        currency=data.price.currency,
        capacity=data.capacity,
        ordered=0,
        cutoff_at=cutoff_at,
        deliver_from=deliver_from,
        deliver_until=deliver_until,
        status=OPEN,
        created_at=ctx.now,
    )
    await row.save()
    await ctx.host.deadlines.schedule(cutoff_due.key(menu_id=row.id), cutoff_at, {})
    return menu_view(row.to_dict())


@query(Role.MEMBER)
async def list_menus(ctx: Ctx, data: Empty) -> MenuList:
    """The menus from today on, by day, with the places left."""
    rows = (
        await MenuRow.select()
        .where((MenuRow.community_id == ctx.community.id) & (MenuRow.day >= ctx.today))
        .order_by(MenuRow.day)
        .order_by(MenuRow.id)
    )
    return MenuList(items=[menu_view(row) for row in rows])


def round_ref(menu: dict[str, Any], building: str) -> str:
    """The dispatch reference of a kitchen's delivery round to one building on one day.

    Menus of the same kitchen and day share the round (submitting a ref again returns its job).
    """
    return f"meals-{menu['day'].isoformat()}-kitchen-{menu['kitchen_id']}-building-{building}"


async def close_menu(host: Host, menu: dict[str, Any]) -> int:
    """Close a menu's orders and hand its delivery rounds to dispatch; how many were sent.

    Closing twice sends nothing the second time. Each building's placed orders go in one round
    (a dispatch job for the delivery window, skill :data:`DELIVERY_SKILL`).
    """
    community_id = host.community.id
    closed = (
        await MenuRow.update({MenuRow.status: CLOSED})
        .where(
            (MenuRow.id == menu["id"])
            & (MenuRow.community_id == community_id)
            & (MenuRow.status == OPEN)
        )
        .returning(MenuRow.id)
    )
    if not closed:
        return 0
    orders = await OrderRow.select(OrderRow.id, OrderRow.building).where(
        (OrderRow.community_id == community_id)
        & (OrderRow.menu_id == menu["id"])
        & (OrderRow.status == Status.PLACED)
    )
    rounds: dict[str, list[int]] = defaultdict(list)
    for order in orders:
        rounds[order["building"]].append(order["id"])
    for building, ids in sorted(rounds.items()):
        ticket = await host.dispatch.submit(
            JobRequest(
                ref=round_ref(menu, building),
                skills=frozenset({DELIVERY_SKILL}),
                window_start=menu["deliver_from"],
                window_end=menu["deliver_until"],
                duration=menu["deliver_until"] - menu["deliver_from"],
            )
        )
        await OrderRow.update(
            {OrderRow.status: Status.DISPATCHED, OrderRow.job_id: ticket.id}
        ).where(
            (OrderRow.community_id == community_id)
            & OrderRow.id.is_in(ids)
            & (OrderRow.status == Status.PLACED)
        )
    await host.events.publish(
        "orders_closed", {"menu": menu["id"], "meals": len(orders), "rounds": len(rounds)}
    )
    return len(orders)


@command(Role.PROVIDER_STAFF, Role.OPERATOR)
async def close_orders(ctx: Ctx, data: MenuRef) -> Menu:
    """Close a menu's orders before the cut-off (the kitchen or an operator) and dispatch.

    Closing a closed menu changes nothing.
    """
    menu = await menu_row(ctx.community.id, data.menu_id)
    if not ctx.caller.has_role(Role.OPERATOR) and menu["kitchen_id"] != ctx.caller.member_id:
        raise Forbidden("only the menu's kitchen or an operator closes its orders")
    await close_menu(ctx.host, menu)
    await ctx.host.deadlines.cancel(cutoff_due.key(menu_id=menu["id"]))
    return menu_view(await menu_row(ctx.community.id, data.menu_id))


@on_deadline("cutoff:{menu_id}")
async def cutoff_due(host: Host, deadline: Deadline, menu_id: int) -> None:
    """The menu's cut-off: close its orders and dispatch the delivery rounds."""
    try:
        menu = await menu_row(host.community.id, menu_id)
    except NotFound:
        return
    await close_menu(host, menu)
