"""Orders: placed before the cut-off within capacity, cancelled before it in full.

A meal is ordered for oneself or for an elder who named the caller family.

Money: the orderer's share is *held* on their payment method when they order (a hold split by
the deposit rules, kitchen only, if it ever had to be kept) and *taken* on delivery, split by
the revenue-share rules between the platform, the delivering worker and the kitchen — the
worker is only known at the door. See :mod:`.delivery`.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from linli_sdk import (
    Conflict,
    Empty,
    Forbidden,
    InvalidInput,
    Money,
    NotFound,
    Role,
    command,
    query,
)

from . import rules
from .elders import Ctx, elder_row, is_family
from .menus import OPEN, menu_row
from .models import NewOrder, Order, OrderList, OrderRef
from .rules import Status, SubsidyStatus
from .tables import MenuRow, OrderRow, row_in

__all__ = ["HOLD_GRACE", "cancel_order", "my_orders", "order_row", "order_view", "place_order"]

HOLD_GRACE = timedelta(days=2)
"""How long after the delivery window a hold stays (then the platform releases it unused)."""


def order_view(row: dict[str, Any], *, codes: bool) -> Order:
    """An order row as answered; the delivery code only when ``codes`` is true."""
    currency = row["currency"]
    return Order(
        id=row["id"],
        menu_id=row["menu_id"],
        day=row["day"],
        diner_id=row["diner_id"],
        ordered_by=row["ordered_by"],
        unit=row["unit"],
        price=Money(amount=row["price_amount"], currency=currency),
        subsidy=Money(amount=row["subsidy_amount"], currency=currency),
        to_pay=Money(amount=row["resident_amount"], currency=currency),
        status=row["status"],
        subsidy_status=row["subsidy_status"],
        delivery_code=row["delivery_code"] if codes else None,
        hold_id=row["hold_id"],
        charge_id=row["charge_id"],
        subsidy_charge_id=row["subsidy_charge_id"],
        job_id=row["job_id"],
    )


async def order_row(community_id: int, order_id: int) -> dict[str, Any]:
    """The order's row in the community (`NotFound` without one)."""
    return await row_in(OrderRow, community_id, order_id, "order")


async def _diner_unit(ctx: Ctx, diner_id: int) -> str:
    member = await ctx.host.members.get(diner_id, purpose="deliver a meal to the door")
    if member is None or not member.verified:
        raise InvalidInput(f"member {diner_id} is not a verified resident", field="for_member_id")
    if member.unit is None:
        raise Conflict(
            "the diner's unit is not available for delivery: the operator has not granted "
            "members.unit to this module, or the diner has no unit on file"
        )
    return member.unit


