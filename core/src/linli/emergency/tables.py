"""The emergency channel's table: one row per community an emergency was declared for."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from ..tables import Community

__all__ = ["EmergencyRow"]


class EmergencyRow(Table, tablename="linli_emergency_declaration"):
    """An emergency in one community; a declaration for several communities has a row in each.

    The rows of one declaration share its ``reference``; no transaction spans two communities.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    reference = Varchar(length=40, index=True)
    scope_key = Varchar(length=80, unique=True)  # "<community id>:<reference>"
    kind = Varchar(length=40)
    starts_at = Timestamptz()
    ends_at = Timestamptz(null=True, default=None)
    notes = Text(default="")
    declared_by = Varchar(length=40)  # "platform" or "member:<id>"
    declared_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)
