"""The insights' tables: each community's k and residents' remarks on items.

Every row carries its community. A remark keeps the member only to count distinct residents
(k) and to let its author see, change or delete it; suppliers never see who wrote it.
"""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from ..tables import Community, Member

__all__ = ["InsightSetting", "ItemRemark"]


class InsightSetting(Table, tablename="linli_insights_setting"):
    """A community's insight settings, set by its operator: ``k``, the smallest crowd."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, unique=True)
    k = Integer()
    updated_at = Timestamptz()


class ItemRemark(Table, tablename="linli_insights_remark"):
    """A resident's remark on an item, cleaned of phone numbers and the like; one per item."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    member = ForeignKey(references=Member, index=True)
    item = Varchar(length=64)
    text = Text()
    updated_at = Timestamptz()
    scope_key = Varchar(length=200, unique=True)  # "<community>:<member>:<item>"
