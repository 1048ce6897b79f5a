"""Elders: registration with consent, family, eligibility, and leaving the programme.

An elder registers with consent (or an operator registers them in person), names the family
who may order for them, is found eligible for the subsidy by age or by the operator, and may
leave at any time (the registration is erased).
"""

from __future__ import annotations

from typing import Any

from linli_sdk import (
    Conflict,
    Context,
    Empty,
    Forbidden,
    InvalidInput,
    NotFound,
    Role,
    command,
    query,
)

from . import rules
from .models import (
    Elder,
    ElderList,
    ElderMealsSettings,
    ElderRef,
    Eligibility,
    FamilyLink,
    NewElder,
)
from .tables import ElderRow, FamilyRow, OrderRow

__all__ = [
    "Ctx",
    "add_family",
    "elder_row",
    "elders",
    "is_family",
    "leave_programme",
    "my_elders",
    "register_elder",
    "set_eligibility",
]

Ctx = Context[ElderMealsSettings]
"""The context of an elder meals operation."""


async def elder_row(community_id: int, member_id: int) -> dict[str, Any] | None:
    """The registration of ``member_id`` in the community, or ``None``."""
    row: dict[str, Any] | None = (
        await ElderRow.select()
        .where((ElderRow.community_id == community_id) & (ElderRow.member_id == member_id))
        .first()
    )
    return row


async def is_family(community_id: int, elder_id: int, member_id: int) -> bool:
    """Whether the elder named ``member_id`` family (who may order for them)."""
    return bool(
        await FamilyRow.exists().where(
            (FamilyRow.community_id == community_id)
            & (FamilyRow.elder_id == elder_id)
            & (FamilyRow.family_id == member_id)
        )
    )


async def _view(ctx: Ctx, row: dict[str, Any]) -> Elder:
    family = await FamilyRow.select(FamilyRow.family_id).where(
        (FamilyRow.community_id == ctx.community.id) & (FamilyRow.elder_id == row["member_id"])
    )
    return Elder(
        member_id=row["member_id"],
        birth_year=row["birth_year"],
        eligible=rules.is_eligible(
            row["eligible_flag"], row["birth_year"], ctx.today, min_age=ctx.settings.min_age
        ),
        eligible_flag=row["eligible_flag"],
        family=sorted(f["family_id"] for f in family),
        consent_at=row["consent_at"],
    )


def _target(ctx: Ctx, member_id: int | None) -> int:
    """The elder a call is about: the caller, or (operators only) the member named."""
    if member_id is None or member_id == ctx.caller.member_id:
        assert ctx.caller.member_id is not None  # the role check admits members only
        return ctx.caller.member_id
    if not ctx.caller.has_role(Role.OPERATOR):
        raise Forbidden("only an operator acts for another elder")
    return member_id


async def _registered(ctx: Ctx, member_id: int) -> dict[str, Any]:
    row = await elder_row(ctx.community.id, member_id)
    if row is None:
        raise NotFound(f"member {member_id} is not registered for elderly meals")
    return row


@command(Role.RESIDENT, Role.OPERATOR)
async def register_elder(ctx: Ctx, data: NewElder) -> Elder:
    """Register for elderly meals, with consent (an operator may register an elder in person).

    Only the birth year is kept; the elder's unit is read when a meal is ordered, for its
    delivery. Registering again changes the birth year.
    """
    member_id = _target(ctx, data.member_id)
    if data.birth_year > ctx.today.year:
        raise InvalidInput("the birth year is in the future", field="birth_year")
    member = await ctx.host.members.get(member_id, purpose="register for elderly meals")
    if member is None or not member.verified:
        raise InvalidInput(f"member {member_id} is not a verified resident", field="member_id")
    if await elder_row(ctx.community.id, member_id) is None:
        await ElderRow.insert(
            ElderRow(
                community_id=ctx.community.id,
                member_id=member_id,
                elder_key=f"{ctx.community.id}:{member_id}",
                birth_year=data.birth_year,
                eligible_flag=None,
                consent_at=ctx.now,
                registered_by=ctx.caller.member_id,
            )
        )
    else:
        await ElderRow.update(
            {ElderRow.birth_year: data.birth_year, ElderRow.consent_at: ctx.now}
        ).where((ElderRow.community_id == ctx.community.id) & (ElderRow.member_id == member_id))
    return await _view(ctx, await _registered(ctx, member_id))


