"""The notice board's own table (prefixed with the module's name, as every plugin table is)."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["NoticeRow"]


class NoticeRow(Table, tablename="noticeboard_notice"):
    """A notice posted to one community's board."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    title = Varchar(length=120)
    body = Text()
    author_id = Integer(null=True, default=None)
    pinned = Boolean(default=False)
    posted_at = Timestamptz()
    expires_at = Timestamptz()
