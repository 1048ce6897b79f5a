"""The credit service's HTTP schemas: what its routes take and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from linli_sdk import CreditStanding
from pydantic import BaseModel, Field

__all__ = [
    "Annulled",
    "Annulment",
    "Appeal",
    "AppealDecision",
    "AppealIn",
    "Application",
    "AuditLine",
    "Contribution",
    "Distribution",
    "Document",
    "Explained",
    "MyCredit",
    "NewApplication",
    "NewCoreEvent",
    "ProviderStandingOut",
    "Rated",
    "Rating",
    "Recorded",
    "Review",
]


class Contribution(BaseModel):
    """One event's part in a score."""

    event_ref: int | None = Field(description="The event's row id (what an operator annuls).")
    module: str
    event: str
    description: str
    weight: int
    occurred: datetime
    cap_factor: float = Field(description="Share of the weight its module's cap let count.")
    decay: float = Field(description="Share left after time decay.")
    points: float = Field(description="What it adds to the score now.")


class Explained(BaseModel):
    """A score and why: the base plus every counting event's decayed, capped weight."""

    subject: str
    score: int
    base: int
    at: datetime
    contributions: list[Contribution]


class MyCredit(BaseModel):
    """A member's standing (the gates) and the explanation of the score."""

    standing: CreditStanding
    explanation: Explained


class NewCoreEvent(BaseModel):
    """One of the core's credit events (see docs/credit.md for names and bounds)."""

    event: str = Field(max_length=60)
    weight: int
    event_id: str = Field(min_length=1, max_length=200)


class Recorded(BaseModel):
    """Whether the event was recorded now (``False``: its id was already recorded)."""

    recorded: bool
    score: int


class Annulment(BaseModel):
    """Why an event no longer counts."""

    reason: str = Field(min_length=1, max_length=2000)


class Annulled(BaseModel):
    """The event annulled and its subject's score now."""

    event_ref: int
    subject: str
    score: int


class Distribution(BaseModel):
    """Scores in a community: count, summary and how many fall in each tier and bin."""

    kind: str
    count: int
    mean: float | None
    median: float | None
    tiers: dict[str, int]
    bins: dict[str, int] = Field(description="100-point bins, e.g. '600-699'.")


class Document(BaseModel):
    """A document filed with an application (its kind, title and where it is kept)."""

    kind: str = Field(pattern=r"^[a-z_]{2,40}$", description="e.g. business_license")
    title: str = Field(max_length=200)
    reference: str = Field(max_length=500, description="A file id or the document's number.")


class NewApplication(BaseModel):
    """A provider's application to serve the community."""

    provider_name: str = Field(min_length=1, max_length=200)
    documents: list[Document] = Field(max_length=20)
    note: str = Field(default="", max_length=2000)


class Application(BaseModel):
    """An application and its review."""

    id: int
    provider_name: str
    provider: int | None
    applicant: int
    documents: list[Document]
    status: str
    decision_reason: str


class Review(BaseModel):
    """An operator's decision on an application."""

    admit: bool
    reason: str = Field(min_length=1, max_length=2000)


class AppealIn(BaseModel):
    """A suspended provider's appeal."""

    statement: str = Field(min_length=1, max_length=4000)


class Appeal(BaseModel):
    """An appeal and its decision."""

    id: int
    provider: int
    statement: str
    status: str
    decision_reason: str


class AppealDecision(BaseModel):
    """An operator's decision on an appeal; granting may annul the events found unfair."""

    grant: bool
    reason: str = Field(min_length=1, max_length=2000)
    annul_events: list[int] = Field(default_factory=list, max_length=200)


class ProviderStandingOut(BaseModel):
    """A provider's standing in the community, with the reason it reads."""

    provider: int
    status: str
    reason: str
    score: int
    threshold: int
    probation_until: datetime | None
    appeals: list[Appeal]


class Rating(BaseModel):
    """A resident's rating of a completed job."""

    stars: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


class Rated(BaseModel):
    """The rating recorded, and the provider it went to."""

    job: int
    provider: int
    stars: int


class AuditLine(BaseModel):
    """One line of the credit audit log."""

    at: datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]
