"""Ration packs: the emergency's catalogue, and households ordering within their quota.

A quota is per household (户) and pack for the whole emergency. It is taken in one
conditional UPDATE (``taken + n <= quota``), so concurrent orders of one household never pass
it, on SQLite or PostgreSQL. There is no minimum threshold: an order in quota is served. A
pack with a price is charged at once and split by the declared rules (the platform's share
may be zero); a free pack (paid by the government or a donor) charges nothing.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import Conflict, Empty, InvalidInput, Money, NotFound, Role, command, query

from .households import emergency_in_force, household_of
from .models import Ctx, NewPack, OrderList, PackList, PackOrder, PackView, SupplyOrder
from .tables import AllowanceRow, HouseholdRow, OrderRow, PackRow

__all__ = ["OPERATIONS", "add_pack", "list_packs", "my_orders", "order_pack", "pack_row"]


async def pack_row(community: int, pack_id: int) -> dict[str, Any]:
    """One pack of this community; :class:`NotFound` otherwise."""
    row: dict[str, Any] | None = (
        await PackRow.select()
        .where((PackRow.id == pack_id) & (PackRow.community_id == community))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no pack {pack_id} here")
    return row


def _pack(row: dict[str, Any], left: int | None = None) -> PackView:
    return PackView(
        id=row["id"],
        emergency_id=row["emergency_id"],
        name=row["name"],
        contents=row["contents"],
        price=Money(amount=row["price"], currency=row["currency"]),
        quota=row["quota"],
        left_for_my_household=left,
    )


@command(Role.OPERATOR)
async def add_pack(ctx: Ctx, data: NewPack) -> PackView:
    """Add a ration pack to the catalogue of the emergency in force (operators).

    Raises:
        Conflict: No emergency is in force.
        InvalidInput: A priced pack without its supplier, or a supplier who is not provider staff.

    """
    emergency = await emergency_in_force(ctx.host)
    if data.price.amount > 0:
        supplier = None
        if data.supplier_id is not None:
            supplier = await ctx.host.members.get(data.supplier_id, purpose="pack supplier")
        if supplier is None or Role.PROVIDER_STAFF not in supplier.roles:
            raise InvalidInput(
                "a priced pack names its supplier (provider staff)", field="supplier_id"
            )
    row = PackRow(
        community_id=ctx.community.id,
        emergency_id=emergency.id,
        name=data.name,
        contents=data.contents,
        currency=data.price.currency,
        price=data.price.amount,
        quota=data.quota,
        supplier_id=data.supplier_id,
        created_at=ctx.now,
    )
    await row.save()
    return _pack(await pack_row(ctx.community.id, row.id))


async def _taken(community: int, household: int) -> dict[int, int]:
    rows = await AllowanceRow.select(AllowanceRow.pack_id, AllowanceRow.taken).where(
        (AllowanceRow.community_id == community) & (AllowanceRow.household_id == household)
    )
    return {row["pack_id"]: row["taken"] for row in rows}


@query(Role.MEMBER)
async def list_packs(ctx: Ctx, data: Empty) -> PackList:
    """The packs of the emergency in force, with what the caller's household may still order."""
    emergency = await ctx.host.emergency.current()
    if emergency is None:
        return PackList(emergency_id=None, items=[])
    community = ctx.community.id
    mine = await HouseholdRow.select(HouseholdRow.id).where(
        (HouseholdRow.community_id == community)
        & (HouseholdRow.member_id == (ctx.caller.member_id or 0))
    )
    taken = await _taken(community, mine[0]["id"]) if mine else None
    rows = await (
        PackRow.select()
        .where((PackRow.community_id == community) & (PackRow.emergency_id == emergency.id))
        .order_by(PackRow.id)
    )
    return PackList(
        emergency_id=emergency.id,
        items=[
            _pack(r, None if taken is None else r["quota"] - taken.get(r["id"], 0)) for r in rows
        ],
    )


