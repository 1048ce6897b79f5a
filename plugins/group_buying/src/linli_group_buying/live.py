"""Live flash sales (社区团播): a leader sells items live and residents buy at once.

A leader (团长) opens a live session and puts items on, each with its stock, a price and a time
limit. Residents buy while the item is on sale; everyone watching sees the stock left and the
orders as they change (the ``live-board`` stream, served as Server-Sent Events).

Two rows decide every purchase, each by one conditional write in the call's transaction, so
thousands of concurrent buyers can never oversell nor pass their limit:

- the buyer's allowance row for the item (one per buyer and item): ``bought + n <= limit``;
- the item's row, last: ``UPDATE ... SET stock_left = stock_left - n WHERE stock_left >= n``.

If either write finds nothing to change, the call fails and nothing it did is kept. Payment is
captured at once (``capture=True``): a flash sale is a sale of stock in hand, final when the
stock row agrees, with no threshold to wait for — so there is no burst of captures at the
close and no authorisation to expire; a refund is the after-sale's business. The parties'
shares stay held until the leader hands the order over (``hand-over-live-order``, 核销).
"""

from __future__ import annotations

from linli_sdk import Operation

from .live_models import (
    ItemState,
    LiveBoard,
    LiveItemView,
    LiveOrderList,
    LiveOrderPlaced,
    LiveOrderView,
    order_ref,
    payees,
    refusal,
)
from .live_orders import BUY_RATE_LIMIT, buy_live_item, hand_over_live_order, my_live_orders
from .live_sessions import (
    BOARD_HEARTBEAT_SECONDS,
    BOARD_POLL_SECONDS,
    close_live_session,
    live_board,
    live_session,
    open_live_session,
    put_on_live_item,
    take_off_live_item,
)

__all__ = [
    "BOARD_HEARTBEAT_SECONDS",
    "BOARD_POLL_SECONDS",
    "BUY_RATE_LIMIT",
    "OPERATIONS",
    "ItemState",
    "LiveBoard",
    "LiveItemView",
    "LiveOrderList",
    "LiveOrderPlaced",
    "LiveOrderView",
    "order_ref",
    "payees",
    "refusal",
]

OPERATIONS: tuple[Operation, ...] = (
    open_live_session,
    put_on_live_item,
    take_off_live_item,
    close_live_session,
    buy_live_item,
    hand_over_live_order,
    my_live_orders,
    live_session,
    live_board,
)
"""The live sale's operations, for the module's manifest."""
