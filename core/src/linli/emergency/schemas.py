"""What the emergency routes take and return."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from linli_sdk import Emergency
from pydantic import BaseModel, Field

from ..http.problems import problem_responses

__all__ = [
    "EMERGENCY_DOC",
    "EMERGENCY_RESPONSES",
    "DeclarationIn",
    "DeclarationOut",
    "EmergencyChange",
    "EmergencyIn",
    "EmergencyOut",
]

EMERGENCY_RESPONSES = problem_responses(401, 403, 404, 409, 422)
"""The problems every emergency route may answer, in the OpenAPI document."""

EMERGENCY_DOC: dict[str, Any] = {"tags": ["emergency"], "responses": EMERGENCY_RESPONSES}
"""What a platform-wide emergency route declares in the OpenAPI document."""


class EmergencyIn(BaseModel):
    """An emergency to declare (应急响应): its kind, when it starts and ends, and notes."""

    kind: str = Field(min_length=2, max_length=40, examples=["epidemic"])
    starts_at: datetime | None = Field(default=None, description="Now when omitted.")
    ends_at: datetime | None = Field(default=None, description="Until further notice if omitted.")
    notes: str = Field(default="", max_length=2000)
    reference: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.:-]{1,40}$",
        description="Your own id for it: declaring the same reference again changes nothing.",
    )


class DeclarationIn(EmergencyIn):
    """An emergency to declare for one or more communities (the platform operator)."""

    communities: list[str] = Field(min_length=1, max_length=500, description="Community slugs.")


class EmergencyChange(BaseModel):
    """A new planned end (``null``: until further notice)."""

    ends_at: datetime | None


class EmergencyOut(BaseModel):
    """An emergency as one community has it."""

    id: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    notes: str
    in_force: bool
    ended: bool = Field(description="Whether an operator ended it.")

    @classmethod
    def of(cls, emergency: Emergency, now: datetime, ended: bool = False) -> EmergencyOut:
        """The view of ``emergency`` at ``now``."""
        return cls(**emergency.model_dump(), in_force=emergency.in_force(now), ended=ended)


class DeclarationOut(BaseModel):
    """A declaration and the communities it covers."""

    id: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    notes: str
    communities: list[str]
