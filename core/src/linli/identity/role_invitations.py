"""Inviting leaders, pickup hosts and provider staff: accepted by signing in with the phone.

An operator invites a phone number to hold a role in the community (and, for a pickup host or
a leader, to keep or lead a pickup point; for provider staff, to work for a provider). The
person accepts by signing in to that community with that number (a one-time code proves they
hold it): the sign-in makes them a member if they were not, and every pending invitation for
the number there is applied — the role granted, the point assigned — and marked accepted.
Only the phone's blind index and its masked form are kept with the invitation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from linli_sdk import Community, Conflict, InvalidInput, NotFound, Role

from linli.identity.members import grant_role
from linli.network.service import assign_pickup_point, pickup_point

from ..tables import Member, Provider
from .personal_data import mask_phone, normalise_phone
from .service import IdentityService
from .tables import RoleInvitation

__all__ = [
    "INVITABLE",
    "accept_invitations",
    "invite",
    "list_invitations",
    "withdraw_invitation",
]

INVITABLE = frozenset({Role.LEADER, Role.PICKUP_HOST, Role.PROVIDER_STAFF})
"""The roles an invitation may give."""

_COLUMNS = (
    RoleInvitation.id,
    RoleInvitation.phone_masked,
    RoleInvitation.role,
    RoleInvitation.display_name,
    RoleInvitation.pickup_point,
    RoleInvitation.provider,
    RoleInvitation.status,
    RoleInvitation.member,
    RoleInvitation.expires_at,
)


async def _phone_index(service: IdentityService, raw_phone: str) -> tuple[str, str]:
    phone = normalise_phone(raw_phone)
    keys = (await service.keys()).data
    return keys.blind_index(phone, "phone"), mask_phone(phone)


async def invite(
    service: IdentityService,
    community: Community,
    *,
    phone: str,
    role: Role,
    display_name: str,
    pickup_point_id: int | None = None,
    provider_id: int | None = None,
    invited_by: int | None = None,
    days: int = 14,
) -> dict[str, Any]:
    """Invite ``phone`` to hold ``role`` here; the invitation (the phone shown masked).

    Raises:
        InvalidInput: A role that cannot be invited, a point that is not this community's, a
            pickup point named for provider staff, or staff invited without their provider.
        Conflict: The phone has a pending invitation to this role here.
    """
    if role not in INVITABLE:
        allowed = ", ".join(sorted(INVITABLE))
        raise InvalidInput(f"invite one of: {allowed}", field="role")
    if pickup_point_id is not None:
        if role is Role.PROVIDER_STAFF:
            raise InvalidInput("provider staff keep no pickup point", field="pickup_point_id")
        if await pickup_point(community, pickup_point_id) is None:
            message = f"there is no pickup point {pickup_point_id} here"
            raise InvalidInput(message, field="pickup_point_id")
    if role is Role.PROVIDER_STAFF:
        if provider_id is None or not await Provider.exists().where(Provider.id == provider_id):
            raise InvalidInput("name the provider the staff member works for", field="provider_id")
    index, masked = await _phone_index(service, phone)
    now = datetime.now(UTC)
    if await RoleInvitation.exists().where(
        (RoleInvitation.community == community.id)
        & (RoleInvitation.phone_index == index)
        & (RoleInvitation.role == role.value)
        & (RoleInvitation.status == "pending")
        & (RoleInvitation.expires_at > now)
    ):
        raise Conflict(f"{masked} has a pending invitation to be {role} here")
    (row,) = await RoleInvitation.insert(
        RoleInvitation(
            community=community.id,
            phone_index=index,
            phone_masked=masked,
            role=role.value,
            display_name=display_name,
            pickup_point=pickup_point_id,
            provider=provider_id if role is Role.PROVIDER_STAFF else None,
            invited_by=invited_by,
            status="pending",
            expires_at=now + timedelta(days=days),
            created_at=now,
        )
    ).returning(RoleInvitation.id)
    return await _one(community, row["id"])


async def _one(community: Community, invitation_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await RoleInvitation.select(*_COLUMNS)
        .where((RoleInvitation.id == invitation_id) & (RoleInvitation.community == community.id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no invitation {invitation_id} here")
    return row


async def list_invitations(community: Community) -> list[dict[str, Any]]:
    """The community's role invitations, newest first."""
    rows: list[dict[str, Any]] = (
        await RoleInvitation.select(*_COLUMNS)
        .where(RoleInvitation.community == community.id)
        .order_by(RoleInvitation.id, ascending=False)
    )
    return rows


async def withdraw_invitation(community: Community, invitation_id: int) -> dict[str, Any]:
    """Withdraw a pending invitation; :class:`Conflict` once accepted."""
    row = await _one(community, invitation_id)
    if row["status"] == "accepted":
        raise Conflict(f"invitation {invitation_id} was already accepted")
    await RoleInvitation.update({RoleInvitation.status: "withdrawn"}).where(
        (RoleInvitation.id == invitation_id) & (RoleInvitation.community == community.id)
    )
    return await _one(community, invitation_id)


async def accept_invitations(
    service: IdentityService, raw_phone: str, community: Community, member_id: int
) -> list[Role]:
    """Apply every pending invitation of this phone here to the member who just signed in.

    Called once the person proved they hold the phone (a sign-in code). Returns the roles
    granted (none when nothing was pending).
    """
    index, _ = await _phone_index(service, raw_phone)
    async with RoleInvitation._meta.db.transaction():
        return await _accept(community, index, member_id)


async def _accept(community: Community, index: str, member_id: int) -> list[Role]:
    now = datetime.now(UTC)
    pending = await RoleInvitation.select().where(
        (RoleInvitation.community == community.id)
        & (RoleInvitation.phone_index == index)
        & (RoleInvitation.status == "pending")
        & (RoleInvitation.expires_at > now)
    )
    granted = []
    for invitation in sorted(pending, key=lambda r: r["id"]):
        taken = (
            await RoleInvitation.update(
                {
                    RoleInvitation.status: "accepted",
                    RoleInvitation.member: member_id,
                    RoleInvitation.accepted_at: now,
                }
            )
            .where(
                (RoleInvitation.id == invitation["id"])
                & (RoleInvitation.community == community.id)
                & (RoleInvitation.status == "pending")
            )
            .returning(RoleInvitation.id)
        )
        if not taken:  # accepted by a sign-in running at the same time
            continue
        role = Role(invitation["role"])
        await grant_role(community, member_id, role, provider_id=invitation["provider"])
        point = invitation["pickup_point"]
        if point is not None and await pickup_point(community, point) is not None:
            await assign_pickup_point(community, point, member_id, role)
        await Member.update({Member.display_name: invitation["display_name"]}).where(
            (Member.id == member_id) & (Member.community == community.id)
        )
        granted.append(role)
    return granted
