"""The credit service's HTTP routes, under ``/v1/communities/{community}/credit``.

Residents read their score and why; provider staff read their provider's standing and appeal;
operators read anyone's, see the distribution (also as a PNG/SVG plot), annul events, review
applications and decide appeals. Commands take an ``Idempotency-Key``.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from linli_sdk import Caller, Community, CreditStanding, Forbidden, NotFound
from litestar import Request, Response, get, post
from litestar.params import Body, FromPath, QueryParameter
from pydantic import BaseModel, Field

from ..auth import access_guard
from ..http.openapi import BINARY, TEXT, answers
from ..http.problems import problem_responses
from ..idempotency import IdempotencyKey, json_once, request_hash
from ..platform import Platform
from ..tables import Member
from . import governance, ledger, model, plots, rules
from .ledger import CreditBook, Subject
from .port import member_standing
from .tables import CreditAudit, ProviderApplication

__all__ = ["routes"]

PREFIX = "/v1/communities/{community:str}/credit"
_READERS = {"access": "role:operator,auditor"}
_OPERATOR = {"access": "role:operator"}
_STAFF = {"access": "role:provider_staff"}


class Contribution(BaseModel):
    """One event's part in a score."""

    event_ref: int | None = Field(description="The event's row id (what an operator annuls).")
    module: str
    event: str
    description: str
    weight: int
    occurred: datetime
    cap_factor: float = Field(description="Share of the weight its module's cap let count.")
    decay: float = Field(description="Share left after time decay.")
    points: float = Field(description="What it adds to the score now.")


class Explained(BaseModel):
    """A score and why: the base plus every counting event's decayed, capped weight."""

    subject: str
    score: int
    base: int
    at: datetime
    contributions: list[Contribution]


class MyCredit(BaseModel):
    """A member's standing (the gates) and the explanation of the score."""

    standing: CreditStanding
    explanation: Explained


class NewCoreEvent(BaseModel):
    """One of the core's credit events (see docs/credit.md for names and bounds)."""

    event: str = Field(max_length=60)
    weight: int
    event_id: str = Field(min_length=1, max_length=200)


class Recorded(BaseModel):
    """Whether the event was recorded now (``False``: its id was already recorded)."""

    recorded: bool
    score: int


class Annulment(BaseModel):
    """Why an event no longer counts."""

    reason: str = Field(min_length=1, max_length=2000)


class Annulled(BaseModel):
    """The event annulled and its subject's score now."""

    event_ref: int
    subject: str
    score: int


class Distribution(BaseModel):
    """Scores in a community: count, summary and how many fall in each tier and bin."""

    kind: str
    count: int
    mean: float | None
    median: float | None
    tiers: dict[str, int]
    bins: dict[str, int] = Field(description="100-point bins, e.g. '600-699'.")


class Document(BaseModel):
    """A document filed with an application (its kind, title and where it is kept)."""

    kind: str = Field(pattern=r"^[a-z_]{2,40}$", description="e.g. business_license")
    title: str = Field(max_length=200)
    reference: str = Field(max_length=500, description="A file id or the document's number.")


class NewApplication(BaseModel):
    """A provider's application to serve the community."""

    provider_name: str = Field(min_length=1, max_length=200)
    documents: list[Document] = Field(max_length=20)
    note: str = Field(default="", max_length=2000)


class Application(BaseModel):
    """An application and its review."""

    id: int
    provider_name: str
    provider: int | None
    applicant: int
    documents: list[Document]
    status: str
    decision_reason: str


class Review(BaseModel):
    """An operator's decision on an application."""

    admit: bool
    reason: str = Field(min_length=1, max_length=2000)


class AppealIn(BaseModel):
    """A suspended provider's appeal."""

    statement: str = Field(min_length=1, max_length=4000)


class Appeal(BaseModel):
    """An appeal and its decision."""

    id: int
    provider: int
    statement: str
    status: str
    decision_reason: str


