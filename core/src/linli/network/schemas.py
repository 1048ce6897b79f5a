"""What the network routes take and return."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ..http.problems import problem_responses

__all__ = [
    "NETWORK_RESPONSES",
    "PickupPointChange",
    "PickupPointIn",
    "PickupPointOut",
    "WarehouseIn",
    "WarehouseOut",
]

NETWORK_RESPONSES = problem_responses(401, 403, 404, 409, 422)
"""The problems every network route may answer, in the OpenAPI document."""


class WarehouseIn(BaseModel):
    """A warehouse to add: the central one, or a grid warehouse (网格仓) under it."""

    kind: Literal["central", "grid"]
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(default="", max_length=300)
    central_id: int | None = Field(default=None, description="A grid warehouse's central one.")


class WarehouseOut(BaseModel):
    """A warehouse of the community's network."""

    id: int
    kind: Literal["central", "grid"]
    name: str
    address: str
    central_id: int | None


class PickupPointIn(BaseModel):
    """A pickup point (自提点) to add, with who keeps and who leads it."""

    name: str = Field(min_length=1, max_length=200)
    address: str = Field(default="", max_length=300)
    grid_warehouse_id: int | None = Field(default=None, description="The grid warehouse (网格仓).")
    host_id: int | None = Field(default=None, description="The member who keeps the point.")
    leader_id: int | None = Field(default=None, description="The member who leads it (团长).")


class PickupPointChange(BaseModel):
    """What to change of a pickup point (omit what stays); ``archive`` closes it."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    grid_warehouse_id: int | None = None
    host_id: int | None = None
    leader_id: int | None = None
    archive: bool = False


class PickupPointOut(BaseModel):
    """A pickup point, its grid warehouse, its host and its leader."""

    id: int
    name: str
    address: str
    grid_warehouse: str | None
    host_id: int | None
    leader_id: int | None
