"""What the live flash sale's operations take and answer, and the pure rules of a purchase."""

from __future__ import annotations

from datetime import datetime

from linli_sdk import Conflict, Money
from pydantic import BaseModel, Field

__all__ = [
    "ItemState",
    "LiveBoard",
    "LiveItemRef",
    "LiveItemView",
    "LiveOrderList",
    "LiveOrderPlaced",
    "LiveOrderQuery",
    "LiveOrderRef",
    "LiveOrderView",
    "LivePurchase",
    "LiveSessionOpening",
    "LiveSessionRef",
    "NewLiveItem",
    "order_ref",
    "payees",
    "refusal",
    "refused",
]


class LiveSessionOpening(BaseModel):
    """A live session to open."""

    title: str = Field(min_length=1, max_length=120)


class NewLiveItem(BaseModel):
    """An item to put on sale in a live session."""

    session_id: int
    name: str = Field(min_length=1, max_length=120)
    price: Money = Field(description="The unit price.")
    stock: int = Field(ge=1, le=1_000_000, description="Units on sale.")
    per_person_limit: int = Field(default=1, ge=1, le=1000, description="Units one buyer may buy.")
    minutes: int = Field(default=10, ge=1, le=24 * 60, description="How long it stays on sale.")
    supplier_id: int | None = Field(
        default=None, description="Who supplies it (paid the supplier's share); the leader if none."
    )


class LiveSessionRef(BaseModel):
    """One live session, by id."""

    session_id: int


class LiveItemRef(BaseModel):
    """One item of a live session, by id."""

    item_id: int


class LivePurchase(BaseModel):
    """What a resident buys."""

    item_id: int
    quantity: int = Field(default=1, ge=1, le=1000)


class LiveItemView(BaseModel):
    """An item of a live session, as the board shows it."""

    id: int
    name: str
    price: Money
    stock: int
    stock_left: int
    sold: int
    orders: int
    per_person_limit: int
    on_sale: bool
    on_sale_until: datetime


class LiveBoard(BaseModel):
    """A live session's counter: each item's stock left and orders, and the totals."""

    session_id: int
    title: str
    leader_id: int
    open: bool
    items: list[LiveItemView]
    sold: int
    orders: int


class LiveOrderView(BaseModel):
    """A flash-sale purchase: its captured charge, and when it was collected (核销)."""

    id: int
    session_id: int
    item_id: int
    buyer_id: int
    quantity: int
    amount: Money
    charge_id: str
    ordered_at: datetime
    collected_at: datetime | None = None


class LiveOrderPlaced(LiveOrderView):
    """A purchase that just went through, with the stock it left."""

    stock_left: int


class LiveOrderRef(BaseModel):
    """One live order, by id."""

    order_id: int


class LiveOrderQuery(BaseModel):
    """Which of the caller's live orders to list."""

    session_id: int | None = None
    limit: int = Field(default=50, ge=1, le=200)


class LiveOrderList(BaseModel):
    """Live orders, newest first."""

    items: list[LiveOrderView]


# --- rules (pure) ----------------------------------------------------------------------------


class ItemState(BaseModel):
    """What the rules need to know of an item at one moment."""

    stock_left: int
    per_person_limit: int
    on_sale: bool
    on_sale_from: datetime
    on_sale_until: datetime


def refusal(item: ItemState, quantity: int, bought: int, now: datetime) -> str | None:
    """Why ``quantity`` more units cannot be sold to a buyer who has ``bought``, or ``None``.

    The reasons, in the order they are checked: ``not-on-sale`` (taken off or the session
    closed), ``not-started``, ``ended`` (past the time limit), ``sold-out`` (fewer units left
    than asked), ``over-limit`` (the buyer would pass the per-person limit).
    """
    if not item.on_sale:
        return "not-on-sale"
    if now < item.on_sale_from:
        return "not-started"
    if now >= item.on_sale_until:
        return "ended"
    if quantity > item.stock_left:
        return "sold-out"
    if bought + quantity > item.per_person_limit:
        return "over-limit"
    return None


def order_ref(item_id: int, buyer_id: int, bought: int) -> str:
    """The charge's order reference: the buyer's purchase that brought their count to ``bought``.

    Unique per purchase (the allowance row counts each buyer's units of an item), so a retried
    charge finds the first.
    """
    return f"live-{item_id}-{buyer_id}-{bought}"


def payees(leader_id: int, supplier_id: int) -> dict[str, int]:
    """Who is paid each revenue-share party of a live order (collected at the leader's point)."""
    return {"leader": leader_id, "pickup_host": leader_id, "supplier": supplier_id}


_MESSAGES = {
    "not-on-sale": "this item is not on sale",
    "not-started": "this item is not on sale yet",
    "ended": "this item's sale has ended",
    "over-limit": "this would pass the per-person limit of {limit}",
    "sold-out": "sold out: {left} left",
}


def refused(reason: str, item: ItemState) -> Conflict:
    """The conflict a refusal ``reason`` answers, with the stock left."""
    detail = _MESSAGES[reason].format(limit=item.per_person_limit, left=item.stock_left)
    return Conflict(detail, reason=reason, stock_left=item.stock_left)
