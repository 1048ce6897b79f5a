"""Residents' remarks on items, cleaned of what could identify someone before they are kept.

A remark ("希望增加低糖选项") is about an item, not a person: what looks like a phone number, an
e-mail address or a resident ID number is replaced with ``[removed]`` before the remark is
stored, so a resident who writes "call me on 138 0013 8000" gives the supplier no way to reach
or recognise them. Whitespace is collapsed. What remains is only shown to suppliers among the
remarks of at least k residents, without authors (`linli.insights.aggregates.feedback`).
"""

from __future__ import annotations

import re

__all__ = ["REMOVED", "clean"]

REMOVED = "[removed]"
"""What stands where something identifying was."""

_PATTERNS = (
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail addresses
    # resident ID numbers (17 digits and a check digit or X) and any other run of 7+ digits,
    # spaces, dots or dashes between them allowed (phone numbers, 138-0013-8000, +86 ...)
    re.compile(r"\+?\d(?:[\s.\-()\uff08\uff09]*\d){6,}[\dXx]?"),
)


def clean(text: str) -> str:
    """``text`` with phone numbers, e-mail addresses and ID numbers replaced by `REMOVED`."""
    for pattern in _PATTERNS:
        text = pattern.sub(REMOVED, text)
    return " ".join(text.split())
