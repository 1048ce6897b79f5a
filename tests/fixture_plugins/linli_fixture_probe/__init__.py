"""A plugin the platform tests install through its entry point: it records what it is asked."""

from __future__ import annotations

from collections.abc import AsyncIterator

from linli_sdk import (
    Context,
    Empty,
    Event,
    Host,
    InvalidInput,
    Manifest,
    MemberErasure,
    MemberRecords,
    Role,
    command,
    hookimpl,
    query,
    stream,
)
from pydantic import BaseModel, Field

CALLS: list[str] = []
HOOKS: list[tuple[str, str]] = []
SAID: dict[int, list[str]] = {}
"""What each member said: the personal data the probe holds, exported and erased."""
ERASURE_FAILS: list[bool] = []
"""While not empty, the probe's erasure raises (after forgetting, which must not stick)."""


class ProbeSettings(BaseModel):
    greeting: str = "hello"
    limit: int = Field(default=5, ge=1, le=10)


class Say(BaseModel):
    text: str = Field(min_length=1, max_length=50)
    times: int = Field(default=1, ge=1)


class Said(BaseModel):
    text: str
    greeting: str
    call_number: int


class WhoAmI(BaseModel):
    member_id: int | None
    roles: list[str]
    community: str
    limit: int


class Lookup(BaseModel):
    limit: int = Field(default=3, ge=1, le=10)
    tag: str | None = None


@command(Role.RESIDENT)
async def say(ctx: Context[ProbeSettings], data: Say) -> Said:
    """Say something; every call that runs is counted."""
    if data.times > ctx.settings.limit:
        from linli_sdk import InvalidInput

        raise InvalidInput(f"times may be at most {ctx.settings.limit}", field="times")
    CALLS.append(data.text)
    if ctx.caller.member_id is not None:
        SAID.setdefault(ctx.caller.member_id, []).append(data.text)
    await ctx.host.events.publish("said", {"text": data.text})
    return Said(text=data.text * data.times, greeting=ctx.settings.greeting, call_number=len(CALLS))


@command(Role.MEMBER)
async def boom(ctx: Context[ProbeSettings], data: Say) -> Said:
    """Fail with an unexpected error."""
    raise RuntimeError("secret internals: " + data.text)


@command(Role.MEMBER)
async def ping(ctx: Context[ProbeSettings], data: Empty) -> Said:
    """Answer with the greeting; takes no input."""
    return Said(text="pong", greeting=ctx.settings.greeting, call_number=len(CALLS))


@query(Role.MEMBER)
async def whoami(ctx: Context[ProbeSettings], data: Lookup) -> WhoAmI:
    """Who the platform says the caller is."""
    return WhoAmI(
        member_id=ctx.caller.member_id,
        roles=sorted(ctx.caller.roles),
        community=ctx.community.slug,
        limit=data.limit,
    )


class Tick(BaseModel):
    n: int
    of: int


@stream(Role.MEMBER)
async def countdown(ctx: Context[ProbeSettings], data: Lookup) -> AsyncIterator[Tick]:
    """Count down from ``limit``; a tag of 'refuse' is refused before the first tick."""
    if data.tag == "refuse":
        raise InvalidInput("refused before the first tick", field="tag")
    for n in range(data.limit, 0, -1):
        yield Tick(n=n, of=data.limit)
        if data.tag == "crash" and n == data.limit - 1:
            raise RuntimeError("crashed mid-stream")


@query(Role.OPERATOR)
async def staff_only(ctx: Context[ProbeSettings], data: Lookup) -> WhoAmI:
    """An operation only operators may call."""
    return await whoami.handler(ctx, data)


@hookimpl
async def linli_module_enabled(host: Host, settings: ProbeSettings) -> None:
    if settings.greeting == "explode":
        raise RuntimeError("the enabled hook failed")
    HOOKS.append(("enabled", host.community.slug))
    await host.events.publish("welcomed", {"greeting": settings.greeting})


@hookimpl
def linli_module_disabled(host: Host) -> None:
    HOOKS.append(("disabled", host.community.slug))


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
    HOOKS.append(("event:" + event.type, host.community.slug))


@hookimpl
def linli_member_data(host: Host, member_id: int) -> list[MemberRecords]:
    said = [{"text": text} for text in SAID.get(member_id, [])]
    return [MemberRecords.of("said", "What you said through the probe.", said)]


@hookimpl
async def linli_member_erased(host: Host, member_id: int) -> MemberErasure:
    if ERASURE_FAILS:
        await host.events.publish("forgot", {"member": member_id})  # rolled back with the raise
        raise RuntimeError("the probe cannot forget today")
    return MemberErasure(erased=len(SAID.pop(member_id, [])))


manifest = Manifest(
    name="probe",
    version="1.0.0",
    sdk=">=1.0,<2",
    title="Probe",
    description="Test plugin.",
    settings=ProbeSettings,
    operations=(say, boom, ping, whoami, countdown, staff_only),
)
