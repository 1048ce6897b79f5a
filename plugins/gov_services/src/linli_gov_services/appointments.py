"""Appointments at the community station: booking, assignment, the ID number view, completion.

The resident's ID number reaches only the staff member assigned to the appointment, through
:func:`appointment_identity`, which reads it from the host with a purpose the core records in
the identity audit log. The module stores no ID number and never logs or publishes one.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import (
    Conflict,
    Empty,
    Forbidden,
    InvalidInput,
    NotFound,
    Role,
    command,
    query,
)

from . import rules, subsidy
from .models import (
    Appointment,
    AppointmentIdentity,
    AppointmentList,
    AppointmentRef,
    Assignment,
    SlotRef,
)
from .rules import Status
from .station import Ctx, on_roster, one
from .tables import AppointmentRow, ServiceRow, SlotRow

__all__ = [
    "appointment_identity",
    "assign_appointment",
    "book_appointment",
    "cancel_appointment",
    "complete_appointment",
    "my_appointments",
    "station_appointments",
]


async def _appointments(ctx: Ctx, where: Any) -> AppointmentList:
    rows = await AppointmentRow.select().where(
        (AppointmentRow.community_id == ctx.community.id) & where
    )
    services = {
        r["id"]: r["name"]
        for r in await ServiceRow.select(ServiceRow.id, ServiceRow.name).where(
            ServiceRow.community_id == ctx.community.id
        )
    }
    slots = {
        r["id"]: r["starts_at"]
        for r in await SlotRow.select(SlotRow.id, SlotRow.starts_at).where(
            (SlotRow.community_id == ctx.community.id)
            & SlotRow.id.is_in([r["slot_id"] for r in rows] or [0])
        )
    }
    items = [
        Appointment(
            id=r["id"],
            service_id=r["service_id"],
            service_name=services.get(r["service_id"], ""),
            slot_id=r["slot_id"],
            starts_at=slots[r["slot_id"]],
            status=r["status"],
            resident_name=r["resident_name"],
            staff_id=r["staff_id"],
        )
        for r in rows
    ]
    return AppointmentList(items=sorted(items, key=lambda a: (a.starts_at, a.id)))


async def _appointment(ctx: Ctx, appointment_id: int) -> Appointment:
    listed = await _appointments(ctx, AppointmentRow.id == appointment_id)
    if not listed.items:
        raise NotFound(f"there is no appointment {appointment_id} in this community")
    return listed.items[0]


async def _require_station(ctx: Ctx) -> None:
    """Admit operators and staff on the station's roster."""
    if not ctx.caller.has_role(Role.OPERATOR) and not await on_roster(
        ctx.community.id, ctx.caller.member_id
    ):
        raise Forbidden("only the community station's staff may do this")


@command(Role.RESIDENT)
async def book_appointment(ctx: Ctx, data: SlotRef) -> Appointment:
    """Book a place in a slot; the real-name tier (an ID number on file, with consent) is needed.

    A place is taken by one conditional update, so a slot is never overbooked however many
    residents book at once.
    """
    member_id = ctx.caller.member_id
    assert member_id is not None  # the role check admits members only
    slot = await one(SlotRow, ctx.community.id, data.slot_id, "slot")
    if slot["starts_at"] <= ctx.now:
        raise Conflict("this slot has begun; pick a later one")
    me = await ctx.host.members.get(member_id, purpose="check the real-name tier to book")
    if me is None or not me.real_name:
        raise Forbidden(
            "government errands need the real-name tier: give your ID number (with consent) first"
        )
    if await AppointmentRow.exists().where(
        (AppointmentRow.community_id == ctx.community.id)
        & (AppointmentRow.slot_id == slot["id"])
        & (AppointmentRow.resident_id == member_id)
        & (AppointmentRow.status == Status.BOOKED)
    ):
        raise Conflict("you already have a place in this slot")
    taken = (
        await SlotRow.update({SlotRow.booked: SlotRow.booked + 1})
        .where(
            (SlotRow.id == slot["id"])
            & (SlotRow.community_id == ctx.community.id)
            & (SlotRow.booked < SlotRow.capacity)
        )
        .returning(SlotRow.id)
    )
    if not taken:
        raise Conflict("this slot is full; pick another")
    row = AppointmentRow(
        community_id=ctx.community.id,
        slot_id=slot["id"],
        service_id=slot["service_id"],
        resident_id=member_id,
        resident_name=me.display_name,
        status=Status.BOOKED,
        booked_at=ctx.now,
    )
    await row.save()
    await ctx.host.events.publish("appointment_booked", {"appointment": row.id})
    return await _appointment(ctx, int(row.id))


@query(Role.MEMBER)
async def my_appointments(ctx: Ctx, data: Empty) -> AppointmentList:
    """The caller's appointments, soonest first."""
    return await _appointments(ctx, AppointmentRow.resident_id == ctx.caller.member_id)


