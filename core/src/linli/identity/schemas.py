"""The identity service's request and response bodies (pydantic, in the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from ..http.problems import problem_responses

__all__ = [
    "DOC",
    "RESPONSES",
    "ClientIn",
    "ClientOut",
    "CodeSent",
    "ConsentIn",
    "ConsentOut",
    "ConsentWithdrawn",
    "DecisionIn",
    "DecisionOut",
    "ErasureOut",
    "InvitationIn",
    "InvitationOut",
    "MemberOut",
    "ModuleErasureOut",
    "NationalIdIn",
    "NationalIdOut",
    "NationalIdViewOut",
    "PhoneIn",
    "RedeemIn",
    "RequestIn",
    "RequestOut",
    "ScopeGrantOut",
    "UnitIn",
    "UnitOut",
]

RESPONSES = problem_responses(401, 403, 404, 409, 422)
"""The problems every identity route may answer, in the OpenAPI document."""

DOC: dict[str, Any] = {"tags": ["identity"], "responses": RESPONSES}
"""What an identity route outside the identity controller declares in the OpenAPI document."""


class PhoneIn(BaseModel):
    """A phone number to send a sign-in code to."""

    phone: str = Field(min_length=5, max_length=20, examples=["13812341234"])


class CodeSent(BaseModel):
    """A sign-in code was sent."""

    sent: bool
    expires_in: int


class MemberOut(BaseModel):
    """A member as the caller may see them (phone masked unless the caller may see it)."""

    id: int
    display_name: str
    roles: list[str]
    verified: bool
    phone: str | None
    unit: str | None


class UnitIn(BaseModel):
    """A unit to add: building and room (楼栋、房号)."""

    building: str = Field(min_length=1, max_length=50)
    room: str = Field(min_length=1, max_length=50)


class UnitOut(BaseModel):
    """A unit of the community."""

    id: int
    building: str
    room: str


class InvitationIn(BaseModel):
    """An invitation to issue for a unit."""

    unit_id: int
    uses: int = Field(default=1, ge=1, le=10)
    days: int = Field(default=7, ge=1, le=30)


class InvitationOut(BaseModel):
    """An invitation code, shown once."""

    code: str
    unit_id: int


class RedeemIn(BaseModel):
    """An invitation code to redeem."""

    code: str = Field(min_length=4, max_length=40)


class RequestIn(BaseModel):
    """The unit a member asks to be verified for."""

    unit_id: int


class RequestOut(BaseModel):
    """A verification request."""

    id: int
    member: int
    unit: int


class DecisionIn(BaseModel):
    """An operator's decision on a verification request."""

    approve: bool


class DecisionOut(BaseModel):
    """The request's status after the decision."""

    id: int
    status: str


class ConsentIn(BaseModel):
    """Consent to a purpose (``national_id``)."""

    purpose: str = Field(min_length=1, max_length=50)


class ConsentOut(BaseModel):
    """A recorded consent and the wording agreed to."""

    purpose: str
    wording: str
    given_at: str


class ConsentWithdrawn(BaseModel):
    """A consent withdrawn (and what it covered erased)."""

    purpose: str
    withdrawn: bool


class NationalIdIn(BaseModel):
    """A resident identity card number (18 characters)."""

    number: str = Field(min_length=15, max_length=18)


class NationalIdOut(BaseModel):
    """The stored ID number, masked."""

    national_id: str


class ModuleErasureOut(BaseModel):
    """What one module did in one community: erased and kept, or why it failed."""

    community: str
    module: str
    erased: int = 0
    kept: str = ""
    failed: str | None = None


class ErasureOut(BaseModel):
    """What erasure did; ``erased`` is false while a module's part failed (run it again)."""

    erased: bool
    memberships: int
    modules: list[ModuleErasureOut] = []


class ClientIn(BaseModel):
    """An OAuth client to register: a frontend (redirect URIs) or a back end (neither)."""

    name: str = Field(min_length=1, max_length=200)
    redirect_uris: list[str] = Field(default_factory=list)
    scopes: str = "read write profile"


class ClientOut(BaseModel):
    """A registered client; ``client_secret`` is shown once (back ends only)."""

    client_id: str
    client_secret: str | None
    grant_types: list[str]
    scopes: str


class ScopeGrantOut(BaseModel):
    """A member scope of a module in this community: declared, granted, by whom and when.

    ``granted_by``/``revoked_by`` are member ids, ``None`` when the platform acted (the
    command line or the platform token).
    """

    module: str
    scope: str
    declared: bool
    granted: bool
    granted_by: int | None
    granted_at: datetime | None
    revoked_by: int | None
    revoked_at: datetime | None


class NationalIdViewOut(BaseModel):
    """One ID number shown to a module (the audit log): whose, to which module, why, when."""

    id: int
    community: str
    member_id: int
    module: str
    purpose: str
    viewed_at: datetime
