"""A plugin that asks for members' ID numbers, tested with granted scopes in the kit.

A government-services station (政务服务站) checks a resident's ID number before an appointment.
The manifest declares ``members.national_id``; on the platform an operator grants it per
community, in the kit the test does (``granted_scopes=`` or ``kit.grant``). Without the grant
the host's member lookup leaves ``national_id`` empty.
"""

from __future__ import annotations

from types import SimpleNamespace

from linli_sdk import Context, Empty, Manifest, NotFound, Role, query
from pydantic import BaseModel


class CheckIn(BaseModel):
    """The resident at the counter, and the appointment they came for."""

    member_id: int
    appointment: str


class Identity(BaseModel):
    """What the station staff member sees."""

    name: str
    id_number: str | None
    real_name: bool


@query(Role.OPERATOR, name="check-in")
async def check_in(ctx: Context[Empty], data: CheckIn) -> Identity:
    """Show the resident's ID number to station staff (recorded in the audit log)."""
    member = await ctx.host.members.get(
        data.member_id, purpose=f"station check-in, appointment {data.appointment}"
    )
    if member is None:
        raise NotFound(f"no member {data.member_id}")
    return Identity(
        name=member.display_name, id_number=member.national_id, real_name=member.real_name
    )


station = SimpleNamespace(
    manifest=Manifest(
        name="station",
        version="1.0.0",
        sdk=">=1.0,<2",
        title="Service station (政务服务站)",
        operations=(check_in,),
        member_scopes=frozenset({"members.national_id"}),
    )
)


async def test_staff_see_the_id_number_only_once_it_is_granted(linli_kit):
    kit = linli_kit(station)
    staff = kit.add_member("Station Zhou", Role.OPERATOR)
    chen = kit.add_member("Resident Chen", Role.RESIDENT, national_id="11010519491231002X")

    before = await kit.call("check-in", {"member_id": chen.id, "appointment": "A7"}, as_=staff)
    assert (before.id_number, before.real_name) == (None, True)

    kit.grant("members.national_id")  # what the operator does for the community
    after = await kit.call("check-in", {"member_id": chen.id, "appointment": "A7"}, as_=staff)
    assert after.id_number == "11010519491231002X"
    assert kit.host.members.national_id_views == [(chen.id, "station check-in, appointment A7")]


async def test_a_kit_can_start_with_the_scopes_granted(linli_kit):
    kit = linli_kit(station, granted_scopes={"members.national_id"})
    staff = kit.add_member("Station Zhou", Role.OPERATOR)
    liu = kit.add_member("Resident Liu", Role.RESIDENT)  # no ID number on file

    seen = await kit.call("check-in", {"member_id": liu.id, "appointment": "B2"}, as_=staff)
    assert (seen.id_number, seen.real_name) == (None, False)
