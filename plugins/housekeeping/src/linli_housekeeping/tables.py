"""The housekeeping module's tables (prefixed ``housekeeping_``, each row with its community)."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["BookingRow", "ServiceRow", "VoucherRow"]


class ServiceRow(Table, tablename="housekeeping_service"):
    """A service an admitted provider offers in one community's catalogue.

    ``unit`` is ``hour`` (priced and booked by the hour) or ``job`` (one visit); a unit lasts
    ``minutes_per_unit``. ``provider_id`` is the member paid the provider's share.
    """

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    provider_id = Integer()
    name = Varchar(length=120)
    kind = Varchar(length=40)
    unit = Varchar(length=8)
    price_amount = Integer()
    currency = Varchar(length=3)
    minutes_per_unit = Integer()
    min_units = Integer(default=1)
    max_units = Integer(default=1)
    active = Boolean(default=True)
    created_at = Timestamptz()


class BookingRow(Table, tablename="housekeeping_booking"):
    """A resident's booking of a service for a time slot, from request to rating.

    Money columns are minor units in ``currency``: ``amount`` the price, ``discount`` what a
    compensation voucher took off, ``fee_amount`` what a late cancellation or a no-show kept.
    ``payment`` is ``authorized`` (held at booking, captured on completion) or
    ``after_service`` (charged on completion, for residents whose credit allows it).
    """

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    service_id = Integer()
    provider_id = Integer()
    resident_id = Integer(index=True)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    units = Integer()
    amount = Integer()
    discount = Integer(default=0)
    currency = Varchar(length=3)
    payment = Varchar(length=16)
    charge_id = Varchar(length=40, null=True, default=None)
    fee_amount = Integer(default=0)
    fee_charge_id = Varchar(length=40, null=True, default=None)
    start_code = Varchar(length=6)
    completion_code = Varchar(length=6)
    status = Varchar(length=20, index=True)
    job_id = Varchar(length=40, null=True, default=None)
    worker_id = Integer(null=True, default=None)
    rating = Integer(null=True, default=None)
    comment = Text(default="")
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    completed_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)


class VoucherRow(Table, tablename="housekeeping_voucher"):
    """Compensation owed to a resident (a provider did not show), taken off a later booking."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    member_id = Integer(index=True)
    amount = Integer()
    currency = Varchar(length=3)
    reason = Varchar(length=200)
    source_booking_id = Integer()
    used_booking_id = Integer(null=True, default=None)
    created_at = Timestamptz()
