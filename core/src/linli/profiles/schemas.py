"""The profiles' HTTP bodies: consent, tags with their explanations, corrections, erasure."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["ConsentOut", "ConsentRecord", "Correction", "Erased", "TagList", "TagOut"]


class ConsentRecord(BaseModel):
    """One consent the resident gave, and when they withdrew it (if they did)."""

    wording: str
    given_at: datetime
    withdrawn_at: datetime | None


class ConsentOut(BaseModel):
    """The resident's consent to personalisation: in force or not, what it says, its history."""

    given: bool
    wording: str = Field(description="What the resident agrees to when giving consent.")
    history: list[ConsentRecord]


class TagOut(BaseModel):
    """A need derived from the resident's own purchases of one item, with why."""

    item: str
    item_name: str
    cycle_days: int | None = Field(description="The cycle in force: the resident's, if set.")
    estimated_cycle_days: int | None
    corrected: bool
    not_for_me: bool = Field(description="The resident wants no reminders for this item.")
    confidence: float
    purchases: int
    last_purchase: date
    orders: list[str] = Field(description="The orders and bookings it was derived from.")
    explanation: str


class TagList(BaseModel):
    """The resident's tags (none without consent)."""

    items: list[TagOut]


class Correction(BaseModel):
    """A resident's correction of a tag: its cycle, or "not for me" (or both)."""

    model_config = ConfigDict(extra="forbid")

    cycle_days: int | None = Field(default=None, ge=1, le=365)
    not_for_me: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> Correction:
        if self.cycle_days is None and self.not_for_me is None:
            raise ValueError("give cycle_days, not_for_me or both")
        return self


class Erased(BaseModel):
    """What an erasure removed."""

    tags: int
    facts: int
