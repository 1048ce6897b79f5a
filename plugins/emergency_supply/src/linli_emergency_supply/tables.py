"""The emergency supply module's tables: prefixed ``emergency_supply_``, each with its community.

No column holds a household's vulnerability in the clear: it lives only inside
``HouseholdRow.sealed`` (sealed by the platform's vault), and every household has a sealed
value, vulnerable or not, so not even a column's emptiness tells one from the other.
"""

from __future__ import annotations

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["AllowanceRow", "DispatcherRow", "HouseholdRow", "OrderRow", "PackRow"]


class PackRow(Table, tablename="emergency_supply_pack"):
    """A ration pack (应急物资包) of one emergency's catalogue."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    emergency_id = Varchar(length=40, index=True)
    name = Varchar(length=120)
    contents = Text()
    currency = Varchar(length=3)
    price = Integer()  # minor units; 0 for a pack the government or a donor pays for
    quota = Integer()  # at most so many per household for the whole emergency
    supplier_id = Integer(null=True, default=None)
    created_at = Timestamptz()


class HouseholdRow(Table, tablename="emergency_supply_household"):
    """A household (户): one unit of the community, registered by one of its residents."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    key = Varchar(length=120, unique=True)  # "{community}:{building}:{room}"
    building = Varchar(length=40)
    room = Varchar(length=40)
    member_id = Integer()
    delivery_code = Varchar(length=8)  # shown to the household, checked at the door
    sealed = Text()  # the vault's token of {"vulnerability": ..., "consent": ...}
    created_at = Timestamptz()


class AllowanceRow(Table, tablename="emergency_supply_allowance"):
    """How many of one pack one household ordered (checked against the quota in one UPDATE)."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    key = Varchar(length=120, unique=True)  # "{community}:{pack}:{household}"
    pack_id = Integer()
    household_id = Integer()
    taken = Integer(default=0)


class OrderRow(Table, tablename="emergency_supply_order"):
    """A household's order of ration packs, dispatched to a volunteer and delivered to its door."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    emergency_id = Varchar(length=40, index=True)
    household_id = Integer(index=True)
    building = Varchar(length=40)
    pack_id = Integer()
    quantity = Integer()
    currency = Varchar(length=3)
    amount = Integer()
    charge_id = Varchar(length=64, default="")
    status = Varchar(length=16, default="ordered", index=True)
    job_id = Varchar(length=40, default="")
    position = Integer(null=True, default=None)  # its place in the dispatch order
    volunteer_id = Integer(null=True, default=None)
    created_at = Timestamptz()
    dispatched_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)


class DispatcherRow(Table, tablename="emergency_supply_dispatcher"):
    """A member an operator appointed to dispatch one emergency's deliveries (调度员)."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    key = Varchar(length=80, unique=True)  # "{community}:{emergency}:{member}"
    emergency_id = Varchar(length=40)
    member_id = Integer()
    appointed_at = Timestamptz()
