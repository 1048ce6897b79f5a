"""The profiles' tables: purchase facts, consent to personalisation, tags and reminders.

Every row carries its community. A fact keeps only what reminders and supplier insights need
(PIPL art. 6, minimum necessary): who, which household (unit), which item, how many, for how
much, at which pickup point, on which day, and the module's order reference.
"""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Real,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from ..tables import Community, Member

__all__ = ["PersonalisationConsent", "PurchaseFactRow", "Reminder", "Tag"]


class PurchaseFactRow(Table, tablename="linli_profiles_fact"):
    """One item a member bought or booked through a module (``host.purchases.record``)."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    member = ForeignKey(references=Member, index=True)
    unit = Integer(null=True, default=None)  # the member's household (identity unit id)
    module = Varchar(length=40)
    order_ref = Varchar(length=120)
    item = Varchar(length=64)
    item_name = Varchar(length=120)
    category = Varchar(length=64)
    quantity = Integer()
    amount = Integer()
    currency = Varchar(length=3)
    pickup_point = Integer(null=True, default=None)
    day = Date(index=True)
    recorded_at = Timestamptz()
    scope_key = Varchar(length=300, unique=True)  # "<community>:<module>:<ref>:<item>"


class PersonalisationConsent(Table, tablename="linli_profiles_consent"):
    """A member's separate consent to personalisation; withdrawn consents stay as a record."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    member = ForeignKey(references=Member, index=True)
    wording = Text()
    given_at = Timestamptz()
    withdrawn_at = Timestamptz(null=True, default=None)


class Tag(Table, tablename="linli_profiles_tag"):
    """A need derived from one member's own purchases of one item: its repurchase cycle."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    member = ForeignKey(references=Member, index=True)
    item = Varchar(length=64)
    item_name = Varchar(length=120)
    cycle_days = Integer(null=True, default=None)  # None: not (yet) estimable
    confidence = Real(default=0.0)
    purchases = Integer()
    last_purchase = Date()
    refs = Text()  # JSON list of the order references it was derived from
    explanation = Text()
    corrected_cycle_days = Integer(null=True, default=None)  # set by the resident
    not_for_me = Boolean(default=False)  # the resident wants no reminders for it
    updated_at = Timestamptz()
    scope_key = Varchar(length=200, unique=True)  # "<community>:<member>:<item>"


class Reminder(Table, tablename="linli_profiles_reminder"):
    """A repurchase reminder: at most one per member, item and cycle (by its start day)."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    member = ForeignKey(references=Member, index=True)
    item = Varchar(length=64)
    cycle_start = Date()
    due_at = Timestamptz()
    sent_at = Timestamptz()
    scope_key = Varchar(length=240, unique=True)  # "<community>:<member>:<item>:<cycle start>"
