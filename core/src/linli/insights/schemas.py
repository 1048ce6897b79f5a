"""What the insights answer: anonymised aggregates, each cell over at least k residents.

No model here has a field that names a resident: cells carry counts of residents, never ids.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

__all__ = [
    "CellDemand",
    "DemandForecast",
    "FeedbackIn",
    "FeedbackSummary",
    "InsightSettings",
    "ItemDemand",
    "ItemFeedback",
    "MyFeedback",
    "RepurchaseRate",
    "RepurchaseRates",
    "WarehouseDemand",
]


class CellDemand(BaseModel):
    """Tomorrow's forecast of one item at one pickup point, and how it was made."""

    item: str
    item_name: str
    pickup_point_id: int | None = Field(description="None: bought without a pickup point")
    pickup_point: str | None
    grid_warehouse_id: int | None = Field(description="The grid warehouse supplying the point")
    grid_warehouse: str | None
    day: date
    forecast: float = Field(description="Units expected that day (one decimal)")
    residents: int = Field(description="Distinct residents behind the history (at least k)")
    level: float = Field(description="Units an average day sells lately")
    trend: float = Field(description="Units a day the level grows (negative: shrinks)")
    weekday_factor: float = Field(description="The day's weekday against an average day")
    history_days: int
    explanation: str


class ItemDemand(BaseModel):
    """An item's forecast over the pickup points answered for it (suppressed ones left out)."""

    item: str
    item_name: str
    day: date
    forecast: float
    pickup_points: int = Field(description="How many answered cells the total adds up")


class WarehouseDemand(BaseModel):
    """An item's forecast over the answered pickup points a grid warehouse (网格仓) supplies."""

    grid_warehouse_id: int
    grid_warehouse: str
    item: str
    item_name: str
    day: date
    forecast: float
    pickup_points: int = Field(description="How many answered cells the total adds up")


class DemandForecast(BaseModel):
    """Tomorrow's demand per item and pickup point, over complete days up to yesterday."""

    community: str
    day: date
    k: int
    history_from: date
    history_to: date
    cells: list[CellDemand]
    totals: list[ItemDemand]
    warehouses: list[WarehouseDemand]
    suppressed: int = Field(description="Cells held back: fewer than k residents behind them")


class RepurchaseRate(BaseModel):
    """How many of an item's buyers bought it again, and after how long."""

    item: str
    item_name: str
    buyers: int = Field(description="Distinct residents who bought it (at least k)")
    repeat_buyers: int = Field(description="Of them, those who bought it on two days or more")
    rate: float = Field(description="repeat_buyers / buyers (three decimals)")
    median_days_between: float | None = Field(
        description="The median gap between a repeat buyer's purchases; only over k or more "
        "repeat buyers"
    )


class RepurchaseRates(BaseModel):
    """Repurchase rates per item over complete days up to yesterday."""

    community: str
    k: int
    window_from: date
    window_to: date
    items: list[RepurchaseRate]
    suppressed: int


class ItemFeedback(BaseModel):
    """Residents' remarks on one item, without authors, in no telling order."""

    item: str
    item_name: str
    residents: int
    remarks: list[str]


class FeedbackSummary(BaseModel):
    """Residents' remarks per item, only for items remarked on by at least k residents."""

    community: str
    k: int
    items: list[ItemFeedback]
    suppressed: int


class FeedbackIn(BaseModel):
    """A resident's remark on an item.

    Phone numbers, e-mail addresses and ID numbers in it are removed before it is stored.
    """

    text: str = Field(min_length=1, max_length=500)


class MyFeedback(BaseModel):
    """A resident's own remark on an item, as stored."""

    item: str
    text: str


class InsightSettings(BaseModel):
    """A community's insight settings: the smallest crowd an aggregate is answered over."""

    k: int = Field(ge=5, le=1000)
