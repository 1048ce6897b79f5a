"""Provider governance (准入、培训、评价、淘汰): admission, probation, ratings, suspension, appeals.

- A provider applies to serve a community with its documents; an operator admits or rejects.
  Admission links the applicant to the provider (as ``provider_staff``) and starts probation.
- Residents rate completed dispatch jobs; each rating is a ``job_rated`` credit event about the
  job's provider.
- A negative event that leaves a provider under the threshold suspends it at once: the reason
  is kept for the provider to read, ``credit.provider_suspended`` goes out through the outbox,
  and dispatch offers its workers no more jobs (:func:`suspended_providers`).
- A suspended provider appeals; an operator grants the appeal (annulling the events found
  unfair, if any) and the provider is reinstated on probation, or refuses it.

Every function runs in the caller's transaction; every decision is in the credit audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from linli_sdk import Community, Conflict, Forbidden, InvalidInput, NotFound, Role

from ..auth import forget_callers
from ..dispatch.ports import record_event
from ..dispatch.store import json_value
from ..dispatch.tables import DispatchJob, ServiceWorker
from ..settings import Settings
from ..tables import Member, Provider
from . import ledger, rules
from .ledger import CreditBook, Subject
from .rules import ProviderStatus
from .tables import ProviderAppeal, ProviderApplication, ProviderRating, ProviderStanding

__all__ = [
    "REQUIRED_DOCUMENTS",
    "admit_or_reject",
    "apply",
    "decide_appeal",
    "file_appeal",
    "provider_of",
    "provider_view",
    "rate_job",
    "record_core",
    "suspended_providers",
]

REQUIRED_DOCUMENTS = frozenset({"business_license"})
"""Document kinds every application must carry (others, e.g. ``health_certificate``, may)."""


async def suspended_providers(community_id: int) -> frozenset[int]:
    """The providers suspended in the community: dispatch offers their workers nothing."""
    rows = await ProviderStanding.select(ProviderStanding.provider).where(
        (ProviderStanding.community == community_id)
        & (ProviderStanding.status == ProviderStatus.SUSPENDED.value)
    )
    return frozenset(int(row["provider"]) for row in rows)


async def provider_of(community: Community, member_id: int | None) -> int | None:
    """The provider the member works for in this community, if any."""
    if member_id is None:
        return None
    row = (
        await Member.select(Member.provider)
        .where((Member.id == member_id) & (Member.community == community.id))
        .first()
        .run()
    )
    return None if row is None or row["provider"] is None else int(row["provider"])


async def _standing_row(community: Community, provider_id: int) -> dict[str, Any]:
    row = (
        await ProviderStanding.select()
        .where(
            (ProviderStanding.community == community.id)
            & (ProviderStanding.provider == provider_id)
        )
        .first()
        .run()
    )
    if row is None:
        raise NotFound(f"provider {provider_id} is not admitted in {community.slug}")
    return row


async def _set_status(
    community: Community,
    provider_id: int,
    status: ProviderStatus,
    reason: str,
    probation_until: datetime | None = None,
) -> None:
    await (
        ProviderStanding.update(
            {
                ProviderStanding.status: status.value,
                ProviderStanding.reason: reason,
                ProviderStanding.probation_until: probation_until,
                ProviderStanding.changed_at: datetime.now(UTC),
            }
        )
        .where(
            (ProviderStanding.community == community.id)
            & (ProviderStanding.provider == provider_id)
        )
        .run()
    )


async def apply(
    community: Community,
    applicant_id: int,
    provider_name: str,
    documents: Sequence[dict[str, str]],
    note: str = "",
) -> dict[str, Any]:
    """File a provider's application to serve the community, with its documents."""
    missing = REQUIRED_DOCUMENTS - {d["kind"] for d in documents}
    if missing:
        raise InvalidInput(
            f"the application lacks the documents: {', '.join(sorted(missing))}",
            field="documents",
        )
    now = datetime.now(UTC)
    (row,) = await ProviderApplication.insert(
        ProviderApplication(
            community=community.id,
            applicant=applicant_id,
            provider_name=provider_name,
            documents=list(documents),
            note=note,
            status="submitted",
            submitted_at=now,
        )
    ).returning(ProviderApplication.id)
    await ledger.audit(
        community, f"member:{applicant_id}", "application_filed", f"application:{row['id']}"
    )
    return await _application(community, int(row["id"]))


