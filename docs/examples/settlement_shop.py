"""A plugin that charges through the host: a tiny group-buy shop (团购小店).

The plugin never moves money: it asks ``ctx.host.payments`` to charge, capture, void and refund,
and the settlement core splits every charge by the rules the manifest declares. Run this file to
see it on a real platform (a temporary SQLite file, the sandbox gateway).
"""

from __future__ import annotations

from linli_sdk import (
    Charge,
    Context,
    Manifest,
    Money,
    Refund,
    RevenueShareRules,
    Role,
    command,
    fixed,
    percent,
    remainder,
)
from pydantic import BaseModel, Field


def cny(fen: int) -> Money:
    return Money(amount=fen, currency="CNY")


class Buy(BaseModel):
    """One order: what it costs and who is paid a share of it."""

    order_ref: str = Field(min_length=1, max_length=100)
    amount: Money
    leader_id: int
    pickup_host_id: int
    supplier_id: int
    capture: bool = Field(default=True, description="False: authorise until the group forms.")


class ChargeRef(BaseModel):
    """A charge, by id."""

    charge_id: str


class Compensate(BaseModel):
    """An after-sale compensation: a partial refund, idempotent by ``ref``."""

    charge_id: str
    amount: Money
    ref: str
    reason: str = "after-sale compensation"


@command(Role.RESIDENT)
async def buy(ctx: Context[BaseModel], data: Buy) -> Charge:
    """Pay for an order; the same order_ref returns the first charge."""
    assert ctx.caller.member_id is not None
    return await ctx.host.payments.charge(
        order_ref=data.order_ref,
        amount=data.amount,
        payer_id=ctx.caller.member_id,
        payees={
            "leader": data.leader_id,
            "pickup_host": data.pickup_host_id,
            "supplier": data.supplier_id,
        },
        capture=data.capture,
    )


@command(Role.LEADER)
async def capture(ctx: Context[BaseModel], data: ChargeRef) -> Charge:
    """The group formed: take the authorised money."""
    return await ctx.host.payments.capture(data.charge_id)


@command(Role.LEADER)
async def void(ctx: Context[BaseModel], data: ChargeRef) -> Charge:
    """The group did not form: release the authorisation."""
    return await ctx.host.payments.void(data.charge_id)


@command(Role.LEADER)
async def compensate(ctx: Context[BaseModel], data: Compensate) -> Refund:
    """Compensate a damaged item: a partial refund, split back pro rata."""
    return await ctx.host.payments.refund(
        data.charge_id, data.amount, reason=data.reason, ref=data.ref
    )


manifest = Manifest(
    name="shop",
    version="0.1.0",
    sdk=">=1.0,<2",
    title="Group-buy shop (团购小店)",
    operations=(buy, capture, void, compensate),
    revenue_share=RevenueShareRules(
        shares=(
            percent("platform", 500, min=0, max=1000),
            percent("leader", 1000, min=500, max=1500),
            fixed("pickup_host", cny(50), min=cny(0), max=cny(200)),
            percent("community_fund", 100),
            remainder("supplier"),
        ),
        gateway_fee_bearer="supplier",
    ),
)


async def _demo() -> None:  # pragma: no cover - run as a script by the docs tests
    """Run the shop on a throwaway platform and show one order's money."""
    import tempfile
    from importlib.metadata import EntryPoint

    import httpx
    from linli.http.app import create_app
    from linli.identity.members import add_member, create_community
    from linli.modules.enablement import set_module
    from linli.modules.registry import load_modules
    from linli.platform import Platform
    from linli.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/shop.db")
        shop = EntryPoint(name="shop", value="settlement_shop", group="linli.plugins")
        registry = load_modules(settings, points=[shop])
        platform = Platform.from_settings(settings, registry=registry)
        app = create_app(platform=platform)
        await platform.start(migrate_first=True)
        home = await create_community("home", "Home Garden")
        leader = await add_member(home, "Lead", Role.LEADER, Role.RESIDENT)
        resident = await add_member(home, "Res", Role.RESIDENT)
        await set_module(platform, home, "shop", enabled=True)
        url = "http://linli.test/v1/communities/home/modules/shop"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
            order = {
                "order_ref": "order-1",
                "amount": {"amount": 10_000, "currency": "CNY"},
                "leader_id": leader.id,
                "pickup_host_id": leader.id,
                "supplier_id": resident.id,
            }
            bought = await http.post(
                f"{url}/buy",
                json=order,
                headers={"Authorization": f"Bearer {resident.token}", "Idempotency-Key": "o1"},
            )
            charge_id = bought.json()["id"]
            await platform.settlement.idle()  # the gateway is called after the operation commits
            refunded = await http.post(
                f"{url}/compensate",
                json={"charge_id": charge_id, "amount": cny(1_000).model_dump(), "ref": "c1"},
                headers={"Authorization": f"Bearer {leader.token}"},
            )
            await platform.settlement.idle()
        charge = await platform.settlement.get(home, int(charge_id.removeprefix("ch_")))
        await platform.stop()
    assert refunded.json()["parts"]["leader"] == {"amount": 100, "currency": "CNY"}
    assert charge.status == "captured" and charge.refunded == cny(1_000)
    assert charge.parts["supplier"] == cny(8350 - 835)  # its split part less its refund share
    print(charge.model_dump_json(indent=2))


if __name__ == "__main__":
    import asyncio

    asyncio.run(_demo())
