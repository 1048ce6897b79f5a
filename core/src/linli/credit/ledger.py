"""The credit ledger: recording events (idempotently), annulling them, reading scores.

Every function runs in the caller's transaction. Scores are never stored: each read recomputes
them from the events that are not annulled, with the model in :mod:`linli.credit.model`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from linli_sdk import Community, InvalidInput, NotFound

from linli.db.raw import fetch

from ..settings import Settings
from ..tables import Member
from . import model, rules
from .tables import CreditAnnulment, CreditAudit, CreditEventRow, ProviderStanding

__all__ = [
    "CreditBook",
    "Subject",
    "annul",
    "audit",
    "events_of",
    "record",
    "subject_columns",
    "subjects",
]

_LIVE_EVENTS = (
    "SELECT e.id, e.subject_id, e.module, e.event, e.weight, e.event_id, e.occurred_ms "
    "FROM linli_credit_event e LEFT JOIN linli_credit_annulment a ON a.event = e.id "
    "WHERE e.community = {} AND e.subject_kind = {} AND a.id IS NULL"
)


@dataclass(frozen=True, slots=True)
class Subject:
    """Whom credit events are about: a member or a provider, in one community."""

    kind: str  # "member" or "provider"
    id: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


async def audit(community: Community, actor: str, action: str, subject: str, **detail: Any) -> None:
    """Append one line to the credit audit log."""
    await CreditAudit.insert(
        CreditAudit(
            community=community.id,
            actor=actor,
            action=action,
            subject=subject,
            detail=detail,
            at=datetime.now(UTC),
        )
    ).run()


async def record(
    community: Community,
    subject: Subject,
    *,
    module: str,
    event: str,
    weight: int,
    event_id: str,
    occurred: datetime | None = None,
) -> bool:
    """Append a credit event; ``False`` if ``module`` already recorded ``event_id`` here.

    The caller has checked the weight against the declared bounds.
    """
    if not event_id or len(event_id) > 200:
        raise InvalidInput("a credit event needs an event_id of 1 to 200 characters")
    now = datetime.now(UTC)
    inserted = await (
        CreditEventRow.insert(
            CreditEventRow(
                community=community.id,
                subject_kind=subject.kind,
                subject_id=subject.id,
                module=module,
                event=event,
                weight=weight,
                event_id=event_id,
                scope_key=f"{community.id}:{module}:{event_id}",
                occurred_ms=model.epoch_ms(occurred or now),
                recorded_at=now,
            )
        )
        .on_conflict(target=CreditEventRow.scope_key, action="DO NOTHING")
        .returning(CreditEventRow.id)
        .run()
    )
    return bool(inserted)


def _event(row: dict[str, Any]) -> model.CreditEvent:
    return model.CreditEvent(
        event_id=f"{row['module']}:{row['event_id']}",
        subject=row["subject_id"],
        module=row["module"],
        name=row["event"],
        weight=row["weight"],
        occurred_ms=row["occurred_ms"],
        ref=row["id"],
    )


async def events_of(community: Community, subject: Subject) -> list[model.CreditEvent]:
    """The subject's events that count (not annulled)."""
    query = _LIVE_EVENTS + " AND e.subject_id = {} ORDER BY e.id"
    rows = await fetch(CreditEventRow._meta.db, query, community.id, subject.kind, subject.id)
    return [_event(row) for row in rows]


async def subjects(community: Community, kind: str) -> list[int]:
    """Every member of the community (or every provider admitted to it), ascending."""
    if kind == "provider":
        rows = await ProviderStanding.select(ProviderStanding.provider).where(
            ProviderStanding.community == community.id
        )
        return sorted(int(row["provider"]) for row in rows)
    rows = await Member.select(Member.id).where(Member.community == community.id)
    return sorted(int(row["id"]) for row in rows)


async def subject_columns(community: Community, kind: str) -> model.Columns:
    """Every counting event about members (or providers) of the community, as columns."""
    rows = await fetch(CreditEventRow._meta.db, _LIVE_EVENTS, community.id, kind)
    modules = sorted({row["module"] for row in rows})
    code = {name: i for i, name in enumerate(modules)}
    count = len(rows)
    return model.Columns(
        subject=np.fromiter((r["subject_id"] for r in rows), np.int64, count),
        source=np.fromiter((code[r["module"]] for r in rows), np.int64, count),
        weight=np.fromiter((r["weight"] for r in rows), np.int64, count),
        occurred_ms=np.fromiter((r["occurred_ms"] for r in rows), np.int64, count),
    )


async def annul(community: Community, event_ref: int, reason: str, actor: str) -> dict[str, Any]:
    """Annul the event with row id ``event_ref`` (once), with a reason, in the audit log."""
    if not reason.strip():
        raise InvalidInput("an annulment needs a reason", field="reason")
    row = (
        await CreditEventRow.select()
        .where((CreditEventRow.id == event_ref) & (CreditEventRow.community == community.id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound(f"there is no credit event {event_ref} in {community.slug}")
    member = int(actor.removeprefix("member:")) if actor.startswith("member:") else None
    await (
        CreditAnnulment.insert(
            CreditAnnulment(
                community=community.id,
                event=event_ref,
                reason=reason,
                annulled_by=member,
                annulled_at=datetime.now(UTC),
            )
        )
        .on_conflict(target=CreditAnnulment.event, action="DO NOTHING")
        .run()
    )
    subject = f"{row['subject_kind']}:{row['subject_id']}"
    await audit(
        community, actor, "event_annulled", f"event:{event_ref}", reason=reason, about=subject
    )
    return row


class CreditBook:
    """The credit model and gates as the settings configure them."""

    def __init__(self, settings: Settings) -> None:
        self.model = model.CreditModel(
            base=settings.credit_base_score,
            half_life_days=settings.credit_half_life_days,
            cap=settings.credit_cap_per_module,
            cap_period_days=settings.credit_cap_period_days,
        )
        self.thresholds = rules.Thresholds(
            pay_after_service=settings.credit_pay_after_service_score,
            deposits_waived=settings.credit_deposits_waived_score,
            restricted_below=settings.credit_restricted_below,
            provider_suspend_below=settings.credit_provider_suspend_below,
            provider_probation_suspend_below=settings.credit_provider_probation_suspend_below,
        )

    async def explain(
        self, community: Community, subject: Subject, at: datetime | None = None
    ) -> model.Explanation:
        """The subject's score now (or at ``at``) with every counting event's part in it."""
        events = await events_of(community, subject)
        return model.explain(events, at or datetime.now(UTC), self.model)

    async def score(self, community: Community, subject: Subject) -> int:
        """The subject's score now."""
        return (await self.explain(community, subject)).score

    async def distribution(self, community: Community, kind: str) -> dict[int, int]:
        """Every subject of ``kind`` with events in the community → its score now."""
        cols = await subject_columns(community, kind)
        subjects, scores = model.scores(cols, model.epoch_ms(datetime.now(UTC)), self.model)
        return dict(zip(subjects.tolist(), scores.tolist(), strict=True))
