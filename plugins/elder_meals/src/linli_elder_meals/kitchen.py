"""The daily kitchen list, as JSON and as CSV.

What to cook (meals by menu, portions by dish) and where it goes (meals by building, one
delivery round each). No names, no units.
"""

from __future__ import annotations

from linli_sdk import Document, Role, csv_document, query

from . import rules
from .elders import Ctx
from .models import BuildingCount, DayRef, DishCount, KitchenList, MenuCount
from .rules import Status
from .tables import MenuRow, OrderRow

__all__ = ["kitchen_list", "kitchen_list_csv", "kitchen_list_rows"]


async def _kitchen_list(ctx: Ctx, data: DayRef) -> KitchenList:
    """The day's counts: a kitchen's own menus, or (operators) every kitchen's."""
    menu_where = (MenuRow.community_id == ctx.community.id) & (MenuRow.day == data.day)
    order_where = (
        (OrderRow.community_id == ctx.community.id)
        & (OrderRow.day == data.day)
        & (OrderRow.status != Status.CANCELLED)
    )
    if not ctx.caller.has_role(Role.OPERATOR):
        menu_where &= MenuRow.kitchen_id == ctx.caller.member_id
        order_where &= OrderRow.kitchen_id == ctx.caller.member_id
    menus = (
        await MenuRow.select(MenuRow.id, MenuRow.name, MenuRow.dishes)
        .where(menu_where)
        .order_by(MenuRow.id)
    )
    orders = await OrderRow.select(OrderRow.menu_id, OrderRow.building).where(order_where)
    names = {m["id"]: m["name"] for m in menus}
    counts = rules.tally(
        ((o["menu_id"], o["building"]) for o in orders),
        {m["id"]: m["dishes"].split("\n") for m in menus},
    )
    return KitchenList(
        day=data.day,
        meals=counts.meals,
        menus=[
            MenuCount(menu_id=m["id"], name=m["name"], count=counts.menus[m["id"]]) for m in menus
        ],
        dishes=[DishCount(dish=dish, count=count) for dish, count in sorted(counts.dishes.items())],
        buildings=[
            BuildingCount(
                building=building,
                count=sum(by_menu.values()),
                menus={names.get(menu, str(menu)): n for menu, n in sorted(by_menu.items())},
            )
            for building, by_menu in sorted(counts.buildings.items())
        ],
    )


@query(Role.PROVIDER_STAFF, Role.OPERATOR)
async def kitchen_list(ctx: Ctx, data: DayRef) -> KitchenList:
    """The day's kitchen list: meals by menu, portions by dish, meals by building.

    A kitchen sees its own menus; an operator sees every kitchen's.
    """
    return await _kitchen_list(ctx, data)


def kitchen_list_rows(day_list: KitchenList) -> list[list[object]]:
    """The kitchen list as table rows (the header first): one row per count."""
    rows: list[list[object]] = [["day", "section", "building", "item", "count"]]
    day = day_list.day.isoformat()
    rows += [[day, "menu", "", m.name, m.count] for m in day_list.menus]
    rows += [[day, "dish", "", d.dish, d.count] for d in day_list.dishes]
    for b in day_list.buildings:
        rows += [[day, "building", b.building, name, n] for name, n in b.menus.items()]
    rows.append([day, "total", "", "meals", day_list.meals])
    return rows


@query(Role.PROVIDER_STAFF, Role.OPERATOR)
async def kitchen_list_csv(ctx: Ctx, data: DayRef) -> Document:
    """The day's kitchen list as CSV (spreadsheet-safe, with a BOM for Chinese)."""
    day_list = await _kitchen_list(ctx, data)
    return csv_document(
        kitchen_list_rows(day_list), filename=f"kitchen-list-{data.day.isoformat()}.csv"
    )