class AppealDecision(BaseModel):
    """An operator's decision on an appeal; granting may annul the events found unfair."""

    grant: bool
    reason: str = Field(min_length=1, max_length=2000)
    annul_events: list[int] = Field(default_factory=list, max_length=200)


class ProviderStandingOut(BaseModel):
    """A provider's standing in the community, with the reason it reads."""

    provider: int
    status: str
    reason: str
    score: int
    threshold: int
    probation_until: datetime | None
    appeals: list[Appeal]


class Rating(BaseModel):
    """A resident's rating of a completed job."""

    stars: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


class Rated(BaseModel):
    """The rating recorded, and the provider it went to."""

    job: int
    provider: int
    stars: int


class AuditLine(BaseModel):
    """One line of the credit audit log."""

    at: datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]


def _book(request: Request[Any, Any, Any]) -> CreditBook:
    platform: Platform = request.app.state.platform
    return CreditBook(platform.settings)


def _identity(request: Request[Any, Any, Any]) -> tuple[Community, Caller]:
    where, caller = request.state.identity  # authenticated by access_guard
    return where, caller


def _actor(caller: Caller) -> str:
    return f"member:{caller.member_id}" if caller.member_id else "platform"


async def _command(
    request: Request[Any, Any, Any],
    name: str,
    body: Any,
    key: str | None,
    work: Callable[[], Awaitable[BaseModel]],
) -> Response[Any]:
    """Run ``work`` in one transaction, once per ``key``."""
    where, caller = _identity(request)
    return await json_once(where, caller, key, request_hash("credit", name, body), work)


def _descriptions(request: Request[Any, Any, Any]) -> dict[tuple[str, str], str]:
    platform: Platform = request.app.state.platform
    found = {(rules.CORE, spec.name): spec.description for spec in rules.CORE_EVENTS}
    for loaded in platform.registry.modules.values():
        for spec in loaded.manifest.credit_events:
            found[(loaded.name, spec.name)] = spec.description
    return found


async def _explained(
    request: Request[Any, Any, Any], where: Community, subject: Subject
) -> Explained:
    explanation = await _book(request).explain(where, subject)
    described = _descriptions(request)
    return Explained(
        subject=str(subject),
        score=explanation.score,
        base=explanation.base,
        at=explanation.at,
        contributions=[
            Contribution(
                event_ref=line.event.ref or None,
                module=line.event.module,
                event=line.event.name,
                description=described.get((line.event.module, line.event.name), ""),
                weight=line.event.weight,
                occurred=datetime.fromtimestamp(line.event.occurred_ms / 1000, UTC),
                cap_factor=line.cap_factor,
                decay=line.decay,
                points=line.points,
            )
            for line in explanation.lines
        ],
    )


async def _member_in(where: Community, member_id: int) -> None:
    if not await Member.exists().where((Member.id == member_id) & (Member.community == where.id)):
        raise NotFound(f"there is no member {member_id} in {where.slug}")


# --- residents -------------------------------------------------------------------------------


@get(
    f"{PREFIX}/me",
    tags=["credit"],
    summary="My credit: score, tier, gates and why (any member)",
    responses=problem_responses(401, 403),
    opt={"access": "member"},
    guards=[access_guard],
)
async def my_credit(request: Request[Any, Any, Any], community: FromPath[str]) -> MyCredit:
    """The caller's standing and each event's part in the score ("why is my score 612")."""
    where, caller = _identity(request)
    if caller.member_id is None:
        raise Forbidden("only a member has a credit score")
    subject = Subject("member", caller.member_id)
    return MyCredit(
        standing=await member_standing(_book(request), where, caller.member_id),
        explanation=await _explained(request, where, subject),
    )