@command(Role.RESIDENT)
async def place_order(ctx: Ctx, data: NewOrder) -> Order:
    """Order a meal for oneself, or for an elder who named the caller family.

    One meal per diner and day; an eligible elder's meal is subsidised (``subsidy_per_meal``,
    never above the price) and the caller's share is held until delivery. A place is taken by
    one conditional update, so a menu is never oversold however many order at once.
    """
    me = ctx.caller.member_id
    assert me is not None  # the role check admits members only
    diner = data.for_member_id if data.for_member_id is not None else me
    menu = await menu_row(ctx.community.id, data.menu_id)
    if menu["status"] != OPEN or ctx.now >= menu["cutoff_at"]:
        raise Conflict(f"orders for this menu closed at {menu['cutoff_at'].isoformat()}")
    elder = await elder_row(ctx.community.id, diner)
    if diner != me and (elder is None or not await is_family(ctx.community.id, diner, me)):
        raise Forbidden("order for yourself, or for a registered elder who named you family")
    unit = await _diner_unit(ctx, diner)
    eligible = elder is not None and rules.is_eligible(
        elder["eligible_flag"], elder["birth_year"], menu["day"], min_age=ctx.settings.min_age
    )
    price = Money(amount=menu["price_amount"], currency=menu["currency"])
    subsidy, share = rules.split_price(price, ctx.settings.subsidy_per_meal, eligible=eligible)
    inserted = (
        await OrderRow.insert(
            OrderRow(
                community_id=ctx.community.id,
                menu_id=menu["id"],
                kitchen_id=menu["kitchen_id"],
                day=menu["day"],
                diner_id=diner,
                ordered_by=me,
                active_key=f"{ctx.community.id}:{menu['day'].isoformat()}:{diner}",
                unit=unit,
                building=rules.building_of(unit),
                price_amount=price.amount,
                subsidy_amount=subsidy.amount,
                resident_amount=share.amount,
                currency=price.currency,
                status=Status.PLACED,
                delivery_code=f"{secrets.randbelow(10**4):04d}",
                subsidy_status=SubsidyStatus.PENDING if subsidy.amount > 0 else SubsidyStatus.NONE,
                created_at=ctx.now,
            )
        )
        .on_conflict(action="DO NOTHING")
        .returning(OrderRow.id)
    )
    if not inserted:
        raise Conflict(f"member {diner} already has a meal on {menu['day'].isoformat()}")
    order_id = int(inserted[0]["id"])
    taken = (
        await MenuRow.update({MenuRow.ordered: MenuRow.ordered + 1})
        .where(
            (MenuRow.id == menu["id"])
            & (MenuRow.community_id == ctx.community.id)
            & (MenuRow.ordered < MenuRow.capacity)
        )
        .returning(MenuRow.id)
    )
    if not taken:
        raise Conflict("this menu is full; pick another")
    if share.amount > 0:
        hold = await ctx.host.payments.hold_deposit(
            order_ref=f"meal-{order_id}",
            amount=share,
            payer_id=me,
            payees={"kitchen": menu["kitchen_id"]},
            expires_at=menu["deliver_until"] + HOLD_GRACE,
        )
        await OrderRow.update({OrderRow.hold_id: hold.id}).where(
            (OrderRow.id == order_id) & (OrderRow.community_id == ctx.community.id)
        )
    await ctx.host.events.publish("meal_ordered", {"order": order_id, "menu": menu["id"]})
    return order_view(await order_row(ctx.community.id, order_id), codes=True)


@query(Role.MEMBER)
async def my_orders(ctx: Ctx, data: Empty) -> OrderList:
    """The orders the caller placed or eats, newest day first, with their delivery codes."""
    me = ctx.caller.member_id
    rows = (
        await OrderRow.select()
        .where(
            (OrderRow.community_id == ctx.community.id)
            & ((OrderRow.ordered_by == me) | (OrderRow.diner_id == me))
        )
        .order_by(OrderRow.day, ascending=False)
        .order_by(OrderRow.id)
    )
    return OrderList(items=[order_view(row, codes=True) for row in rows])


@command(Role.MEMBER)
async def cancel_order(ctx: Ctx, data: OrderRef) -> Order:
    """Cancel before the cut-off (the orderer or the diner): the hold is released in full.

    Cancelling a cancelled order answers it again and releases nothing twice.
    """
    row = await order_row(ctx.community.id, data.order_id)
    if ctx.caller.member_id not in (row["ordered_by"], row["diner_id"]):
        raise NotFound(f"you have no order {data.order_id}")
    if row["status"] == Status.CANCELLED:
        return order_view(row, codes=True)
    rules.require(row["status"], "cancel")
    menu = await menu_row(ctx.community.id, row["menu_id"])
    if ctx.now >= menu["cutoff_at"]:
        raise Conflict(f"orders could be cancelled until {menu['cutoff_at'].isoformat()}")
    moved = (
        await OrderRow.update(
            {
                OrderRow.status: Status.CANCELLED,
                OrderRow.active_key: None,
                OrderRow.subsidy_status: SubsidyStatus.VOID,
                OrderRow.cancelled_at: ctx.now,
            }
        )
        .where(
            (OrderRow.id == row["id"])
            & (OrderRow.community_id == ctx.community.id)
            & (OrderRow.status == Status.PLACED)
        )
        .returning(OrderRow.id)
    )
    if not moved:
        raise Conflict(f"order {row['id']} changed meanwhile; try again")
    await MenuRow.update({MenuRow.ordered: MenuRow.ordered - 1}).where(
        (MenuRow.id == menu["id"])
        & (MenuRow.community_id == ctx.community.id)
        & (MenuRow.ordered > 0)
    )
    if row["hold_id"]:
        await ctx.host.payments.void(row["hold_id"])
    await ctx.host.events.publish("meal_cancelled", {"order": row["id"]})
    return order_view(await order_row(ctx.community.id, row["id"]), codes=True)