@command(Role.RESIDENT, Role.OPERATOR)
async def add_family(ctx: Ctx, data: FamilyLink) -> Elder:
    """Name a family member who may order meals for the elder and pays the elder's share."""
    elder_id = _target(ctx, data.elder_id)
    row = await _registered(ctx, elder_id)
    if data.family_member_id == elder_id:
        raise InvalidInput("an elder orders for themselves without naming family")
    family = await ctx.host.members.get(data.family_member_id, purpose="name family for meals")
    if family is None or not family.verified:
        raise InvalidInput(
            f"member {data.family_member_id} is not a verified resident of this community",
            field="family_member_id",
        )
    if not await is_family(ctx.community.id, elder_id, data.family_member_id):
        await FamilyRow.insert(
            FamilyRow(
                community_id=ctx.community.id,
                elder_id=elder_id,
                family_id=data.family_member_id,
                link_key=f"{ctx.community.id}:{elder_id}:{data.family_member_id}",
                added_at=ctx.now,
            )
        )
    return await _view(ctx, row)


@command(Role.OPERATOR)
async def set_eligibility(ctx: Ctx, data: Eligibility) -> Elder:
    """Decide an elder's subsidy (after checking at the station); ``None``: by the age rule."""
    await _registered(ctx, data.member_id)
    await ElderRow.update({ElderRow.eligible_flag: data.eligible}).where(
        (ElderRow.community_id == ctx.community.id) & (ElderRow.member_id == data.member_id)
    )
    return await _view(ctx, await _registered(ctx, data.member_id))


@query(Role.OPERATOR, Role.AUDITOR)
async def elders(ctx: Ctx, data: Empty) -> ElderList:
    """The registered elders (member ids and birth years only), oldest registration first."""
    rows = (
        await ElderRow.select()
        .where(ElderRow.community_id == ctx.community.id)
        .order_by(ElderRow.id)
    )
    return ElderList(items=[await _view(ctx, row) for row in rows])


@query(Role.MEMBER)
async def my_elders(ctx: Ctx, data: Empty) -> ElderList:
    """The elders the caller may order for: themselves if registered, and who named them."""
    member_id = ctx.caller.member_id
    linked = await FamilyRow.select(FamilyRow.elder_id).where(
        (FamilyRow.community_id == ctx.community.id) & (FamilyRow.family_id == member_id)
    )
    ids = [member_id, *(row["elder_id"] for row in linked)]
    rows = (
        await ElderRow.select()
        .where((ElderRow.community_id == ctx.community.id) & ElderRow.member_id.is_in(ids))
        .order_by(ElderRow.id)
    )
    return ElderList(items=[await _view(ctx, row) for row in rows])


@command(Role.MEMBER, Role.OPERATOR)
async def leave_programme(ctx: Ctx, data: ElderRef) -> Empty:
    """Withdraw consent: the registration and its family links are erased.

    Meals already ordered stay (the ledger needs them); new ones are no longer subsidised and
    family can no longer order for the elder.
    """
    elder_id = _target(ctx, data.member_id)
    await _registered(ctx, elder_id)
    if await _has_open_orders(ctx, elder_id):
        raise Conflict("cancel the elder's open orders first, or wait until they are delivered")
    where_family = (FamilyRow.community_id == ctx.community.id) & (FamilyRow.elder_id == elder_id)
    await FamilyRow.delete().where(where_family)
    await ElderRow.delete().where(
        (ElderRow.community_id == ctx.community.id) & (ElderRow.member_id == elder_id)
    )
    await ctx.host.events.publish("elder_left", {"member": elder_id})
    return Empty()


async def _has_open_orders(ctx: Ctx, elder_id: int) -> bool:
    return bool(
        await OrderRow.exists().where(
            (OrderRow.community_id == ctx.community.id)
            & (OrderRow.diner_id == elder_id)
            & OrderRow.status.is_in([rules.Status.PLACED, rules.Status.DISPATCHED])
        )
    )