@command(Role.MEMBER)
async def cancel_appointment(ctx: Ctx, data: AppointmentRef) -> Appointment:
    """Cancel one's appointment (until ``cancel_until_minutes`` before); the place frees up."""
    row = await one(AppointmentRow, ctx.community.id, data.appointment_id, "appointment")
    if row["resident_id"] != ctx.caller.member_id:
        raise NotFound(f"you have no appointment {data.appointment_id}")
    rules.require(row["status"], "cancel")
    slot = await one(SlotRow, ctx.community.id, row["slot_id"], "slot")
    problem = rules.cancel_problem(
        slot["starts_at"], ctx.now, until_minutes=ctx.settings.cancel_until_minutes
    )
    if problem:
        raise Conflict(problem)
    await _move(ctx, row, "cancel", {AppointmentRow.cancelled_at: ctx.now}, Status.CANCELLED)
    await SlotRow.update({SlotRow.booked: SlotRow.booked - 1}).where(
        (SlotRow.id == slot["id"])
        & (SlotRow.community_id == ctx.community.id)
        & (SlotRow.booked > 0)
    )
    return await _appointment(ctx, row["id"])


async def _move(
    ctx: Ctx, row: dict[str, Any], action: str, values: dict[Any, Any], status: Status
) -> None:
    """Move an appointment on by ``action``, only if no concurrent call moved it first."""
    rules.require(row["status"], action)
    moved = (
        await AppointmentRow.update({**values, AppointmentRow.status: status})
        .where(
            (AppointmentRow.id == row["id"])
            & (AppointmentRow.community_id == ctx.community.id)
            & (AppointmentRow.status == row["status"])
        )
        .returning(AppointmentRow.id)
    )
    if not moved:
        raise Conflict(f"appointment {row['id']} changed meanwhile; cannot {action} it")


@query(Role.OPERATOR, Role.PROVIDER_STAFF)
async def station_appointments(ctx: Ctx, data: Empty) -> AppointmentList:
    """The station's booked appointments, soonest first (names only, never ID numbers)."""
    await _require_station(ctx)
    return await _appointments(ctx, AppointmentRow.status == Status.BOOKED)


@command(Role.OPERATOR, Role.PROVIDER_STAFF)
async def assign_appointment(ctx: Ctx, data: Assignment) -> Appointment:
    """Give an appointment to a staff member on the roster (staff may take one themselves)."""
    await _require_station(ctx)
    if not ctx.caller.has_role(Role.OPERATOR) and data.staff_id != ctx.caller.member_id:
        raise Forbidden("staff take appointments for themselves; an operator assigns others")
    if not await on_roster(ctx.community.id, data.staff_id):
        raise InvalidInput(f"member {data.staff_id} is not on the station's roster")
    row = await one(AppointmentRow, ctx.community.id, data.appointment_id, "appointment")
    await _move(ctx, row, "assign", {AppointmentRow.staff_id: data.staff_id}, Status.BOOKED)
    return await _appointment(ctx, row["id"])


async def _handled_by_caller(ctx: Ctx, appointment_id: int, action: str) -> dict[str, Any]:
    row = await one(AppointmentRow, ctx.community.id, appointment_id, "appointment")
    if row["staff_id"] is None or row["staff_id"] != ctx.caller.member_id:
        raise Forbidden("only the staff member handling this appointment may do this")
    if not await on_roster(ctx.community.id, ctx.caller.member_id):
        raise Forbidden("you are no longer on the station's roster")
    rules.require(row["status"], action)
    return row


@query(Role.PROVIDER_STAFF)
async def appointment_identity(ctx: Ctx, data: AppointmentRef) -> AppointmentIdentity:
    """The resident's ID number, for the staff member handling the appointment only.

    Every answer is a view the core records in the resident's identity audit log, with this
    appointment as its purpose. Anyone else — the resident, other staff, leaders, operators —
    is refused.
    """
    row = await _handled_by_caller(ctx, data.appointment_id, "see the ID number of")
    purpose = (
        f"gov_services appointment {row['id']}: identity check by station staff "
        f"member {ctx.caller.member_id}"
    )
    resident = await ctx.host.members.get(row["resident_id"], purpose=purpose)
    if resident is None or resident.national_id is None:
        raise Conflict(
            "the ID number is not available: the operator has not granted members.national_id "
            "to this module, or the resident withdrew consent"
        )
    return AppointmentIdentity(
        appointment_id=row["id"],
        resident_name=resident.display_name,
        national_id=resident.national_id,
    )


@command(Role.PROVIDER_STAFF)
async def complete_appointment(ctx: Ctx, data: AppointmentRef) -> Appointment:
    """The handling staff member finished the errand: the subsidy is claimed for the station.

    The claim is charged to the government payer at once when the operator has set the payer
    and the station's payee; otherwise it stays recorded for :func:`submit_subsidy_claims`.
    """
    row = await _handled_by_caller(ctx, data.appointment_id, "complete")
    await _move(ctx, row, "complete", {AppointmentRow.completed_at: ctx.now}, Status.COMPLETED)
    await subsidy.claim(ctx, row)
    await ctx.host.events.publish("appointment_completed", {"appointment": row["id"]})
    return await _appointment(ctx, row["id"])