async def _application(community: Community, application_id: int) -> dict[str, Any]:
    row = (
        await ProviderApplication.select()
        .output(load_json=True)
        .where(
            (ProviderApplication.id == application_id)
            & (ProviderApplication.community == community.id)
        )
        .first()
        .run()
    )
    if row is None:
        raise NotFound(f"there is no application {application_id} in {community.slug}")
    return row


async def admit_or_reject(
    settings: Settings,
    community: Community,
    application_id: int,
    *,
    admit: bool,
    reason: str,
    actor: str,
) -> dict[str, Any]:
    """An operator's review: admit (on probation) or reject a submitted application."""
    row = await _application(community, application_id)
    if row["status"] != "submitted":
        raise Conflict(f"application {application_id} was already {row['status']}")
    now = datetime.now(UTC)
    provider_id: int | None = None
    if admit:
        (made,) = await Provider.insert(
            Provider(name=row["provider_name"], created_at=now)
        ).returning(Provider.id)
        provider_id = int(made["id"])
        until = now + timedelta(days=settings.credit_provider_probation_days)
        await ProviderStanding.insert(
            ProviderStanding(
                community=community.id,
                provider=provider_id,
                scope_key=f"{community.id}:{provider_id}",
                status=ProviderStatus.PROBATION.value,
                reason=f"admitted: {reason}",
                probation_until=until,
                changed_at=now,
            )
        ).run()
        await _make_staff(community, row["applicant"], provider_id)
    status = "admitted" if admit else "rejected"
    await (
        ProviderApplication.update(
            {
                ProviderApplication.status: status,
                ProviderApplication.provider: provider_id,
                ProviderApplication.decision_reason: reason,
                ProviderApplication.decided_by: _member(actor),
                ProviderApplication.decided_at: now,
            }
        )
        .where(
            (ProviderApplication.id == application_id)
            & (ProviderApplication.community == community.id)
        )
        .run()
    )
    subject = f"application:{application_id}"
    await ledger.audit(community, actor, f"application_{status}", subject, reason=reason)
    if provider_id is not None:
        payload = {"provider": provider_id, "application": application_id}
        await record_event(community, None, "credit.provider_admitted", payload)
    return await _application(community, application_id)


async def _make_staff(community: Community, member_id: int, provider_id: int) -> None:
    row = await Member.select(Member.roles).where(Member.id == member_id).first().run()
    roles = json_value(row["roles"]) if row else []
    await (
        Member.update(
            {Member.provider: provider_id, Member.roles: sorted({*roles, Role.PROVIDER_STAFF})}
        )
        .where((Member.id == member_id) & (Member.community == community.id))
        .run()
    )
    forget_callers()  # the member's roles changed


def _member(actor: str) -> int | None:
    return int(actor.removeprefix("member:")) if actor.startswith("member:") else None


async def record_core(
    book: CreditBook,
    community: Community,
    subject: Subject,
    *,
    event: str,
    weight: int,
    event_id: str,
    actor: str,
) -> bool:
    """Record one of the core's own credit events (inside its bounds); a provider's may suspend.

    ``False`` if the core already recorded ``event_id`` in this community.
    """
    problem = rules.out_of_bounds(rules.CORE, rules.core_event(event), event, weight)
    if problem:
        raise InvalidInput(problem, field="weight")
    recorded = await ledger.record(
        community, subject, module=rules.CORE, event=event, weight=weight, event_id=event_id
    )
    if recorded:
        await ledger.audit(
            community, actor, "event_recorded", str(subject), event=event, weight=weight
        )
    if recorded and subject.kind == "provider":
        await _evaluate(book, community, subject.id, weight)
    return recorded


