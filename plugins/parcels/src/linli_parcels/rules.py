"""The pickup point's rules: the storage fee, the residents' pickup codes, the parcel's life.

Pure functions only; the operations in :mod:`.parcels` apply them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import timedelta
from enum import StrEnum

__all__ = [
    "CODE_DIGITS",
    "DAY",
    "Status",
    "chargeable_days",
    "code_digits",
    "matches",
    "pickup_code",
    "read_code",
    "storage_fee",
]

DAY = timedelta(days=1)
"""One storage day: 24 hours from the moment the parcel was registered."""

CODE_DIGITS = 6
"""How many secret digits a pickup code carries."""

_CODE = re.compile(r"^\s*(\d{1,9})-(\d{6})\s*$")


class Status(StrEnum):
    """Where a parcel is: waiting at the pickup point, then collected or returned."""

    WAITING = "waiting"
    """Registered by the courier, on the point's shelf; the unit's residents hold codes."""
    COLLECTED = "collected"
    """Handed over: the host verified a resident's code (核销); the storage fee, if any, paid."""
    RETURNED = "returned"
    """Handed back to the courier uncollected (退回); nobody pays storage."""


def chargeable_days(held: timedelta, free_days: int) -> int:
    """How many storage days are charged for a parcel held for ``held``.

    Every started day after the first ``free_days`` whole days counts: held 3 days and one
    minute with 3 free days is one chargeable day. Never negative.
    """
    beyond = held - free_days * DAY
    if beyond <= timedelta(0):
        return 0
    whole, part = divmod(beyond, DAY)
    return whole + (1 if part else 0)


def storage_fee(held: timedelta, *, free_days: int, per_day: int, cap: int) -> int:
    """The storage fee (minor units) for a parcel held for ``held``.

    ``per_day`` for each started day after ``free_days`` free days, never more than ``cap``:
    ``min(cap, per_day * chargeable_days(held, free_days))``. Zero within the free days, never
    negative (``per_day`` and ``cap`` are not negative).
    """
    if per_day < 0 or cap < 0 or free_days < 0:
        raise ValueError("fee settings are never negative")
    return min(cap, per_day * chargeable_days(held, free_days))


def code_digits(secret: str, member_id: int) -> str:
    """The six secret digits of a member's code for a parcel: an HMAC of the member id.

    ``secret`` is the parcel's own random key: each resident of the unit holds a code of their
    own for it, and nobody derives another's from theirs.
    """
    digest = hmac.new(secret.encode(), str(member_id).encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def pickup_code(secret: str, member_id: int) -> str:
    """The pickup code a resident shows at the point: ``<member id>-<six digits>``."""
    return f"{member_id}-{code_digits(secret, member_id)}"


def read_code(code: str) -> tuple[int, str] | None:
    """The member id and digits of a code as typed, or ``None`` when it is not one."""
    found = _CODE.match(code)
    if found is None:
        return None
    return int(found.group(1)), found.group(2)


def matches(secret: str, member_id: int, digits: str) -> bool:
    """Whether ``digits`` are the member's code for the parcel (compared in constant time)."""
    return hmac.compare_digest(code_digits(secret, member_id), digits)
