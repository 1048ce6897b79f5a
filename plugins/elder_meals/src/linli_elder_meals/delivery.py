"""Delivery: the day's doors for the rounds, the handover with the diner's code, and payment.

On the handover the orderer's share is charged (captured) and the government's subsidy is
charged to its payer, both split by the revenue-share rules with the delivering worker named;
the hold placed with the order is released once the share's capture is confirmed (or captured
for the kitchen if the gateway refuses the new charge). The last door of a round completes the
round's dispatch job, so the worker's on-time rate counts it.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import (
    CHARGE_CAPTURED,
    CHARGE_FAILED,
    Conflict,
    Event,
    Forbidden,
    Host,
    Money,
    Role,
    command,
    query,
)

from . import rules, subsidy
from .elders import Ctx
from .models import DayRef, DeliveryCode, DeliveryList, DeliveryStop, Order
from .orders import order_row, order_view
from .rules import Status
from .tables import MenuRow, OrderRow

__all__ = ["confirm_delivery", "delivery_list", "payment_settled"]

_PAID = "-paid"
"""The suffix of the order ref of the charge taking the orderer's share on delivery."""


@query(Role.PROVIDER_STAFF, Role.OPERATOR)
async def delivery_list(ctx: Ctx, data: DayRef) -> DeliveryList:
    """The day's doors by building and unit, for the delivery rounds: no names, no codes."""
    rows = (
        await OrderRow.select()
        .where(
            (OrderRow.community_id == ctx.community.id)
            & (OrderRow.day == data.day)
            & (OrderRow.status != Status.CANCELLED)
        )
        .order_by(OrderRow.building)
        .order_by(OrderRow.unit)
    )
    names = {
        r["id"]: r["name"]
        for r in await MenuRow.select(MenuRow.id, MenuRow.name).where(
            (MenuRow.community_id == ctx.community.id) & (MenuRow.day == data.day)
        )
    }
    return DeliveryList(
        day=data.day,
        items=[
            DeliveryStop(
                order_id=r["id"],
                building=r["building"],
                unit=r["unit"],
                menu_name=names.get(r["menu_id"], ""),
                status=r["status"],
                job_id=r["job_id"],
            )
            for r in rows
        ],
    )


async def _take_share(ctx: Ctx, row: dict[str, Any], worker: int) -> str | None:
    """Charge the orderer's share now that the worker is known; the charge id (if any)."""
    share = Money(amount=row["resident_amount"], currency=row["currency"])
    if share.amount <= 0:
        return None
    charge = await ctx.host.payments.charge(
        order_ref=f"meal-{row['id']}{_PAID}",
        amount=share,
        payer_id=row["ordered_by"],
        payees={"kitchen": row["kitchen_id"], "delivery": worker},
        capture=True,
    )
    return charge.id


@command(Role.PROVIDER_STAFF)
async def confirm_delivery(ctx: Ctx, data: DeliveryCode) -> Order:
    """The worker handed the meal over at the door, with the diner's code: it is paid.

    The orderer's share is charged and the subsidy charged to the government payer (or
    recorded until the operator names one), each split between the platform, the delivering
    worker (the caller) and the kitchen. The round's last door completes its dispatch job.
    """
    worker = ctx.caller.member_id
    assert worker is not None  # the role check admits members only
    row = await order_row(ctx.community.id, data.order_id)
    rules.require(row["status"], "deliver")
    if not rules.code_matches(data.code, row["delivery_code"]):
        raise Forbidden("the code does not match; ask the diner for it")
    moved = (
        await OrderRow.update(
            {
                OrderRow.status: Status.DELIVERED,
                OrderRow.worker_id: worker,
                OrderRow.delivered_at: ctx.now,
            }
        )
        .where(
            (OrderRow.id == row["id"])
            & (OrderRow.community_id == ctx.community.id)
            & (OrderRow.status == Status.DISPATCHED)
        )
        .returning(OrderRow.id)
    )
    if not moved:
        raise Conflict(f"order {row['id']} changed meanwhile; it cannot be delivered now")
    row = {**row, "worker_id": worker}
    charge_id = await _take_share(ctx, row, worker)
    status, subsidy_charge = await subsidy.charge_subsidy(ctx.host, ctx.settings, row)
    await OrderRow.update(
        {
            OrderRow.charge_id: charge_id,
            OrderRow.subsidy_status: status,
            OrderRow.subsidy_charge_id: subsidy_charge,
        }
    ).where((OrderRow.id == row["id"]) & (OrderRow.community_id == ctx.community.id))
    await _finish_round(ctx, row)
    await ctx.host.events.publish("meal_delivered", {"order": row["id"]})
    return order_view(await order_row(ctx.community.id, row["id"]), codes=False)


async def _finish_round(ctx: Ctx, row: dict[str, Any]) -> None:
    """Complete the order's delivery round with dispatch once its last door is confirmed.

    Only a round a worker accepted is completed (on time if by the delivery window's end);
    one nobody took stays as dispatch has it.
    """
    job_id = row["job_id"]
    if not job_id:
        return
    waiting = await OrderRow.count().where(
        (OrderRow.community_id == ctx.community.id)
        & (OrderRow.job_id == job_id)
        & (OrderRow.status == Status.DISPATCHED)
    )
    if not waiting and (await ctx.host.dispatch.get(job_id)).status == "accepted":
        await ctx.host.dispatch.complete(job_id, at=ctx.now)


def _paid_order(event: Event, module: str) -> int | None:
    """The order whose share charge ``event`` is about, or ``None``."""
    ref = str(event.payload.get("order_ref", ""))
    if event.payload.get("module") != module or not ref.endswith(_PAID):
        return None
    number = ref.removeprefix("meal-").removesuffix(_PAID)
    return int(number) if ref.startswith("meal-") and number.isdigit() else None


async def payment_settled(host: Host, event: Event) -> None:
    """Release an order's hold once its share is captured; keep it if the charge failed.

    A refused share charge leaves the kitchen the held share (the hold is captured, split by
    the deposit rules) rather than an unpaid meal.
    """
    if event.type not in (CHARGE_CAPTURED, CHARGE_FAILED):
        return
    order_id = _paid_order(event, host.module)
    if order_id is None:
        return
    row = await order_row(host.community.id, order_id)
    if not row["hold_id"]:
        return
    if event.type == CHARGE_CAPTURED:
        await host.payments.void(row["hold_id"])
        return
    try:
        await host.payments.capture(row["hold_id"])
    except Conflict:
        pass  # the hold expired or was released: nothing is left to keep