@post(
    f"{PREFIX}/jobs/{{job_id:int}}/rating",
    tags=["credit"],
    summary="Rate a completed job; the rating feeds its provider's credit (residents)",
    status_code=200,
    responses=problem_responses(401, 403, 404, 409, 422),
    opt={"access": "role:resident"},
    guards=[access_guard],
)
async def rate_job(
    request: Request[Any, Any, Any],
    community: FromPath[str],
    job_id: FromPath[int],
    data: Annotated[Rating, Body()],
    idempotency_key: IdempotencyKey = None,
) -> Response[Rated]:
    """One rating per job: 1 to 5 stars become a ``job_rated`` event of the job's provider."""
    where, caller = _identity(request)

    async def work() -> Rated:
        done = await governance.rate_job(
            _book(request), where, job_id, data.stars, data.comment, caller.member_id
        )
        return Rated(**done)

    return await _command(request, f"rate:{job_id}", data.model_dump(), idempotency_key, work)


# --- providers -------------------------------------------------------------------------------


@post(
    f"{PREFIX}/provider-applications",
    tags=["credit"],
    summary="Apply to serve the community as a provider, with documents (any member)",
    status_code=200,
    responses=problem_responses(401, 403, 422),
    opt={"access": "member"},
    guards=[access_guard],
)
async def apply(
    request: Request[Any, Any, Any],
    community: FromPath[str],
    data: Annotated[NewApplication, Body()],
    idempotency_key: IdempotencyKey = None,
) -> Response[Application]:
    """File the application; an operator reviews it."""
    where, caller = _identity(request)
    if caller.member_id is None:
        raise Forbidden("a member of the community applies")
    applicant = caller.member_id

    async def work() -> Application:
        documents = [d.model_dump() for d in data.documents]
        row = await governance.apply(where, applicant, data.provider_name, documents, data.note)
        return Application(**row)

    return await _command(request, "apply", data.model_dump(), idempotency_key, work)


@get(
    f"{PREFIX}/provider",
    tags=["credit"],
    summary="My provider's standing: status, the reason, score, threshold (provider staff)",
    responses=problem_responses(401, 403),
    opt=_STAFF,
    guards=[access_guard],
)
async def my_provider(
    request: Request[Any, Any, Any], community: FromPath[str]
) -> ProviderStandingOut:
    """Why the provider is where it is (e.g. the reason it was suspended)."""
    where, caller = _identity(request)
    provider_id = await governance.require_staff(where, caller.member_id)
    return ProviderStandingOut(**await governance.provider_view(_book(request), where, provider_id))


@post(
    f"{PREFIX}/provider/appeals",
    tags=["credit"],
    summary="Appeal my provider's suspension (provider staff)",
    status_code=200,
    responses=problem_responses(401, 403, 409, 422),
    opt=_STAFF,
    guards=[access_guard],
)
async def appeal(
    request: Request[Any, Any, Any],
    community: FromPath[str],
    data: Annotated[AppealIn, Body()],
    idempotency_key: IdempotencyKey = None,
) -> Response[Appeal]:
    """File an appeal; an operator grants (reinstates) or refuses it."""
    where, caller = _identity(request)
    provider_id = await governance.require_staff(where, caller.member_id)

    async def work() -> Appeal:
        row = await governance.file_appeal(where, provider_id, data.statement, caller.member_id)
        return Appeal(**row)

    return await _command(request, "appeal", data.model_dump(), idempotency_key, work)


# --- operators -------------------------------------------------------------------------------


@get(
    f"{PREFIX}/members/{{member_id:int}}",
    tags=["credit"],
    summary="Any member's credit and why (operators, auditors)",
    responses=problem_responses(401, 403, 404),
    opt=_READERS,
    guards=[access_guard],
)
async def member_credit(
    request: Request[Any, Any, Any], community: FromPath[str], member_id: FromPath[int]
) -> MyCredit:
    """The member's standing and the explanation of the score."""
    where, _ = _identity(request)
    return MyCredit(
        standing=await member_standing(_book(request), where, member_id),
        explanation=await _explained(request, where, Subject("member", member_id)),
    )


