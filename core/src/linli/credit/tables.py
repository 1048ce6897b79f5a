"""The credit service's tables: events, annulments, audit, and provider governance.

Every row carries its community id. Events, annulments and the audit log are append-only:
an annulled event stays, and an annulment row says it no longer counts. Moments the score
compares (``occurred_ms``) are integer milliseconds since the epoch.
"""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from ..tables import Community, Member, Provider

__all__ = [
    "CreditAnnulment",
    "CreditAudit",
    "CreditEventRow",
    "ProviderAppeal",
    "ProviderApplication",
    "ProviderRating",
    "ProviderStanding",
]


class CreditEventRow(Table, tablename="linli_credit_event"):
    """One credit event about a member or a provider (``subject_kind`` ``member``/``provider``).

    ``module`` is the emitting module (``core`` for the core); ``scope_key``
    (``<community>:<module>:<event id>``) makes recording idempotent by event id.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    subject_kind = Varchar(length=10)
    subject_id = Integer(index=True)
    module = Varchar(length=40)
    event = Varchar(length=60)
    weight = Integer()
    event_id = Varchar(length=200)
    scope_key = Varchar(length=320, unique=True)
    occurred_ms = BigInt()
    recorded_at = Timestamptz()


class CreditAnnulment(Table, tablename="linli_credit_annulment"):
    """An operator's annulment of one event, with the reason: the event no longer counts."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    event = ForeignKey(references=CreditEventRow, unique=True)
    reason = Text()
    annulled_by = Integer(null=True, default=None)
    annulled_at = Timestamptz()


class CreditAudit(Table, tablename="linli_credit_audit"):
    """Who changed what in credit and governance: annulments, reviews, suspensions, appeals."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    actor = Varchar(length=40)  # "member:<id>", "platform" or "core"
    action = Varchar(length=40)
    subject = Varchar(length=40)  # "member:<id>", "provider:<id>", "event:<id>"...
    detail = JSON(default={})
    at = Timestamptz()


class ProviderApplication(Table, tablename="linli_credit_application"):
    """A provider's application to serve a community, with its documents (准入).

    ``status`` is ``submitted``, ``admitted`` or ``rejected``.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    applicant = ForeignKey(references=Member)
    provider_name = Varchar(length=200)
    provider = ForeignKey(references=Provider, null=True, default=None)
    documents = JSON(default=[])
    note = Text(default="")
    status = Varchar(length=16, default="submitted")
    decision_reason = Text(default="")
    decided_by = Integer(null=True, default=None)
    submitted_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)


class ProviderStanding(Table, tablename="linli_credit_provider"):
    """An admitted provider's status in one community: probation, active or suspended.

    ``reason`` is what the provider reads about its last change (why it was suspended).
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    provider = ForeignKey(references=Provider)
    scope_key = Varchar(length=40, unique=True)  # "<community>:<provider>"
    status = Varchar(length=16, default="probation")
    reason = Text(default="")
    probation_until = Timestamptz(null=True, default=None)
    changed_at = Timestamptz()


class ProviderAppeal(Table, tablename="linli_credit_appeal"):
    """A suspended provider's appeal; ``status`` is ``pending``, ``granted`` or ``refused``."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    provider = ForeignKey(references=Provider)
    filed_by = Integer(null=True, default=None)
    statement = Text()
    status = Varchar(length=16, default="pending")
    decision_reason = Text(default="")
    filed_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)


class ProviderRating(Table, tablename="linli_credit_rating"):
    """A resident's rating of a completed dispatch job (one per job), fed into credit."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    job = Integer()
    scope_key = Varchar(length=40, unique=True)  # "<community>:<job>"
    provider = ForeignKey(references=Provider)
    rater = Integer(null=True, default=None)
    stars = Integer()
    comment = Text(default="")
    rated_at = Timestamptz()
