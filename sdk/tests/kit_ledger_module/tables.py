"""The module's one table: a line per entry written."""

from __future__ import annotations

from piccolo.columns import Integer, Varchar
from piccolo.table import Table


class LineRow(Table, tablename="kit_ledger_line"):
    """An entry of one community."""

    community_id = Integer(index=True)
    note = Varchar(length=40)
