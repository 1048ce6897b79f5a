"""What the notification routes take and return."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from ..http.problems import problem_responses

__all__ = [
    "NOTIFICATIONS_RESPONSES",
    "ChannelChange",
    "ChannelIn",
    "ChannelOut",
    "KindChoice",
    "KindOut",
    "LogLine",
    "PolicyIn",
    "PolicyOut",
]

NOTIFICATIONS_RESPONSES = problem_responses(401, 403, 404, 422)
"""The problems every notifications route may answer, in the OpenAPI document."""


class KindOut(BaseModel):
    """A kind of notification a module of the community sends, and the caller's choice."""

    kind: str = Field(description="``<module>.<kind>``, e.g. ``group_buying.ready_for_pickup``.")
    module: str
    description: str
    opted_out: bool


class KindChoice(BaseModel):
    """Whether the caller wants this kind: ``opted_out: true`` stops it."""

    opted_out: bool


class ChannelIn(BaseModel):
    """A channel to add: a signed webhook to the community's frontend, or SMS by a gateway."""

    kind: Literal["webhook", "sms"]
    url: str = Field(default="", max_length=2000, description="The webhook's URL.")
    gateway: str = Field(default="", max_length=40, description="The SMS gateway (sandbox).")

    @model_validator(mode="after")
    def _complete(self) -> ChannelIn:
        if self.kind == "webhook" and not self.url:
            raise ValueError("a webhook channel needs a url")
        if self.kind == "sms" and not self.gateway:
            raise ValueError("an sms channel needs a gateway")
        return self


class ChannelOut(BaseModel):
    """A channel; ``secret`` (``whsec_...``, to verify signatures) only when it is added."""

    id: int
    kind: str
    url: str
    gateway: str
    status: str
    secret: str | None = None


class ChannelChange(BaseModel):
    """Pause or resume a channel."""

    status: Literal["active", "paused"]


class PolicyIn(BaseModel):
    """Quiet hours (24-hour ``HH:MM`` in the community's time zone) and the rate limit."""

    quiet_start: str = Field(default="22:00", examples=["22:00"])
    quiet_end: str = Field(default="07:00", examples=["07:00"])
    rate_limit: int = Field(default=10, ge=0, le=1000)
    rate_window_minutes: int = Field(default=1440, ge=1, le=60 * 24 * 31)


class PolicyOut(PolicyIn):
    """The policy in force, with the community's time zone."""

    timezone: str


class LogLine(BaseModel):
    """One line of the send log: never the content, the phone or the name."""

    notification_id: str
    module: str
    kind: str
    member_id: int
    channel: str
    status: str
    at: datetime
