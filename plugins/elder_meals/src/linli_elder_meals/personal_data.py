"""An elder's registration, family links and meals: their copy (PIPL art. 45), erasure (art. 47)."""

from __future__ import annotations

from linli_sdk import Host, MemberErasure, MemberRecords, hookimpl

from .rules import Status
from .tables import ElderRow, FamilyRow, OrderRow

__all__ = ["linli_member_data", "linli_member_erased"]

KEPT = (
    "Meal orders stay as the accounting records of what was paid and what the government "
    "subsidy paid (subsidy and accounting rules), without the unit, building or delivery "
    "code once delivered or cancelled; a meal still to be delivered keeps them until then "
    "(run the erasure again afterwards)."
)
SETTLED = (str(Status.DELIVERED), str(Status.CANCELLED))


@hookimpl
async def linli_member_data(host: Host, member_id: int) -> list[MemberRecords]:
    """The member's registration as an elder, their family links and meals."""
    community = host.community.id
    registration = await ElderRow.select().where(
        (ElderRow.community_id == community) & (ElderRow.member_id == member_id)
    )
    family = await FamilyRow.select().where(
        (FamilyRow.community_id == community)
        & ((FamilyRow.elder_id == member_id) | (FamilyRow.family_id == member_id))
    )
    meals = await OrderRow.select().where(
        (OrderRow.community_id == community)
        & ((OrderRow.diner_id == member_id) | (OrderRow.ordered_by == member_id))
    )
    return [
        MemberRecords.of(
            "registration",
            "Your registration for elderly meals: birth year, consent.",
            registration,
        ),
        MemberRecords.of(
            "family", "Family links: who may order for you, or for whom you may order.", family
        ),
        MemberRecords.of(
            "meals", "Meals ordered for you or by you: day, unit, price, subsidy, status.", meals
        ),
    ]


@hookimpl
async def linli_member_erased(host: Host, member_id: int) -> MemberErasure:
    """Delete the registration and family links; clear where settled meals went."""
    community = host.community.id
    registration = (
        await ElderRow.delete()
        .where((ElderRow.community_id == community) & (ElderRow.member_id == member_id))
        .returning(ElderRow.id)
    )
    family = (
        await FamilyRow.delete()
        .where(
            (FamilyRow.community_id == community)
            & ((FamilyRow.elder_id == member_id) | (FamilyRow.family_id == member_id))
        )
        .returning(FamilyRow.id)
    )
    meals = (
        await OrderRow.update(
            {OrderRow.unit: "", OrderRow.building: "", OrderRow.delivery_code: ""}
        )
        .where(
            (OrderRow.community_id == community)
            & (OrderRow.diner_id == member_id)
            & OrderRow.status.is_in(list(SETTLED))
            & ((OrderRow.unit != "") | (OrderRow.delivery_code != ""))
        )
        .returning(OrderRow.id)
    )
    return MemberErasure(erased=len(registration) + len(family) + len(meals), kept=KEPT)
