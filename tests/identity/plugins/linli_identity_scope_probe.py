"""A test plugin that declares member scopes and shows what the host's member lookup returns."""

from __future__ import annotations

from linli_sdk import Context, Empty, Manifest, NotFound, Role, query
from pydantic import BaseModel

__all__ = ["manifest"]


class Lookup(BaseModel):
    """Which member to look up, and why."""

    member_id: int
    purpose: str = ""


class Card(BaseModel):
    """The member as the module sees them."""

    id: int
    display_name: str
    phone_masked: str | None
    phone: str | None
    unit: str | None
    national_id: str | None
    real_name: bool


@query(Role.OPERATOR, Role.LEADER, name="member-card")
async def member_card(ctx: Context[Empty], data: Lookup) -> Card:
    """Return the member's view, as the host gives it to this module."""
    view = await ctx.host.members.get(data.member_id, purpose=data.purpose)
    if view is None:
        raise NotFound(f"no member {data.member_id}")
    return Card.model_validate(view.model_dump(exclude={"roles", "verified"}))


manifest = Manifest(
    name="scope_probe",
    version="1.0.0",
    sdk=">=1.0,<2",
    title="Scope probe",
    operations=(member_card,),
    member_scopes=frozenset({"members.phone", "members.unit", "members.national_id"}),
)
