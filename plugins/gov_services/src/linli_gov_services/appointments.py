"""Gov services operations: the station's errands and slots, appointments, the ID number view.

The resident's ID number reaches only the staff member assigned to the appointment, through
:func:`appointment_identity`, which reads it from the host with a purpose the core records in
the identity audit log. The module stores no ID number and never logs or publishes one.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import (
    Conflict,
    Context,
    Empty,
    Forbidden,
    Host,
    InvalidInput,
    Money,
    NotFound,
    Role,
    command,
    query,
)

from . import rules
from .models import (
    Appointment,
    AppointmentIdentity,
    AppointmentList,
    AppointmentRef,
    Assignment,
    GovServicesSettings,
    NewService,
    NewSlots,
    Service,
    ServiceList,
    ServiceRef,
    Slot,
    SlotList,
    SlotRef,
    Staff,
    StaffList,
    StaffMember,
    SubsidyClaim,
    SubsidyClaimList,
)
from .rules import Status
from .tables import AppointmentRow, ServiceRow, SlotRow, StaffRow, SubsidyClaimRow

__all__ = ["OPERATIONS", "charge_subsidy"]

Ctx = Context[GovServicesSettings]


def _service(row: dict[str, Any]) -> Service:
    return Service(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        minutes=row["minutes"],
        subsidy=Money(amount=row["subsidy_amount"], currency=row["currency"]),
    )


async def _one(table: Any, community_id: int, row_id: int, what: str) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await table.select()
        .where((table.id == row_id) & (table.community_id == community_id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no {what} {row_id} in this community")
    return row


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


async def _on_roster(community_id: int, member_id: int | None) -> bool:
    return bool(
        await StaffRow.exists().where(
            (StaffRow.community_id == community_id)
            & (StaffRow.member_id == member_id)
            & (StaffRow.active == True)  # noqa: E712
        )
    )


async def _require_station(ctx: Ctx) -> None:
    """Admit operators and staff on the station's roster."""
    if not ctx.caller.has_role(Role.OPERATOR) and not await _on_roster(
        ctx.community.id, ctx.caller.member_id
    ):
        raise Forbidden("only the community station's staff may do this")


@command(Role.OPERATOR)
async def add_service(ctx: Ctx, data: NewService) -> Service:
    """Offer an errand at the community station, with the government's subsidy for it."""
    if data.subsidy.is_negative:
        raise InvalidInput("a subsidy cannot be negative", field="subsidy")
    row = ServiceRow(
        community_id=ctx.community.id,
        name=data.name,
        kind=data.kind,
        minutes=data.minutes,
        subsidy_amount=data.subsidy.amount,
        currency=data.subsidy.currency,
        active=True,
        created_at=ctx.now,
    )
    await row.save()
    return _service(row.to_dict())


@query(Role.MEMBER)
async def list_services(ctx: Ctx, data: Empty) -> ServiceList:
    """The errands the community station handles."""
    rows = (
        await ServiceRow.select()
        .where((ServiceRow.community_id == ctx.community.id) & (ServiceRow.active == True))  # noqa: E712
        .order_by(ServiceRow.id)
    )
    return ServiceList(items=[_service(r) for r in rows])


def _slot(row: dict[str, Any]) -> Slot:
    return Slot(
        id=row["id"],
        service_id=row["service_id"],
        starts_at=row["starts_at"],
        capacity=row["capacity"],
        left=row["capacity"] - row["booked"],
    )


@command(Role.OPERATOR)
async def add_slots(ctx: Ctx, data: NewSlots) -> SlotList:
    """Open bookable times for an errand, each with room for ``capacity`` residents."""
    await _one(ServiceRow, ctx.community.id, data.service_id, "service")
    if any(start.tzinfo is None or start <= ctx.now for start in data.starts):
        raise InvalidInput("slots start in the future, with a time zone", field="starts")
    rows = [
        SlotRow(
            community_id=ctx.community.id,
            service_id=data.service_id,
            starts_at=start,
            capacity=data.capacity,
            booked=0,
        )
        for start in sorted(set(data.starts))
    ]
    await SlotRow.insert(*rows)
    return SlotList(items=[_slot(row.to_dict()) for row in rows])


