"""Reading the module's rows: a booking in its community."""

from __future__ import annotations

from typing import Any

from linli_sdk import NotFound

from .tables import BookingRow

__all__ = ["booking_row"]


async def booking_row(community_id: int, booking_id: int) -> dict[str, Any]:
    """The booking's row in the community.

    Raises:
        NotFound: There is no such booking in the community.

    """
    row: dict[str, Any] | None = (
        await BookingRow.select()
        .where((BookingRow.id == booking_id) & (BookingRow.community_id == community_id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no booking {booking_id} in this community")
    return row
