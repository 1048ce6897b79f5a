"""A test plugin for credit: emits its declared credit events, reads standings, books jobs."""

from __future__ import annotations

from datetime import datetime, timedelta

from linli_sdk import (
    Context,
    CreditEventSpec,
    CreditStanding,
    JobRequest,
    JobTicket,
    Manifest,
    Role,
    command,
    query,
)
from pydantic import BaseModel


class Emit(BaseModel):
    member_id: int
    event: str
    weight: int
    event_id: str


class Emitted(BaseModel):
    event_id: str


class Whom(BaseModel):
    member_id: int


class Book(BaseModel):
    ref: str
    start: datetime
    end: datetime


@command(Role.OPERATOR, Role.RESIDENT)
async def emit(ctx: Context[BaseModel], data: Emit) -> Emitted:
    """Report a credit event exactly as given (bounds are the platform's to enforce)."""
    await ctx.host.credit.emit(
        member_id=data.member_id, event=data.event, weight=data.weight, event_id=data.event_id
    )
    return Emitted(event_id=data.event_id)


@query(Role.MEMBER)
async def standing(ctx: Context[BaseModel], data: Whom) -> CreditStanding:
    """A member's standing, as a module reads the gates."""
    return await ctx.host.credit.standing(data.member_id)


@command(Role.RESIDENT)
async def book(ctx: Context[BaseModel], data: Book) -> JobTicket:
    """Ask dispatch for a cleaner."""
    job = JobRequest(
        ref=data.ref,
        skills=frozenset({"cleaning"}),
        window_start=data.start,
        window_end=data.end,
        duration=timedelta(minutes=60),
    )
    return await ctx.host.dispatch.submit(job)


manifest = Manifest(
    name="probe_credit",
    version="1.0.0",
    sdk=">=1.0,<2",
    title="Credit probe",
    operations=(emit, standing, book),
    credit_events=(
        CreditEventSpec(
            name="helped", min_weight=1, max_weight=20, description="Helped a neighbour"
        ),
        CreditEventSpec(
            name="returned_late",
            min_weight=-30,
            max_weight=-1,
            description="Returned a shared tool late",
        ),
    ),
)
