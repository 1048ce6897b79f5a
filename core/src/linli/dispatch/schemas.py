"""The dispatch routes' request and response bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field

from linli.dispatch.events.webhooks import PAYLOAD_VERSIONS

__all__ = [
    "GoodsBatch",
    "GoodsLine",
    "GoodsOrderIn",
    "NewWebhook",
    "Offer",
    "OnTime",
    "Rematched",
    "Replayed",
    "Webhook",
]


class NewWebhook(BaseModel):
    """A subscriber to the community's events."""

    url: str = Field(max_length=2000, description="Where to POST; public http(s) only.")
    event_types: list[str] = Field(default_factory=list, description="Empty: every type.")
    payload_version: int = Field(default=1, description=f"One of {PAYLOAD_VERSIONS}.")


class Webhook(BaseModel):
    """A webhook subscription; ``secret`` (``whsec_…``) is shown only when it is created."""

    id: int
    url: str
    event_types: list[str]
    payload_version: int
    secret: str | None = None


class Replayed(BaseModel):
    """How many deliveries of the event were re-armed."""

    event_id: str
    deliveries: int


class Offer(BaseModel):
    """A job's state after a worker answered its offer."""

    job_id: str
    ref: str
    status: str


class OnTime(BaseModel):
    """Completed jobs finished by the end of their window."""

    community: float | None
    completed: int
    providers: dict[str, float | None]


class Rematched(BaseModel):
    """Pending jobs offered by a batch match: job id → worker id."""

    placed: dict[str, str]


class GoodsLine(BaseModel):
    """So many of one item."""

    sku: str = Field(max_length=64)
    name: str = Field(max_length=200)
    quantity: int = Field(ge=1)


class GoodsOrderIn(BaseModel):
    """A confirmed order to be picked up at a pickup point."""

    ref: str = Field(max_length=200)
    member: str = Field(max_length=100, description="The name to print (masked).")
    pickup_point: str = Field(max_length=200)
    lines: list[GoodsLine] = Field(min_length=1)


class GoodsBatch(BaseModel):
    """Confirmed orders, where each pickup point's grid warehouse is, and a truck's capacity."""

    orders: list[GoodsOrderIn] = Field(max_length=20_000)
    grid_of: dict[str, str] = Field(default_factory=dict, description="pickup point → grid")
    truck_capacity: int = Field(default=1000, ge=1, description="Items per truck run.")
