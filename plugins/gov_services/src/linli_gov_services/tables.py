"""The gov services module's tables (prefixed ``gov_services_``, each row with its community).

No table holds an ID number: the module reads it from the host when the assigned staff member
asks, and keeps nothing of it.
"""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["AppointmentRow", "ServiceRow", "SlotRow", "StaffRow", "SubsidyClaimRow"]


class ServiceRow(Table, tablename="gov_services_service"):
    """An errand the community station handles, and the government's subsidy per completion."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    name = Varchar(length=120)
    kind = Varchar(length=40)
    minutes = Integer()
    subsidy_amount = Integer()
    currency = Varchar(length=3)
    active = Boolean(default=True)
    created_at = Timestamptz()


class SlotRow(Table, tablename="gov_services_slot"):
    """A bookable time at the station for one service; ``booked`` never exceeds ``capacity``."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    service_id = Integer(index=True)
    starts_at = Timestamptz()
    capacity = Integer()
    booked = Integer(default=0)


class StaffRow(Table, tablename="gov_services_staff"):
    """A member who works at the community station (the roster an operator keeps)."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    member_id = Integer()
    display_name = Varchar(length=100)
    active = Boolean(default=True)
    added_at = Timestamptz()


class AppointmentRow(Table, tablename="gov_services_appointment"):
    """A resident's appointment in a slot; ``staff_id`` is the member handling it.

    ``resident_name`` is the display name the resident shows neighbours, kept so that lists
    need no member look-up (a look-up by a module granted ``members.national_id`` unseals the
    ID number and is audit-logged, so the module looks up only when it needs the number).

    ``status`` is ``booked``, ``completed`` or ``cancelled``.
    """

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    slot_id = Integer(index=True)
    service_id = Integer()
    resident_id = Integer(index=True)
    resident_name = Varchar(length=100)
    status = Varchar(length=16, index=True)
    staff_id = Integer(null=True, default=None)
    booked_at = Timestamptz()
    completed_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)


class SubsidyClaimRow(Table, tablename="gov_services_subsidy_claim"):
    """The government subsidy one completed appointment earns the station.

    ``status`` is ``recorded`` (waiting for the payer and payee to be set) or ``charged`` (the
    subsidy is a charge in the ledger, ``charge_id``). ``claim_key`` is
    ``<community id>:<appointment id>``: one claim per appointment.
    """

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    appointment_id = Integer()
    claim_key = Varchar(length=40, unique=True)
    amount = Integer()
    currency = Varchar(length=3)
    status = Varchar(length=16, index=True)
    charge_id = Varchar(length=40, null=True, default=None)
    created_at = Timestamptz()
    charged_at = Timestamptz(null=True, default=None)