def _core_event_route(kind: str) -> Any:
    async def record_event(
        request: Request[Any, Any, Any],
        community: FromPath[str],
        subject_id: FromPath[int],
        data: Annotated[NewCoreEvent, Body()],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Recorded]:
        where, caller = _identity(request)
        book = _book(request)
        subject = Subject(kind, subject_id)

        async def work() -> Recorded:
            if kind == "member":
                await _member_in(where, subject_id)
            else:
                await governance.provider_view(book, where, subject_id)  # admitted here?
            recorded = await governance.record_core(
                book,
                where,
                subject,
                event=data.event,
                weight=data.weight,
                event_id=data.event_id,
                actor=_actor(caller),
            )
            return Recorded(recorded=recorded, score=await book.score(where, subject))

        name = f"event:{subject}"
        return await _command(request, name, data.model_dump(), idempotency_key, work)

    record_event.__doc__ = f"Record one of the core's credit events about a {kind}."
    return post(
        f"{PREFIX}/{kind}s/{{subject_id:int}}/events",
        name=f"credit.{kind}_event",
        tags=["credit"],
        summary=f"Record a core credit event about a {kind}, inside its bounds (operators)",
        status_code=200,
        responses=problem_responses(401, 403, 404, 422),
        opt=_OPERATOR,
        guards=[access_guard],
    )(record_event)


@post(
    f"{PREFIX}/events/{{event_ref:int}}/annul",
    tags=["credit"],
    summary="Annul a credit event with a reason; the score follows (operators)",
    status_code=200,
    responses=problem_responses(401, 403, 404, 422),
    opt=_OPERATOR,
    guards=[access_guard],
)
async def annul_event(
    request: Request[Any, Any, Any],
    community: FromPath[str],
    event_ref: FromPath[int],
    data: Annotated[Annulment, Body()],
    idempotency_key: IdempotencyKey = None,
) -> Response[Annulled]:
    """The event stays in the ledger; an annulment row (audit-logged) says it no longer counts."""
    where, caller = _identity(request)
    book = _book(request)

    async def work() -> Annulled:
        row = await ledger.annul(where, event_ref, data.reason, _actor(caller))
        subject = Subject(row["subject_kind"], row["subject_id"])
        score = await book.score(where, subject)
        return Annulled(event_ref=event_ref, subject=str(subject), score=score)

    return await _command(request, f"annul:{event_ref}", data.model_dump(), idempotency_key, work)


async def _scores(request: Request[Any, Any, Any], where: Community, kind: str) -> list[int]:
    """Every member's (or admitted provider's) score now; no events means the base."""
    book = _book(request)
    known = await book.distribution(where, kind)
    everyone = await ledger.subjects(where, kind)
    return [known.get(subject, book.model.base) for subject in everyone]


