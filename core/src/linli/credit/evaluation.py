"""Provider evaluation (评价、淘汰): residents' ratings and the core's own credit events.

Each rating of a completed dispatch job is a ``job_rated`` credit event about the job's
provider. A negative event that leaves a provider under its threshold suspends it at once: the
reason is kept for the provider to read and ``credit.provider_suspended`` goes out through the
outbox.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from linli_sdk import Community, Conflict, InvalidInput, NotFound

from ..dispatch.ports import record_event
from ..dispatch.tables import DispatchJob, ServiceWorker
from . import ledger, rules
from .ledger import CreditBook, Subject
from .provider_standing import provider_of, set_status, standing_row
from .rules import ProviderStatus
from .tables import ProviderRating

__all__ = ["rate_job", "record_core"]


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
    row = await standing_row(community, provider_id)
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
    await set_status(community, provider_id, ProviderStatus.SUSPENDED, reason)
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
