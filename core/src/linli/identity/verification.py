"""Units, invitations and resident verification (居民身份认证).

A member becomes a verified resident of a unit either by redeeming an invitation code a leader
or operator issued for that unit, or by an operator approving their request. Verification adds
the ``resident`` role (and ``verified``); only then may they buy and book. Several members may
live in one unit.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from linli_sdk import Community, Conflict, InvalidInput, NotFound, Role

from linli.identity.auth import forget_callers, hash_token

from ..tables import Member
from .tables import Invitation, Membership, Unit, VerificationRequest

__all__ = [
    "add_unit",
    "decide_request",
    "issue_invitation",
    "list_requests",
    "list_units",
    "redeem_invitation",
    "request_verification",
    "unit_of",
]


async def add_unit(community: Community, building: str, room: str) -> dict[str, Any]:
    """Add a unit (building, room); :class:`Conflict` if it exists."""
    key = f"{community.id}:{building}:{room}"
    if await Unit.exists().where(Unit.scope_key == key):
        raise Conflict(f"unit {building}-{room} already exists")
    (row,) = await Unit.insert(
        Unit(
            community=community.id,
            building=building,
            room=room,
            scope_key=key,
            created_at=datetime.now(UTC),
        )
    ).returning(Unit.id)
    return {"id": row["id"], "building": building, "room": room}


async def list_units(community: Community) -> list[dict[str, Any]]:
    """The community's units, by building and room."""
    rows: list[dict[str, Any]] = (
        await Unit.select(Unit.id, Unit.building, Unit.room)
        .where(Unit.community == community.id)
        .order_by(Unit.building)
        .order_by(Unit.room)
    )
    return rows


async def unit_of(community: Community, unit_id: int) -> dict[str, Any]:
    """A unit of this community; :class:`NotFound` otherwise (also for another community's)."""
    row: dict[str, Any] | None = (
        await Unit.select(Unit.id, Unit.building, Unit.room)
        .where((Unit.id == unit_id) & (Unit.community == community.id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no unit {unit_id} here")
    return row


async def issue_invitation(
    community: Community, unit_id: int, issued_by: int | None, uses: int, days: int
) -> str:
    """A fresh invitation code for a unit (shown once, stored hashed)."""
    await unit_of(community, unit_id)
    code = "-".join(secrets.token_hex(2).upper() for _ in range(3))
    now = datetime.now(UTC)
    await Invitation.insert(
        Invitation(
            community=community.id,
            unit=unit_id,
            code_hash=hash_token(code),
            issued_by=issued_by,
            uses_left=uses,
            expires_at=now + timedelta(days=days),
            created_at=now,
        )
    )
    return code


async def _verify(community: Community, member_id: int, unit_id: int) -> None:
    row = (
        await Member.select(Member.roles)
        .where((Member.id == member_id) & (Member.community == community.id))
        .first()
    )
    if row is None:
        raise NotFound("there is no such member here")
    roles = json.loads(row["roles"]) if isinstance(row["roles"], str) else row["roles"]
    await Member.update(
        {Member.roles: sorted({*roles, Role.RESIDENT.value}), Member.verified: True}
    ).where((Member.id == member_id) & (Member.community == community.id))
    forget_callers()  # the member's roles changed
    await Membership.update({Membership.unit: unit_id}).where(
        (Membership.member == member_id) & (Membership.community == community.id)
    )


async def redeem_invitation(community: Community, member_id: int, code: str) -> dict[str, Any]:
    """Verify the member as a resident of the invitation's unit; the unit."""
    async with Invitation._meta.db.transaction():
        row = (
            await Invitation.select()
            .where(
                (Invitation.code_hash == hash_token(code.strip().upper()))
                & (Invitation.community == community.id)
                & (Invitation.expires_at > datetime.now(UTC))
                & (Invitation.uses_left > 0)
            )
            .first()
        )
        if row is None:
            raise InvalidInput("the invitation code is not valid", field="code")
        taken = (
            await Invitation.update({Invitation.uses_left: Invitation.uses_left - 1})
            .where((Invitation.id == row["id"]) & (Invitation.uses_left > 0))
            .returning(Invitation.id)
        )
        if not taken:
            raise InvalidInput("the invitation code is used up", field="code")
        await _verify(community, member_id, row["unit"])
    return await unit_of(community, row["unit"])


async def request_verification(community: Community, member_id: int, unit_id: int) -> int:
    """Ask an operator to verify the member as a resident of a unit; the request id."""
    await unit_of(community, unit_id)
    if await VerificationRequest.exists().where(
        (VerificationRequest.community == community.id)
        & (VerificationRequest.member == member_id)
        & (VerificationRequest.status == "pending")
    ):
        raise Conflict("you already have a pending request")
    (row,) = await VerificationRequest.insert(
        VerificationRequest(
            community=community.id,
            member=member_id,
            unit=unit_id,
            status="pending",
            created_at=datetime.now(UTC),
        )
    ).returning(VerificationRequest.id)
    return int(row["id"])


async def list_requests(community: Community) -> list[dict[str, Any]]:
    """The community's pending verification requests."""
    rows: list[dict[str, Any]] = await VerificationRequest.select(
        VerificationRequest.id, VerificationRequest.member, VerificationRequest.unit
    ).where(
        (VerificationRequest.community == community.id) & (VerificationRequest.status == "pending")
    )
    return rows


async def decide_request(
    community: Community, request_id: int, decided_by: int | None, approve: bool
) -> str:
    """Approve (verify the member) or reject a pending request; its new status."""
    status = "approved" if approve else "rejected"
    async with VerificationRequest._meta.db.transaction():
        row = (
            await VerificationRequest.select()
            .where(
                (VerificationRequest.id == request_id)
                & (VerificationRequest.community == community.id)
            )
            .first()
        )
        if row is None:
            raise NotFound(f"there is no verification request {request_id} here")
        if row["status"] != "pending":
            raise Conflict(f"the request was already {row['status']}")
        await VerificationRequest.update(
            {
                VerificationRequest.status: status,
                VerificationRequest.decided_by: decided_by,
                VerificationRequest.decided_at: datetime.now(UTC),
            }
        ).where(VerificationRequest.id == request_id)
        if approve:
            await _verify(community, row["member"], row["unit"])
    return status
