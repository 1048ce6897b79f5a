"""A test plugin for dispatch: schedules deadlines and records what fires and what it hears.

Its deadline hook sleeps ``payload["sleep"]`` seconds (so a worker can be killed mid-run),
raises while ``payload["fail"]`` attempts remain, then publishes ``timer.fired``: the outbox
row that proves, in the database, how many times the deadline's transaction committed.
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, timedelta

from linli_sdk import (
    Context,
    Deadline,
    Event,
    Host,
    JobRequest,
    JobTicket,
    Manifest,
    Role,
    command,
    hookimpl,
)
from pydantic import BaseModel, Field

ATTEMPTS: dict[str, int] = {}
HEARD: list[tuple[str, str]] = []
FAIL_EVENTS: dict[str, int] = {}


class Arm(BaseModel):
    keys: list[str] = Field(min_length=1)
    in_seconds: float = 0.0
    sleep: float = 0.0
    fail: int = 0


class Armed(BaseModel):
    keys: list[str]


class Cancel(BaseModel):
    key: str


class Cancelled(BaseModel):
    cancelled: bool


class Shout(BaseModel):
    text: str
    fail: int = 0


@command(Role.RESIDENT)
async def arm(ctx: Context[BaseModel], data: Arm) -> Armed:
    """Schedule one deadline per key, due ``in_seconds`` from now."""
    for key in data.keys:
        payload = {"sleep": data.sleep, "fail": data.fail}
        await ctx.host.deadlines.schedule(
            key, ctx.now + timedelta(seconds=data.in_seconds), payload
        )
    return Armed(keys=data.keys)


@command(Role.RESIDENT)
async def disarm(ctx: Context[BaseModel], data: Cancel) -> Cancelled:
    """Cancel a deadline."""
    return Cancelled(cancelled=await ctx.host.deadlines.cancel(data.key))


@command(Role.RESIDENT)
async def shout(ctx: Context[BaseModel], data: Shout) -> Shout:
    """Publish ``timer.shouted``; its hook raises ``fail`` times first."""
    await ctx.host.events.publish("shouted", {"text": data.text, "fail": data.fail})
    return data


@command(Role.RESIDENT)
async def shout_then_fail(ctx: Context[BaseModel], data: Shout) -> Shout:
    """Publish an event, then fail: the event must never be delivered."""
    await ctx.host.events.publish("shouted", {"text": data.text, "fail": 0})
    raise RuntimeError("failed after publishing")


class Book(BaseModel):
    ref: str
    skills: list[str] = []
    start: datetime
    end: datetime
    minutes: int = 60


@command(Role.RESIDENT)
async def book(ctx: Context[BaseModel], data: Book) -> JobTicket:
    """Ask dispatch for a worker."""
    job = JobRequest(
        ref=data.ref,
        skills=frozenset(data.skills),
        window_start=data.start,
        window_end=data.end,
        duration=timedelta(minutes=data.minutes),
    )
    return await ctx.host.dispatch.submit(job)


def _trace(key: str) -> None:
    """Note in the file ``TIMER_TRACE`` names (if any) that this process began ``key``."""
    if trace := os.environ.get("TIMER_TRACE"):
        with open(trace, "a") as file:
            file.write(f"{os.getpid()} {key}\n")


@hookimpl
async def linli_deadline_reached(host: Host, deadline: Deadline) -> None:
    ATTEMPTS[deadline.key] = ATTEMPTS.get(deadline.key, 0) + 1
    _trace(deadline.key)
    if deadline.payload.get("sleep"):
        await asyncio.sleep(float(deadline.payload["sleep"]))
    if ATTEMPTS[deadline.key] <= int(deadline.payload.get("fail", 0)):
        raise RuntimeError(f"deadline {deadline.key} failed on purpose")
    await host.events.publish("fired", {"key": deadline.key, "pid": os.getpid()})


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
    if event.type == "timer.shouted":
        text = str(event.payload["text"])
        FAIL_EVENTS[text] = FAIL_EVENTS.get(text, 0) + 1
        if FAIL_EVENTS[text] <= int(event.payload.get("fail", 0)):
            raise RuntimeError(f"event {text} failed on purpose")
    HEARD.append((event.type, event.id))


manifest = Manifest(
    name="timer",
    version="1.0.0",
    sdk=">=1.0,<2",
    title="Timer",
    description="Dispatch test plugin.",
    operations=(arm, disarm, shout, shout_then_fail, book),
)