async def _evaluate(book: CreditBook, community: Community, provider_id: int, weight: int) -> None:
    """After a provider's event: suspend it if the event left it under its threshold."""
    row = await _standing_row(community, provider_id)
    now = datetime.now(UTC)
    status = rules.current_status(row["status"], row["probation_until"], now)
    score = await book.score(community, Subject("provider", provider_id))
    if not rules.should_suspend(status, score, weight, book.thresholds):
        return
    limit = rules.suspend_threshold(status, book.thresholds)
    reason = (
        f"suspended automatically: the credit score {score} fell below the threshold {limit}"
        f"{' for providers on probation' if status is ProviderStatus.PROBATION else ''}; "
        "dispatch offers your workers no jobs until an appeal is granted"
    )
    await _set_status(community, provider_id, ProviderStatus.SUSPENDED, reason)
    await ledger.audit(
        community,
        "core",
        "provider_suspended",
        f"provider:{provider_id}",
        score=score,
        threshold=limit,
    )
    payload = {"provider": provider_id, "score": score, "threshold": limit, "reason": reason}
    await record_event(community, None, "credit.provider_suspended", payload)


async def rate_job(
    book: CreditBook,
    community: Community,
    job_id: int,
    stars: int,
    comment: str,
    rater_id: int | None,
) -> dict[str, Any]:
    """Rate a completed dispatch job (once); the rating feeds its provider's credit."""
    if stars not in rules.RATING_WEIGHTS:
        raise InvalidInput("stars must be 1 to 5", field="stars")
    job = (
        await DispatchJob.select(DispatchJob.status, DispatchJob.worker)
        .where((DispatchJob.id == job_id) & (DispatchJob.community == community.id))
        .first()
        .run()
    )
    if job is None:
        raise NotFound(f"there is no job {job_id} in {community.slug}")
    if job["status"] != "completed":
        raise Conflict(f"job {job_id} is {job['status']}: only a completed job can be rated")
    provider_id = await _provider_of_worker(community, job["worker"])
    if provider_id is None:
        raise Conflict(f"job {job_id} was done by a worker of no admitted provider")
    rated = (
        await ProviderRating.insert(
            ProviderRating(
                community=community.id,
                job=job_id,
                scope_key=f"{community.id}:{job_id}",
                provider=provider_id,
                rater=rater_id,
                stars=stars,
                comment=comment,
                rated_at=datetime.now(UTC),
            )
        )
        .on_conflict(target=ProviderRating.scope_key, action="DO NOTHING")
        .returning(ProviderRating.id)
        .run()
    )
    if not rated:
        raise Conflict(f"job {job_id} was already rated")
    await record_core(
        book,
        community,
        Subject("provider", provider_id),
        event="job_rated",
        weight=rules.RATING_WEIGHTS[stars],
        event_id=f"rating:{job_id}",
        actor=f"member:{rater_id}" if rater_id else "platform",
    )
    return {"job": job_id, "provider": provider_id, "stars": stars}


async def _provider_of_worker(community: Community, worker_id: int | None) -> int | None:
    if worker_id is None:
        return None
    row = (
        await ServiceWorker.select(ServiceWorker.provider, ServiceWorker.member)
        .where((ServiceWorker.id == worker_id) & (ServiceWorker.community == community.id))
        .first()
        .run()
    )
    if row is None:
        return None
    if row["provider"] is not None:
        return int(row["provider"])
    return await provider_of(community, row["member"])


