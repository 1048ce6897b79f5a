"""A member's personal data in a module: the copy it gives (PIPL art. 45), its erasure (47).

A module that stores anything about a member implements ``linli_member_data`` and
``linli_member_erased`` (see :mod:`linli_sdk.hookspecs`). The first returns one
:class:`MemberRecords` per kind of record, each with a sentence saying what it is; the second
deletes or anonymises those records and returns a :class:`MemberErasure` saying what it kept
and which law requires it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, Field

__all__ = ["MemberErasure", "MemberRecords", "export_records"]


class MemberRecords(BaseModel):
    """One kind of record a module holds about a member, as plain JSON.

    ``records`` may hold dates and times: they become ISO 8601 strings in the export.
    """

    kind: str = Field(min_length=1, max_length=100)
    description: str = Field(min_length=1)
    records: list[dict[str, Any]]

    @classmethod
    def of(cls, kind: str, description: str, rows: Iterable[Mapping[str, Any]]) -> MemberRecords:
        """The records of one ``kind`` from table rows (``[]`` when there are none)."""
        return cls(kind=kind, description=description, records=[dict(row) for row in rows])


class MemberErasure(BaseModel):
    """What a module did when a member was erased.

    ``erased`` counts the records deleted or anonymised (0 when run again); ``kept`` says in a
    sentence what the module keeps and why a law requires it (empty: nothing is kept).
    """

    erased: int = Field(ge=0)
    kept: str = ""


def export_records(module: str, found: object) -> list[dict[str, Any]]:
    """A module's ``linli_member_data`` result as its section of the export (plain JSON).

    The kit and the platform both use it, so a module's section reads the same on each.

    Raises:
        TypeError: the hook returned something other than a list of :class:`MemberRecords`,
            or named one kind twice.

    """
    if not isinstance(found, list) or not all(isinstance(r, MemberRecords) for r in found):
        raise TypeError(f"linli_member_data of {module} must return a list of MemberRecords")
    kinds = [records.kind for records in found]
    if len(set(kinds)) != len(kinds):
        raise TypeError(f"linli_member_data of {module} names a kind twice: {kinds}")
    return [records.model_dump(mode="json") for records in found]