def _bin(value: int) -> str:
    low = min(value // 100 * 100, model.MAX_SCORE - 100)
    return f"{low}-{model.MAX_SCORE if low == model.MAX_SCORE - 100 else low + 99}"


def _summary(kind: str, scores: list[int], thresholds: rules.Thresholds) -> Distribution:
    ordered = sorted(scores)
    count = len(ordered)
    tiers = dict.fromkeys(("trusted", "standard", "restricted"), 0)
    bins: dict[str, int] = {}
    for value in ordered:
        tiers[rules.tier(value, thresholds)] += 1
        bins[_bin(value)] = bins.get(_bin(value), 0) + 1
    return Distribution(
        kind=kind,
        count=count,
        mean=round(sum(ordered) / count, 2) if count else None,
        median=float(statistics.median(ordered)) if count else None,
        tiers=tiers,
        bins=bins,
    )


Kind = Annotated[str, QueryParameter(pattern="^(member|provider)$", description="Whose scores.")]
Format = Annotated[str, QueryParameter(pattern="^(png|svg)$", description="png or svg.")]


@get(
    f"{PREFIX}/distribution",
    tags=["credit"],
    summary="The distribution of scores in the community (operators, auditors)",
    responses=problem_responses(401, 403),
    opt=_READERS,
    guards=[access_guard],
)
async def distribution(
    request: Request[Any, Any, Any], community: FromPath[str], kind: Kind = "member"
) -> Distribution:
    """Count, mean, median, tiers and 100-point bins of every member's (or provider's) score."""
    where, _ = _identity(request)
    return _summary(kind, await _scores(request, where, kind), _book(request).thresholds)


def _marks(thresholds: rules.Thresholds, kind: str) -> list[tuple[str, int]]:
    if kind == "provider":
        return [("suspended below", thresholds.provider_suspend_below)]
    return [
        ("restricted below", thresholds.restricted_below),
        ("deposits waived", thresholds.deposits_waived),
        ("pay after service", thresholds.pay_after_service),
    ]


def _picture(body: bytes, fmt: str, name: str) -> Response[bytes]:
    return Response(
        body,
        media_type=plots.FORMATS[fmt],
        headers={"Content-Disposition": f'inline; filename="{name}.{fmt}"'},
    )


@get(
    f"{PREFIX}/plots/distribution",
    tags=["credit"],
    summary="The distribution of scores as a picture, PNG or SVG (operators, auditors)",
    operation_class=answers({"image/png": BINARY, "image/svg+xml": TEXT}),
    responses=problem_responses(401, 403),
    opt=_READERS,
    guards=[access_guard],
)
async def distribution_picture(
    request: Request[Any, Any, Any],
    community: FromPath[str],
    kind: Kind = "member",
    format: Format = "png",
) -> Response[bytes]:
    """A histogram of the scores with the gates' thresholds marked (drawn off the event loop)."""
    where, _ = _identity(request)
    scores = await _scores(request, where, kind)
    marks = _marks(_book(request).thresholds, kind)
    title = f"{where.name}: {kind} credit scores"
    body = await asyncio.to_thread(plots.distribution_plot, scores, title, marks, format)
    return _picture(body, format, f"{where.slug}-{kind}-distribution")


@get(
    f"{PREFIX}/plots/members/{{member_id:int}}",
    tags=["credit"],
    summary="One member's score over time, PNG or SVG (operators, auditors)",
    operation_class=answers({"image/png": BINARY, "image/svg+xml": TEXT}),
    responses=problem_responses(401, 403, 404),
    opt=_READERS,
    guards=[access_guard],
)
async def member_picture(
    request: Request[Any, Any, Any],
    community: FromPath[str],
    member_id: FromPath[int],
    format: Format = "png",
    days: Annotated[int, QueryParameter(ge=1, le=3650, description="How far back.")] = 365,
) -> Response[bytes]:
    """The member's score at 120 moments over the last ``days`` days."""
    where, _ = _identity(request)
    await _member_in(where, member_id)
    book = _book(request)
    events = await ledger.events_of(where, Subject("member", member_id))
    now = datetime.now(UTC)
    step = timedelta(days=days) / 119
    moments = [now - step * (119 - i) for i in range(120)]

    def draw() -> bytes:
        scores = model.history(events, moments, book.model)
        marks = _marks(book.thresholds, "member")
        return plots.history_plot(moments, scores, f"member {member_id}", marks, format)

    return _picture(await asyncio.to_thread(draw), format, f"{where.slug}-member-{member_id}")


@get(
    f"{PREFIX}/provider-applications",
    tags=["credit"],
    summary="Provider applications, newest first (operators, auditors)",
    responses=problem_responses(401, 403),
    opt=_READERS,
    guards=[access_guard],
)
async def applications(
    request: Request[Any, Any, Any], community: FromPath[str]
) -> list[Application]:
    """Every application filed in the community with its review."""
    where, _ = _identity(request)
    rows = (
        await ProviderApplication.select()
        .output(load_json=True)
        .where(ProviderApplication.community == where.id)
        .order_by(ProviderApplication.id, ascending=False)
    )
    return [Application(**row) for row in rows]


@post(
    f"{PREFIX}/provider-applications/{{application_id:int}}/review",
    tags=["credit"],
    summary="Admit (on probation) or reject a provider's application (operators)",
    status_code=200,
    responses=problem_responses(401, 403, 404, 409, 422),
    opt=_OPERATOR,
    guards=[access_guard],
)
async def review(
    request: Request[Any, Any, Any],
    community: FromPath[str],
    application_id: FromPath[int],
    data: Annotated[Review, Body()],
    idempotency_key: IdempotencyKey = None,
) -> Response[Application]:
    """Admission makes the applicant the provider's staff and starts its probation."""
    where, caller = _identity(request)
    platform: Platform = request.app.state.platform

    async def work() -> Application:
        row = await governance.admit_or_reject(
            platform.settings,
            where,
            application_id,
            admit=data.admit,
            reason=data.reason,
            actor=_actor(caller),
        )
        return Application(**row)

    name = f"review:{application_id}"
    return await _command(request, name, data.model_dump(), idempotency_key, work)


@get(
    f"{PREFIX}/providers/{{provider_id:int}}",
    tags=["credit"],
    summary="A provider's standing in the community (operators, auditors)",
    responses=problem_responses(401, 403, 404),
    opt=_READERS,
    guards=[access_guard],
)
async def provider_standing(
    request: Request[Any, Any, Any], community: FromPath[str], provider_id: FromPath[int]
) -> ProviderStandingOut:
    """Status, the reason it reads, score, threshold and appeals."""
    where, _ = _identity(request)
    return ProviderStandingOut(**await governance.provider_view(_book(request), where, provider_id))


@get(
    f"{PREFIX}/providers/{{provider_id:int}}/explanation",
    tags=["credit"],
    summary="A provider's score and why (operators, auditors)",
    responses=problem_responses(401, 403, 404),
    opt=_READERS,
    guards=[access_guard],
)
async def provider_explanation(
    request: Request[Any, Any, Any], community: FromPath[str], provider_id: FromPath[int]
) -> Explained:
    """Each event's part in the provider's score, with the row id to annul it by."""
    where, _ = _identity(request)
    await governance.provider_view(_book(request), where, provider_id)  # admitted here?
    return await _explained(request, where, Subject("provider", provider_id))


@post(
    f"{PREFIX}/appeals/{{appeal_id:int}}/decision",
    tags=["credit"],
    summary="Grant (reinstate) or refuse a provider's appeal (operators)",
    status_code=200,
    responses=problem_responses(401, 403, 404, 409, 422),
    opt=_OPERATOR,
    guards=[access_guard],
)
async def decide_appeal(
    request: Request[Any, Any, Any],
    community: FromPath[str],
    appeal_id: FromPath[int],
    data: Annotated[AppealDecision, Body()],
    idempotency_key: IdempotencyKey = None,
) -> Response[Appeal]:
    """Granting annuls the events named and reinstates the provider on probation."""
    where, caller = _identity(request)
    platform: Platform = request.app.state.platform

    async def work() -> Appeal:
        row = await governance.decide_appeal(
            platform.settings,
            where,
            appeal_id,
            grant=data.grant,
            reason=data.reason,
            annul_events=data.annul_events,
            actor=_actor(caller),
        )
        return Appeal(**row)

    name = f"appeal:{appeal_id}"
    return await _command(request, name, data.model_dump(), idempotency_key, work)


@get(
    f"{PREFIX}/audit",
    tags=["credit"],
    summary="The credit audit log, newest first (operators, auditors)",
    responses=problem_responses(401, 403),
    opt=_READERS,
    guards=[access_guard],
)
async def audit_log(
    request: Request[Any, Any, Any],
    community: FromPath[str],
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
) -> list[AuditLine]:
    """Annulments, reviews, suspensions, appeals and the core events operators recorded."""
    where, _ = _identity(request)
    rows = (
        await CreditAudit.select()
        .output(load_json=True)
        .where(CreditAudit.community == where.id)
        .order_by(CreditAudit.id, ascending=False)
        .limit(limit)
    )
    return [AuditLine(**row) for row in rows]


def routes(platform: Platform) -> list[Any]:
    """The route handlers of the credit service."""
    return [
        my_credit,
        rate_job,
        apply,
        my_provider,
        appeal,
        member_credit,
        _core_event_route("member"),
        _core_event_route("provider"),
        annul_event,
        distribution,
        distribution_picture,
        member_picture,
        applications,
        review,
        provider_standing,
        provider_explanation,
        decide_appeal,
        audit_log,
    ]
