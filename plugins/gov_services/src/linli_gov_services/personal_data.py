"""A member's appointments and staff entry: their copy (PIPL art. 45), their erasure (art. 47).

The module stores no ID number (it reads it from the host when needed), so neither holds one.
"""

from __future__ import annotations

from linli_sdk import Host, MemberErasure, MemberRecords, hookimpl

from .tables import AppointmentRow, StaffRow

__all__ = ["linli_member_data", "linli_member_erased"]

KEPT = (
    "Appointments stay, under 'erased member <id>', as the record behind the government "
    "subsidy each completed errand earned (subsidy and accounting rules require it); a staff "
    "entry stays, renamed the same way, for the appointments it handled."
)


def erased_name(member_id: int) -> str:
    """The name the platform gives an erased member."""
    return f"erased member {member_id}"


@hookimpl
async def linli_member_data(host: Host, member_id: int) -> list[MemberRecords]:
    """The member's appointments and, for station staff, their roster entry."""
    community = host.community.id
    appointments = await AppointmentRow.select().where(
        (AppointmentRow.community_id == community) & (AppointmentRow.resident_id == member_id)
    )
    staff = await StaffRow.select().where(
        (StaffRow.community_id == community) & (StaffRow.member_id == member_id)
    )
    return [
        MemberRecords.of(
            "appointments", "Your appointments at the community service station.", appointments
        ),
        MemberRecords.of("staff", "Your entry on the station's staff roster.", staff),
    ]


@hookimpl
async def linli_member_erased(host: Host, member_id: int) -> MemberErasure:
    """Replace the member's name on their appointments and staff entry."""
    community, name = host.community.id, erased_name(member_id)
    appointments = (
        await AppointmentRow.update({AppointmentRow.resident_name: name})
        .where(
            (AppointmentRow.community_id == community)
            & (AppointmentRow.resident_id == member_id)
            & (AppointmentRow.resident_name != name)
        )
        .returning(AppointmentRow.id)
    )
    staff = (
        await StaffRow.update({StaffRow.display_name: name})
        .where(
            (StaffRow.community_id == community)
            & (StaffRow.member_id == member_id)
            & (StaffRow.display_name != name)
        )
        .returning(StaffRow.id)
    )
    return MemberErasure(erased=len(appointments) + len(staff), kept=KEPT)
