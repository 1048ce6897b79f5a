"""The conformance module's one table: an order row written before each charge."""

from __future__ import annotations

from piccolo.columns import Integer, Varchar
from piccolo.table import Table

__all__ = ["OrderRow"]


class OrderRow(Table, tablename="conformance_order"):
    """An order of one community, written before its charge is asked for."""

    community_id = Integer(index=True)
    order_ref = Varchar(length=100)