async def _take_quota(community: int, pack: dict[str, Any], household: int, n: int) -> bool:
    """Take ``n`` of the household's quota of ``pack`` in one conditional UPDATE."""
    key = f"{community}:{pack['id']}:{household}"
    await AllowanceRow.insert(
        AllowanceRow(community_id=community, key=key, pack_id=pack["id"], household_id=household)
    ).on_conflict(target=AllowanceRow.key, action="DO NOTHING")
    taken = await AllowanceRow.raw(
        "UPDATE emergency_supply_allowance SET taken = taken + {} "
        "WHERE key = {} AND taken + {} <= {} RETURNING taken",
        n,
        key,
        n,
        pack["quota"],
    )
    return bool(taken)


@command(Role.RESIDENT)
async def order_pack(ctx: Ctx, data: PackOrder) -> SupplyOrder:
    """Order ration packs for the caller's household, within its quota.

    Raises:
        Conflict: No emergency in force (``no_emergency``), no household registered
            (``no_household``), the pack is of another emergency (``not_in_catalogue``), or the
            order passes the household's quota (``over_quota``, with ``left``).

    """
    community = ctx.community.id
    emergency = await emergency_in_force(ctx.host)
    household = await household_of(community, ctx.caller.member_id)
    pack = await pack_row(community, data.pack_id)
    if pack["emergency_id"] != emergency.id:
        raise Conflict(
            f"pack {data.pack_id} is not in this emergency's catalogue", reason="not_in_catalogue"
        )
    if not await _take_quota(community, pack, household["id"], data.quantity):
        left = pack["quota"] - (await _taken(community, household["id"])).get(pack["id"], 0)
        raise Conflict(
            f"at most {pack['quota']} of {pack['name']} per household; {left} left",
            reason="over_quota",
            left=left,
        )
    amount = Money(amount=pack["price"] * data.quantity, currency=pack["currency"])
    row = OrderRow(
        community_id=community,
        emergency_id=emergency.id,
        household_id=household["id"],
        building=household["building"],
        pack_id=pack["id"],
        quantity=data.quantity,
        currency=amount.currency,
        amount=amount.amount,
        status="ordered",
        created_at=ctx.now,
    )
    await row.save()
    if amount.amount > 0:
        charge = await ctx.host.payments.charge(
            order_ref=f"order-{row.id}",
            amount=amount,
            payer_id=household["member_id"],
            payees={"supplier": pack["supplier_id"]},
        )
        await OrderRow.update({OrderRow.charge_id: charge.id}).where(
            (OrderRow.id == row.id) & (OrderRow.community_id == community)
        )
    await ctx.host.events.publish(
        "pack_ordered", {"order_id": row.id, "pack_id": pack["id"], "quantity": data.quantity}
    )
    return (await orders_of(community, household["id"], row.id))[0]


async def orders_of(
    community: int, household: int, order_id: int | None = None
) -> list[SupplyOrder]:
    """A household's orders (or one of them), newest first."""
    where = (OrderRow.community_id == community) & (OrderRow.household_id == household)
    if order_id is not None:
        where &= OrderRow.id == order_id
    rows = await (
        OrderRow.select(
            *OrderRow.all_columns(), OrderRow.pack_id.join_on(PackRow.id).name.as_alias("pack")
        )
        .where(where)
        .order_by(OrderRow.id, ascending=False)
    )
    return [
        SupplyOrder(
            id=r["id"],
            pack_id=r["pack_id"],
            pack=r["pack"],
            quantity=r["quantity"],
            amount=Money(amount=r["amount"], currency=r["currency"]),
            charge_id=r["charge_id"] or None,
            status=r["status"],
            created_at=r["created_at"],
            delivered_at=r["delivered_at"],
        )
        for r in rows
    ]


@query(Role.MEMBER)
async def my_orders(ctx: Ctx, data: Empty) -> OrderList:
    """The caller's household's orders, newest first."""
    household = await household_of(ctx.community.id, ctx.caller.member_id)
    return OrderList(items=await orders_of(ctx.community.id, household["id"]))


OPERATIONS = (add_pack, list_packs, order_pack, my_orders)
"""The pack operations, in the order the manifest lists them."""
