"""A complete, tiny Linli plugin: neighbours say thank you (邻里感谢).

It has settings, a command, two queries (one returns a file), a stream, a hook and a declared
credit event. It keeps no tables: what it needs, it asks the host for. In a package of your own this
file would be ``src/linli_thanks/plugin.py``, named by the entry point
``thanks = "linli_thanks.plugin"``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from linli_sdk import (
    CapabilityUnavailable,
    Context,
    CreditEventSpec,
    Document,
    Event,
    Host,
    InvalidInput,
    Manifest,
    NotFound,
    Role,
    command,
    hookimpl,
    query,
    stream,
)
from pydantic import BaseModel, Field


class ThanksSettings(BaseModel):
    """What an operator may set per community; every field needs a default."""

    max_message_length: int = Field(default=140, ge=10, le=500)


class SayThanks(BaseModel):
    """Whom to thank, and what to say."""

    to_member_id: int
    message: str = Field(min_length=1, max_length=500)


class ThanksSaid(BaseModel):
    """The thank-you that was sent."""

    event_id: str
    to: str
    message: str


class MemberRef(BaseModel):
    """One member of the community, by id."""

    member_id: int


class WatchNeighbour(BaseModel):
    """Which neighbour to watch, how often to look, and when to stop."""

    member_id: int
    every_seconds: float = Field(default=5, ge=0.01, le=60)
    updates: int = Field(default=10, ge=1, le=100)


class Neighbour(BaseModel):
    """What a neighbour may see of another: no phone, no roles."""

    id: int
    display_name: str
    verified: bool


Ctx = Context[ThanksSettings]


async def _neighbour(ctx: Ctx, member_id: int) -> Neighbour:
    member = await ctx.host.members.get(member_id)
    if member is None:
        raise NotFound(f"there is no member {member_id} in this community")
    return Neighbour(id=member.id, display_name=member.display_name, verified=member.verified)


@command(Role.RESIDENT)
async def say_thanks(ctx: Ctx, data: SayThanks) -> ThanksSaid:
    """Thank a neighbour.

    The member thanked earns a little community credit once the call has committed.
    """
    limit = ctx.settings.max_message_length
    if len(data.message) > limit:
        raise InvalidInput(f"a message may have at most {limit} characters", field="message")
    if data.to_member_id == ctx.caller.member_id:
        raise InvalidInput("thanking yourself does not count", field="to_member_id")
    neighbour = await _neighbour(ctx, data.to_member_id)
    event = await ctx.host.events.publish(
        "thanked",
        {"from": ctx.caller.member_id, "to": neighbour.id, "message": data.message},
    )
    return ThanksSaid(event_id=event.id, to=neighbour.display_name, message=data.message)


@query(Role.MEMBER)
async def neighbour(ctx: Ctx, data: MemberRef) -> Neighbour:
    """Look a neighbour up by member id."""
    return await _neighbour(ctx, data.member_id)


@query(Role.RESIDENT, name="thank-you-card")
async def card(ctx: Ctx, data: MemberRef) -> Document:
    """Download a thank-you card for a neighbour, as plain text."""
    neighbour = await _neighbour(ctx, data.member_id)
    text = f"Thank you, {neighbour.display_name}!\n— your neighbours in {ctx.community.name}\n"
    return Document(
        content=text.encode(),
        media_type="text/plain",
        filename=f"thanks-{neighbour.id}.txt",
    )


@stream(Role.MEMBER)
async def watch_neighbour(ctx: Ctx, data: WatchNeighbour) -> AsyncIterator[Neighbour]:
    """Watch a neighbour: their view now, then again each time it changes.

    Ends after ``updates`` events, or when the caller goes away.
    """
    last = await _neighbour(ctx, data.member_id)
    yield last
    sent = 1
    while sent < data.updates:
        await asyncio.sleep(data.every_seconds)  # poll: the host has no change feed yet
        current = await _neighbour(ctx, data.member_id)
        if current != last:
            yield current
            last, sent = current, sent + 1


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
    """Turn each thank-you into a credit event for the member thanked."""
    if event.type != "thanks.thanked":  # every enabled module's events arrive here
        return
    try:
        await host.credit.emit(
            member_id=event.payload["to"], event="thanked", weight=1, event_id=event.id
        )
    except CapabilityUnavailable:
        pass  # the platform has no community credit yet; the thank-you still counts


manifest = Manifest(
    name="thanks",
    version="0.1.0",
    sdk=">=1.0,<2",
    title="Thanks (邻里感谢)",
    description="Residents thank their neighbours; each thank-you earns a little credit.",
    settings=ThanksSettings,
    operations=(say_thanks, neighbour, card, watch_neighbour),
    credit_events=(
        CreditEventSpec(
            name="thanked",
            min_weight=0,
            max_weight=2,
            description="A neighbour said thank you.",
        ),
    ),
)
