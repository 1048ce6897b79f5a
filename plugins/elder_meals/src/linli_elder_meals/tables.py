"""The elder meals module's tables (prefixed ``elder_meals_``, each row with its community).

Personal data is kept to what the service needs: an elder's birth year (for the age rule) and
when they consented; an order's unit (where the meal goes). No name, phone or ID number is
stored: lists show member ids and units only.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import NotFound
from piccolo.columns import Boolean, Date, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["ElderRow", "FamilyRow", "MenuRow", "OrderRow", "row_in"]


class ElderRow(Table, tablename="elder_meals_elder"):
    """A member registered for elderly meals, with their consent.

    ``eligible_flag`` is the operator's decision on the subsidy (``None``: the age rule
    decides). ``elder_key`` is ``<community id>:<member id>``: one registration per member.
    """

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    member_id = Integer(index=True)
    elder_key = Varchar(length=40, unique=True)
    birth_year = Integer()
    eligible_flag = Boolean(null=True, default=None)
    consent_at = Timestamptz()
    registered_by = Integer()


class FamilyRow(Table, tablename="elder_meals_family"):
    """A family member an elder allows to order meals for them (and pay their share)."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    elder_id = Integer(index=True)
    family_id = Integer(index=True)
    link_key = Varchar(length=60, unique=True)
    added_at = Timestamptz()


class MenuRow(Table, tablename="elder_meals_menu"):
    """One meal a kitchen offers on one day: its dishes, price, capacity and cut-off.

    ``ordered`` never exceeds ``capacity`` (a conditional update takes each place).
    ``dishes`` holds one dish per line. ``status`` is ``open`` or ``closed`` (the cut-off
    passed or the kitchen closed orders; delivery rounds were dispatched).
    """

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    kitchen_id = Integer()
    day = Date(index=True)
    name = Varchar(length=80)
    dishes = Text()
    price_amount = Integer()
    currency = Varchar(length=3)
    capacity = Integer()
    ordered = Integer(default=0)
    cutoff_at = Timestamptz()
    deliver_from = Timestamptz()
    deliver_until = Timestamptz()
    status = Varchar(length=12)
    created_at = Timestamptz()


class OrderRow(Table, tablename="elder_meals_order"):
    """One meal ordered for one diner, by the diner or by a family member.

    Money is in minor units of ``currency``: ``price_amount`` is the meal's price,
    ``subsidy_amount`` what the government payer pays, ``resident_amount`` the rest, paid by
    ``ordered_by``. ``hold_id`` is the hold on the orderer's share placed with the order,
    ``charge_id`` the charge taking it on delivery, ``subsidy_charge_id`` the charge to the
    government payer. ``active_key`` (``<community>:<day>:<diner>``) is set while the order
    stands, so a diner has at most one meal a day; it is cleared on cancellation.
    """

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    menu_id = Integer(index=True)
    kitchen_id = Integer()
    day = Date(index=True)
    diner_id = Integer(index=True)
    ordered_by = Integer(index=True)
    active_key = Varchar(length=60, unique=True, null=True, default=None)
    unit = Varchar(length=40)
    building = Varchar(length=20)
    price_amount = Integer()
    subsidy_amount = Integer()
    resident_amount = Integer()
    currency = Varchar(length=3)
    status = Varchar(length=16, index=True)
    delivery_code = Varchar(length=6)
    hold_id = Varchar(length=40, null=True, default=None)
    charge_id = Varchar(length=40, null=True, default=None)
    subsidy_status = Varchar(length=16)
    subsidy_charge_id = Varchar(length=40, null=True, default=None)
    job_id = Varchar(length=40, null=True, default=None)
    worker_id = Integer(null=True, default=None)
    created_at = Timestamptz()
    cancelled_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)


async def row_in(
    table: type[MenuRow | OrderRow], community_id: int, row_id: int, what: str
) -> dict[str, Any]:
    """The row ``row_id`` of ``table`` in the community (a ``what``, as errors name it).

    Raises:
        NotFound: There is no such ``what`` in the community.

    """
    row: dict[str, Any] | None = (
        await table.select()
        .where((table.id == row_id) & (table.community_id == community_id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no {what} {row_id} in this community")
    return row
