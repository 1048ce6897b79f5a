"""Households: registering a unit, marking it vulnerable with separate consent, who may see that.

A household's vulnerability (an elder living alone, a disability) is sensitive personal
information (PIPL art. 28): it is recorded only with the resident's separate consent to
:data:`~.rules.CONSENT_TEXT`, kept only sealed by the platform's vault, never published in an
event or a command's answer, and opened only for the community's operator, the emergency's
appointed dispatcher and the household itself.
"""

from __future__ import annotations

import secrets
from typing import Any

from linli_sdk import (
    Conflict,
    Emergency,
    Empty,
    Forbidden,
    Host,
    InvalidInput,
    NotFound,
    Role,
    command,
    query,
)

from .models import (
    CareNeeds,
    ConsentRecorded,
    Ctx,
    DispatcherAppointment,
    HouseholdList,
    HouseholdOut,
    MyHousehold,
    NewHousehold,
)
from .rules import CONSENT_TEXT, PURPOSE, Sensitive, open_record, record
from .tables import DispatcherRow, HouseholdRow

__all__ = [
    "OPERATIONS",
    "appoint_dispatcher",
    "emergency_in_force",
    "household_of",
    "households",
    "may_see_vulnerability",
    "my_household",
    "register_household",
    "sensitive_of",
    "set_care_needs",
]


async def emergency_in_force(host: Host) -> Emergency:
    """The emergency in force here; :class:`Conflict` (``no_emergency``) when there is none."""
    emergency = await host.emergency.current()
    if emergency is None:
        raise Conflict("no emergency is in force in this community", reason="no_emergency")
    return emergency


async def household_of(community: int, member: int | None) -> dict[str, Any]:
    """The household the member registered; :class:`Conflict` (``no_household``) if none."""
    row: dict[str, Any] | None = (
        await HouseholdRow.select()
        .where((HouseholdRow.community_id == community) & (HouseholdRow.member_id == (member or 0)))
        .first()
    )
    if row is None:
        raise Conflict("register your household first", reason="no_household")
    return row


async def sensitive_of(host: Host, row: dict[str, Any]) -> Sensitive:
    """Open a household's sealed record (only for those who may see it)."""
    return open_record(await host.vault.open(row["sealed"], PURPOSE))


def _out(row: dict[str, Any]) -> HouseholdOut:
    return HouseholdOut(
        id=row["id"], building=row["building"], room=row["room"], delivery_code=row["delivery_code"]
    )


def _mine(row: dict[str, Any], sensitive: Sensitive) -> MyHousehold:
    return MyHousehold(**_out(row).model_dump(), **sensitive.model_dump())


@command(Role.RESIDENT)
async def register_household(ctx: Ctx, data: NewHousehold) -> HouseholdOut:
    """Register the caller's household (one unit, one resident registering it) for supplies.

    Registering again answers the same household. Where an operator granted the module the
    member scope ``members.unit``, only the unit on file for the caller is accepted, so a
    household cannot take a second quota under another unit.

    Raises:
        InvalidInput: The unit is not the one on file for the caller (with ``members.unit``).
        Conflict: The unit was registered by another resident, or the caller registered
            another unit.

    """
    member, community = ctx.caller.member_id, ctx.community.id
    building, room = data.building.strip(), data.room.strip()
    on_file = await ctx.host.members.get(member or 0, purpose="register household")
    if on_file is not None and on_file.unit is not None and on_file.unit != f"{building}-{room}":
        raise InvalidInput("that is not the unit on file for you in this community", field="room")
    key = f"{community}:{building}:{room}"
    existing = await HouseholdRow.select().where(HouseholdRow.key == key).first()
    if existing is not None:
        if existing["member_id"] != member:
            raise Conflict("this unit is registered already", reason="unit_registered")
        return _out(existing)
    if await HouseholdRow.exists().where(
        (HouseholdRow.community_id == community) & (HouseholdRow.member_id == (member or 0))
    ):
        raise Conflict("you registered another unit already", reason="household_registered")
    row = HouseholdRow(
        community_id=community,
        key=key,
        building=building,
        room=room,
        member_id=member,
        delivery_code=f"{secrets.randbelow(10**6):06d}",
        sealed=await ctx.host.vault.seal(record(Sensitive()), PURPOSE),
        created_at=ctx.now,
    )
    await row.save()
    return _out(await household_of(community, member))


