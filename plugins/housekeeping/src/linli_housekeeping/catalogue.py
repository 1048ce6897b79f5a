"""The housekeeping catalogue: services admitted providers offer in a community."""

from __future__ import annotations

from typing import Any

from linli_sdk import Empty, Forbidden, InvalidInput, Money, Role, command, query

from .bookings import Ctx
from .models import NewService, Service, ServiceList, Unit
from .tables import ServiceRow

__all__ = ["add_service", "list_services"]


def _service(row: dict[str, Any]) -> Service:
    return Service(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        unit=row["unit"],
        price=Money(amount=row["price_amount"], currency=row["currency"]),
        minutes_per_unit=row["minutes_per_unit"],
        min_units=row["min_units"],
        max_units=row["max_units"],
        provider_id=row["provider_id"],
    )


@command(Role.PROVIDER_STAFF, Role.OPERATOR)
async def add_service(ctx: Ctx, data: NewService) -> Service:
    """Add a service to the community's catalogue (provider staff for their provider).

    Only an admitted provider (a member holding ``provider_staff`` here) whose credit is not
    suspended may offer services; an operator may list one on a provider's behalf.
    """
    provider_id = data.provider_id or ctx.caller.member_id
    if data.provider_id not in (None, ctx.caller.member_id) and not ctx.caller.has_role(
        Role.OPERATOR
    ):
        raise Forbidden("only an operator lists a service for another provider")
    provider = await ctx.host.members.get(provider_id) if provider_id is not None else None
    if provider is None or Role.PROVIDER_STAFF not in provider.roles:
        raise InvalidInput("the provider must be admitted here (hold provider_staff)")
    if (await ctx.host.credit.standing(provider.id)).suspended:
        raise Forbidden("the provider is suspended by community credit")
    if data.min_units > data.max_units or (data.unit is Unit.JOB and data.max_units != 1):
        raise InvalidInput("units: min_units ≤ max_units, and a per-visit service books one")
    row = ServiceRow(
        community_id=ctx.community.id,
        provider_id=provider.id,
        name=data.name,
        kind=data.kind,
        unit=data.unit,
        price_amount=data.price.amount,
        currency=data.price.currency,
        minutes_per_unit=data.minutes_per_unit,
        min_units=data.min_units,
        max_units=data.max_units,
        active=True,
        created_at=ctx.now,
    )
    await row.save()
    return _service(row.to_dict())


@query(Role.MEMBER)
async def list_services(ctx: Ctx, data: Empty) -> ServiceList:
    """The community's housekeeping catalogue."""
    rows = (
        await ServiceRow.select()
        .where((ServiceRow.community_id == ctx.community.id) & (ServiceRow.active == True))  # noqa: E712
        .order_by(ServiceRow.id)
    )
    return ServiceList(items=[_service(row) for row in rows])
