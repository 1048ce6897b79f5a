"""The parcels module's tables (prefixed ``parcels_``, each row with its community).

No table holds a recipient's name or phone number: a parcel is addressed to a unit
(``building-room``), and residents of that unit find it by their own unit.
"""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["CourierRow", "ParcelRow"]


class CourierRow(Table, tablename="parcels_courier"):
    """A courier company's back end admitted by the operator.

    ``client_id`` is the OAuth client its back end calls with (client credentials);
    ``payer_id`` the member account charged the commission for each parcel it registers.
    """

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    name = Varchar(length=100)
    client_id = Varchar(length=64, index=True)
    payer_id = Integer()
    active = Boolean(default=True)
    added_at = Timestamptz()


class ParcelRow(Table, tablename="parcels_parcel"):
    """A parcel a courier left at a pickup point for a unit.

    ``parcel_key`` is ``<community>:<courier>:<tracking number>``: registering the same
    tracking number again finds this row. ``secret`` is the parcel's random key from which each
    resident's pickup code is derived. ``status`` is ``waiting``, ``collected`` or
    ``returned``; ``collected_by`` the resident whose code was verified, charged
    ``storage_fee`` (minor units, ``storage_charge_id`` when above zero); ``handled_by`` the
    host who handed the parcel over (or back). ``commission`` is what the courier was
    charged for the parcel (``commission_charge_id`` when above zero).
    """

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    parcel_key = Varchar(length=120, unique=True)
    courier_id = Integer(index=True)
    tracking_number = Varchar(length=40)
    point_id = Integer(index=True)
    unit = Varchar(length=40, index=True)
    secret = Varchar(length=64)
    status = Varchar(length=16, index=True)
    currency = Varchar(length=3)
    commission = Integer(default=0)
    commission_charge_id = Varchar(length=40, null=True, default=None)
    registered_at = Timestamptz()
    collected_at = Timestamptz(null=True, default=None)
    collected_by = Integer(null=True, default=None)
    returned_at = Timestamptz(null=True, default=None)
    handled_by = Integer(null=True, default=None)
    storage_fee = Integer(default=0)
    storage_charge_id = Varchar(length=40, null=True, default=None)