@query(Role.MEMBER)
async def list_slots(ctx: Ctx, data: ServiceRef) -> SlotList:
    """The errand's coming slots with places left, soonest first."""
    rows = (
        await SlotRow.select()
        .where(
            (SlotRow.community_id == ctx.community.id)
            & (SlotRow.service_id == data.service_id)
            & (SlotRow.starts_at > ctx.now)
        )
        .order_by(SlotRow.starts_at)
    )
    return SlotList(items=[_slot(r) for r in rows if r["booked"] < r["capacity"]])


@command(Role.OPERATOR)
async def add_staff(ctx: Ctx, data: StaffMember) -> Staff:
    """Put a member on the community station's roster.

    Staff operations also need the ``provider_staff`` role. The module does not look the
    member up: a look-up would unseal their ID number (the module holds that scope).
    """
    if await _on_roster(ctx.community.id, data.member_id):
        raise Conflict(f"member {data.member_id} is on the roster already")
    await StaffRow.insert(
        StaffRow(
            community_id=ctx.community.id,
            member_id=data.member_id,
            display_name=data.display_name,
            active=True,
            added_at=ctx.now,
        )
    )
    return Staff(member_id=data.member_id, display_name=data.display_name, active=True)


@query(Role.OPERATOR, Role.PROVIDER_STAFF)
async def list_staff(ctx: Ctx, data: Empty) -> StaffList:
    """The community station's roster."""
    rows = await StaffRow.select().where(StaffRow.community_id == ctx.community.id)
    return StaffList(
        items=[
            Staff(member_id=r["member_id"], display_name=r["display_name"], active=r["active"])
            for r in rows
        ]
    )


@command(Role.RESIDENT)
async def book_appointment(ctx: Ctx, data: SlotRef) -> Appointment:
    """Book a place in a slot; the real-name tier (an ID number on file, with consent) is needed.

    A place is taken by one conditional update, so a slot is never overbooked however many
    residents book at once.
    """
    member_id = ctx.caller.member_id
    assert member_id is not None  # the role check admits members only
    slot = await _one(SlotRow, ctx.community.id, data.slot_id, "slot")
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
    row = await _one(AppointmentRow, ctx.community.id, data.appointment_id, "appointment")
    if row["resident_id"] != ctx.caller.member_id:
        raise NotFound(f"you have no appointment {data.appointment_id}")
    rules.require(row["status"], "cancel")
    slot = await _one(SlotRow, ctx.community.id, row["slot_id"], "slot")
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
    if not await _on_roster(ctx.community.id, data.staff_id):
        raise InvalidInput(f"member {data.staff_id} is not on the station's roster")
    row = await _one(AppointmentRow, ctx.community.id, data.appointment_id, "appointment")
    await _move(ctx, row, "assign", {AppointmentRow.staff_id: data.staff_id}, Status.BOOKED)
    return await _appointment(ctx, row["id"])


async def _handled_by_caller(ctx: Ctx, appointment_id: int, action: str) -> dict[str, Any]:
    row = await _one(AppointmentRow, ctx.community.id, appointment_id, "appointment")
    if row["staff_id"] is None or row["staff_id"] != ctx.caller.member_id:
        raise Forbidden("only the staff member handling this appointment may do this")
    if not await _on_roster(ctx.community.id, ctx.caller.member_id):
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


async def charge_subsidy(
    host: Host, settings: GovServicesSettings, claim: dict[str, Any]
) -> str | None:
    """Charge a recorded subsidy claim to the government payer, split by the declared rules.

    Returns the charge id, or ``None`` while the payer or the station is not set (the claim
    stays recorded). Idempotent: the charge's order ref is the appointment's.
    """
    payer, station = settings.subsidy_payer_id, settings.station_payee_id
    if not rules.subsidy_payable(payer, station) or claim["amount"] <= 0:
        return None
    assert payer is not None and station is not None
    charge = await host.payments.charge(
        order_ref=f"subsidy-appointment-{claim['appointment_id']}",
        amount=Money(amount=claim["amount"], currency=claim["currency"]),
        payer_id=payer,
        payees={"station": station},
        capture=True,
    )
    return charge.id


