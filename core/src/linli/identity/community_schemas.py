"""What the community and role-invitation routes take and return."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from linli_sdk import Role
from pydantic import BaseModel, Field

from ..http.problems import problem_responses

__all__ = [
    "COMMUNITY_DOC",
    "COMMUNITY_RESPONSES",
    "CommunityChange",
    "CommunityIn",
    "CommunityOut",
    "RoleInvitationIn",
    "RoleInvitationOut",
]

COMMUNITY_RESPONSES = problem_responses(401, 403, 404, 409, 422)
"""The problems every community route may answer, in the OpenAPI document."""

COMMUNITY_DOC: dict[str, Any] = {"tags": ["communities"], "responses": COMMUNITY_RESPONSES}
"""What a platform-wide community route declares in the OpenAPI document."""


class CommunityIn(BaseModel):
    """A community to create."""

    slug: str = Field(min_length=1, max_length=64, examples=["river-view"])
    name: str = Field(min_length=1, max_length=200, examples=["河景苑 River View"])
    timezone: str = Field(
        default="Asia/Shanghai",
        max_length=64,
        description="An IANA time zone name: local dates are counted in it.",
    )
    currency: str = Field(default="CNY", min_length=3, max_length=3, description="ISO 4217.")


class CommunityChange(BaseModel):
    """What to change of a community (omit what stays)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)


class CommunityOut(BaseModel):
    """A community."""

    id: int
    slug: str
    name: str
    timezone: str
    currency: str
    created_at: datetime | None = None
    archived_at: datetime | None = None


class RoleInvitationIn(BaseModel):
    """Invite a phone number to a role here: accepted by signing in with that number.

    ``role`` is ``leader``, ``pickup_host`` or ``provider_staff``. (Said here, not as the field's
    description: Litestar would give that description to the shared ``Role`` schema, as the
    first field of the type it meets, and the order it meets them in varies from run to run.)
    """

    phone: str = Field(min_length=5, max_length=20, examples=["13812341234"])
    role: Role
    display_name: str = Field(min_length=1, max_length=100)
    pickup_point_id: int | None = Field(
        default=None, description="The point a pickup host will keep or a leader will lead."
    )
    provider_id: int | None = Field(
        default=None, description="The provider a staff member works for."
    )
    days: int = Field(default=14, ge=1, le=90, description="How long it stays open.")


class RoleInvitationOut(BaseModel):
    """A role invitation (the phone masked)."""

    id: int
    phone_masked: str
    role: Role
    display_name: str
    pickup_point: int | None
    provider: int | None
    status: str
    member: int | None
    expires_at: datetime