@command(Role.RESIDENT)
async def set_care_needs(ctx: Ctx, data: CareNeeds) -> ConsentRecorded:
    """Mark the caller's household vulnerable (served first), or clear the mark.

    Marking needs the separate consent to :data:`~.rules.CONSENT_TEXT`; clearing withdraws it
    and the fact is gone. One operation for both, so not even a request's path tells which.

    Raises:
        InvalidInput: Marking without ``consent``, or with a ``consent_text`` that is not the
            module's (a consent must be to what the resident was shown).

    """
    row = await household_of(ctx.community.id, ctx.caller.member_id)
    sensitive = Sensitive()
    if data.vulnerability is not None:
        if not data.consent:
            raise InvalidInput("this needs the household's separate consent", field="consent")
        if data.consent_text.strip() != CONSENT_TEXT:
            raise InvalidInput("the consent text is not this module's", field="consent_text")
        sensitive = Sensitive(vulnerability=data.vulnerability, consented_at=ctx.now)
    await _reseal(ctx, row["id"], sensitive)
    return ConsentRecorded(household_id=row["id"], recorded_at=ctx.now)


async def _reseal(ctx: Ctx, household_id: int, sensitive: Sensitive) -> None:
    sealed = await ctx.host.vault.seal(record(sensitive), PURPOSE)
    await HouseholdRow.update({HouseholdRow.sealed: sealed}).where(
        (HouseholdRow.id == household_id) & (HouseholdRow.community_id == ctx.community.id)
    )


@query(Role.MEMBER)
async def my_household(ctx: Ctx, data: Empty) -> MyHousehold:
    """The caller's household, its delivery code and what it consented to."""
    row = await household_of(ctx.community.id, ctx.caller.member_id)
    return _mine(row, await sensitive_of(ctx.host, row))


async def may_see_vulnerability(ctx: Ctx, emergency: Emergency | None) -> bool:
    """Whether the caller is an operator here or the appointed dispatcher of ``emergency``."""
    if ctx.caller.has_role(Role.OPERATOR):
        return True
    if emergency is None or ctx.caller.member_id is None:
        return False
    key = f"{ctx.community.id}:{emergency.id}:{ctx.caller.member_id}"
    return bool(await DispatcherRow.exists().where(DispatcherRow.key == key))


@command(Role.OPERATOR)
async def appoint_dispatcher(ctx: Ctx, data: DispatcherAppointment) -> DispatcherAppointment:
    """Appoint a member to dispatch the deliveries of the emergency in force (调度员).

    The dispatcher sees which households are vulnerable, for this emergency only.
    """
    emergency = await emergency_in_force(ctx.host)
    if await ctx.host.members.get(data.member_id, purpose="appoint dispatcher") is None:
        raise NotFound(f"there is no member {data.member_id} here")
    key = f"{ctx.community.id}:{emergency.id}:{data.member_id}"
    await DispatcherRow.insert(
        DispatcherRow(
            community_id=ctx.community.id,
            key=key,
            emergency_id=emergency.id,
            member_id=data.member_id,
            appointed_at=ctx.now,
        )
    ).on_conflict(target=DispatcherRow.key, action="DO NOTHING")
    return data


@query(Role.MEMBER)
async def households(ctx: Ctx, data: Empty) -> HouseholdList:
    """Every registered household with its vulnerability (the operator and the dispatcher).

    Raises:
        Forbidden: Anyone else.

    """
    if not await may_see_vulnerability(ctx, await ctx.host.emergency.current()):
        raise Forbidden("only the operator and the emergency's dispatcher see households")
    rows = await (
        HouseholdRow.select()
        .where(HouseholdRow.community_id == ctx.community.id)
        .order_by(HouseholdRow.building)
        .order_by(HouseholdRow.room)
    )
    return HouseholdList(items=[_mine(row, await sensitive_of(ctx.host, row)) for row in rows])


OPERATIONS = (
    register_household,
    my_household,
    set_care_needs,
    appoint_dispatcher,
    households,
)
"""The household operations, in the order the manifest lists them."""
