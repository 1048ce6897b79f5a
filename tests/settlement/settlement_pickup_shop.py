"""A test module whose shares are held until the pickup is verified (核销): ``pickup``.

The shop of docs/examples/settlement_shop.py with ``PayoutHold(until_released=True)`` and one
more command, ``verify-pickup``, that releases the charge through ``ctx.host.payments``.
"""

from __future__ import annotations

from linli_sdk import Charge, Context, PayoutHold, Role, command
from pydantic import BaseModel
from settlement_shop import ChargeRef
from settlement_shop import manifest as shop


@command(Role.LEADER)
async def verify_pickup(ctx: Context[BaseModel], data: ChargeRef) -> Charge:
    """The resident collected the order at the pickup point: release its shares for payout."""
    return await ctx.host.payments.release(data.charge_id)


manifest = shop.model_copy(
    update={
        "name": "pickup",
        "title": "Pickup-verified shop",
        "operations": (*shop.operations, verify_pickup),
        "payout_hold": PayoutHold(until_released=True),
    }
)