@command(Role.PROVIDER_STAFF)
async def complete_appointment(ctx: Ctx, data: AppointmentRef) -> Appointment:
    """The handling staff member finished the errand: the subsidy is claimed for the station.

    The claim is charged to the government payer at once when the operator has set the payer
    and the station's payee; otherwise it stays recorded for :func:`submit_subsidy_claims`.
    """
    row = await _handled_by_caller(ctx, data.appointment_id, "complete")
    await _move(ctx, row, "complete", {AppointmentRow.completed_at: ctx.now}, Status.COMPLETED)
    service = await _one(ServiceRow, ctx.community.id, row["service_id"], "service")
    claim = {
        "appointment_id": row["id"],
        "amount": service["subsidy_amount"],
        "currency": service["currency"],
    }
    charge_id = await charge_subsidy(ctx.host, ctx.settings, claim)
    await SubsidyClaimRow.insert(
        SubsidyClaimRow(
            community_id=ctx.community.id,
            appointment_id=row["id"],
            claim_key=f"{ctx.community.id}:{row['id']}",
            amount=service["subsidy_amount"],
            currency=service["currency"],
            status=rules.claim_status(service["subsidy_amount"], charge_id),
            charge_id=charge_id,
            created_at=ctx.now,
            charged_at=ctx.now if charge_id else None,
        )
    )
    await ctx.host.events.publish("appointment_completed", {"appointment": row["id"]})
    return await _appointment(ctx, row["id"])


async def _claims(community_id: int) -> SubsidyClaimList:
    rows = (
        await SubsidyClaimRow.select()
        .where(SubsidyClaimRow.community_id == community_id)
        .order_by(SubsidyClaimRow.id)
    )
    return SubsidyClaimList(
        items=[
            SubsidyClaim(
                appointment_id=r["appointment_id"],
                amount=Money(amount=r["amount"], currency=r["currency"]),
                status=r["status"],
                charge_id=r["charge_id"],
            )
            for r in rows
        ]
    )


@command(Role.OPERATOR)
async def submit_subsidy_claims(ctx: Ctx, data: Empty) -> SubsidyClaimList:
    """Charge every recorded subsidy claim to the government payer (once both are set)."""
    if not rules.subsidy_payable(ctx.settings.subsidy_payer_id, ctx.settings.station_payee_id):
        raise Conflict("set subsidy_payer_id and station_payee_id in the module's settings first")
    rows = await SubsidyClaimRow.select().where(
        (SubsidyClaimRow.community_id == ctx.community.id)
        & (SubsidyClaimRow.status == rules.ClaimStatus.RECORDED)
    )
    for row in rows:
        charge_id = await charge_subsidy(ctx.host, ctx.settings, row)
        await SubsidyClaimRow.update(
            {
                SubsidyClaimRow.status: rules.claim_status(row["amount"], charge_id),
                SubsidyClaimRow.charge_id: charge_id,
                SubsidyClaimRow.charged_at: ctx.now,
            }
        ).where(
            (SubsidyClaimRow.id == row["id"]) & (SubsidyClaimRow.community_id == ctx.community.id)
        )
    return await _claims(ctx.community.id)


@query(Role.OPERATOR, Role.AUDITOR)
async def subsidy_claims(ctx: Ctx, data: Empty) -> SubsidyClaimList:
    """The station's subsidy claims, oldest first."""
    return await _claims(ctx.community.id)


OPERATIONS = (
    add_service,
    list_services,
    add_slots,
    list_slots,
    add_staff,
    list_staff,
    book_appointment,
    my_appointments,
    cancel_appointment,
    station_appointments,
    assign_appointment,
    appointment_identity,
    complete_appointment,
    submit_subsidy_claims,
    subsidy_claims,
)
"""Every operation of the module, in the order the API reference lists them."""