async def file_appeal(
    community: Community, provider_id: int, statement: str, filed_by: int | None
) -> dict[str, Any]:
    """A suspended provider appeals (one pending appeal at a time)."""
    row = await _standing_row(community, provider_id)
    if row["status"] != ProviderStatus.SUSPENDED.value:
        raise Conflict("only a suspended provider can appeal")
    if await ProviderAppeal.exists().where(
        (ProviderAppeal.community == community.id)
        & (ProviderAppeal.provider == provider_id)
        & (ProviderAppeal.status == "pending")
    ):
        raise Conflict("an appeal is already pending")
    (made,) = await ProviderAppeal.insert(
        ProviderAppeal(
            community=community.id,
            provider=provider_id,
            filed_by=filed_by,
            statement=statement,
            status="pending",
            filed_at=datetime.now(UTC),
        )
    ).returning(ProviderAppeal.id)
    actor = f"member:{filed_by}" if filed_by else "platform"
    await ledger.audit(community, actor, "appeal_filed", f"provider:{provider_id}")
    return await _appeal(community, int(made["id"]))


async def _appeal(community: Community, appeal_id: int) -> dict[str, Any]:
    row = (
        await ProviderAppeal.select()
        .where((ProviderAppeal.id == appeal_id) & (ProviderAppeal.community == community.id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound(f"there is no appeal {appeal_id} in {community.slug}")
    return row


async def decide_appeal(
    settings: Settings,
    community: Community,
    appeal_id: int,
    *,
    grant: bool,
    reason: str,
    annul_events: Sequence[int],
    actor: str,
) -> dict[str, Any]:
    """Grant (reinstate on probation, annulling ``annul_events``) or refuse a pending appeal."""
    row = await _appeal(community, appeal_id)
    if row["status"] != "pending":
        raise Conflict(f"appeal {appeal_id} was already {row['status']}")
    provider_id = int(row["provider"])
    for event_ref in annul_events:
        annulled = await ledger.annul(community, event_ref, f"appeal {appeal_id}: {reason}", actor)
        if annulled["subject_kind"] != "provider" or annulled["subject_id"] != provider_id:
            raise InvalidInput(f"event {event_ref} is not about provider {provider_id}")
    now = datetime.now(UTC)
    status = "granted" if grant else "refused"
    await (
        ProviderAppeal.update(
            {
                ProviderAppeal.status: status,
                ProviderAppeal.decision_reason: reason,
                ProviderAppeal.decided_at: now,
            }
        )
        .where((ProviderAppeal.id == appeal_id) & (ProviderAppeal.community == community.id))
        .run()
    )
    subject = f"provider:{provider_id}"
    await ledger.audit(community, actor, f"appeal_{status}", subject, reason=reason)
    if grant:
        until = now + timedelta(days=settings.credit_provider_probation_days)
        why = f"reinstated on appeal: {reason}"
        await _set_status(community, provider_id, ProviderStatus.PROBATION, why, until)
        payload = {"provider": provider_id, "appeal": appeal_id, "reason": reason}
        await record_event(community, None, "credit.provider_reinstated", payload)
    return await _appeal(community, appeal_id)


async def provider_view(book: CreditBook, community: Community, provider_id: int) -> dict[str, Any]:
    """A provider's standing: status now, the reason it reads, score, threshold, appeals."""
    row = await _standing_row(community, provider_id)
    now = datetime.now(UTC)
    status = rules.current_status(row["status"], row["probation_until"], now)
    appeals = (
        await ProviderAppeal.select()
        .where(
            (ProviderAppeal.community == community.id) & (ProviderAppeal.provider == provider_id)
        )
        .order_by(ProviderAppeal.id)
    )
    threshold = rules.suspend_threshold(status, book.thresholds)
    return {
        "provider": provider_id,
        "status": status.value,
        "reason": row["reason"],
        "probation_until": row["probation_until"],
        "score": await book.score(community, Subject("provider", provider_id)),
        "threshold": threshold,
        "appeals": appeals,
    }


async def require_staff(community: Community, member_id: int | None) -> int:
    """The provider the calling member works for; :class:`Forbidden` if none."""
    provider_id = await provider_of(community, member_id)
    if provider_id is None:
        raise Forbidden("the caller works for no provider admitted in this community")
    return provider_id
