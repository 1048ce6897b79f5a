"""The live flash sale's own tables (社区团播): sessions, items on sale, allowances, orders.

Every row carries its community id. Stock and per-person limits are enforced by conditional
writes on these rows (see :mod:`linli_group_buying.live`), never by reading then writing.
"""

from __future__ import annotations

from piccolo.columns import BigInt, Boolean, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["LIVE_TABLES", "LiveAllowance", "LiveItem", "LiveOrder", "LiveSession"]


class LiveSession(Table, tablename="group_buying_live_session"):
    """A leader's live selling session (直播间): items go on and off while it is open."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    leader_id = Integer()
    title = Varchar(length=120)
    opened_at = Timestamptz()
    closed_at = Timestamptz(null=True, default=None)


class LiveItem(Table, tablename="group_buying_live_item"):
    """An item put on sale in a session: its stock, price (minor units) and time limit."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    session_id = Integer(index=True)
    leader_id = Integer()
    name = Varchar(length=120)
    price = BigInt()
    currency = Varchar(length=3)
    stock = Integer()
    stock_left = Integer()
    orders = Integer(default=0)
    per_person_limit = Integer()
    supplier_id = Integer()
    on_sale = Boolean(default=True)
    on_sale_from = Timestamptz()
    on_sale_until = Timestamptz()


class LiveAllowance(Table, tablename="group_buying_live_allowance"):
    """How many of an item one buyer has bought: one row per buyer and item (``buyer_item``)."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer()
    item_id = Integer()
    buyer_id = Integer()
    buyer_item = Varchar(length=40, unique=True)
    bought = Integer(default=0)


class LiveOrder(Table, tablename="group_buying_live_order"):
    """One flash-sale purchase, its charge, and when the buyer collected it (核销)."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    session_id = Integer()
    item_id = Integer(index=True)
    buyer_id = Integer(index=True)
    quantity = Integer()
    amount = BigInt()
    currency = Varchar(length=3)
    charge_id = Varchar(length=40)
    ordered_at = Timestamptz()
    collected_at = Timestamptz(null=True, default=None)


LIVE_TABLES: tuple[type[Table], ...] = (LiveSession, LiveItem, LiveAllowance, LiveOrder)
"""The live sale's tables, for the module's Piccolo app."""
