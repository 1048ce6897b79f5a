"""The credit service's routes for operators and auditors.

The distribution and its plots, provider applications and standings, appeal decisions and the
audit log.
"""

from __future__ import annotations

import asyncio
import statistics
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from linli_sdk import Community
from litestar import Request, Response
from litestar.params import Body, FromPath, QueryParameter

from linli.http.handlers import get, post

from ..http.community import AsCommand, Where, Who
from ..http.openapi import BINARY, TEXT, answers
from ..http.problems import problem_responses
from . import admission, governance, ledger, model, plots, rules
from .ledger import Subject
from .route_support import (
    OPERATOR,
    READERS,
    actor,
    book_of,
    explained,
    member_in,
)
from .schemas import (
    Appeal,
    AppealDecision,
    Application,
    AuditLine,
    Distribution,
    Explained,
    ProviderStandingOut,
    Review,
)
from .tables import CreditAudit

__all__ = ["OperatorRoutes"]


async def _scores(request: Request[Any, Any, Any], where: Community, kind: str) -> list[int]:
    """Every member's (or admitted provider's) score now; no events means the base."""
    book = book_of(request)
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


class OperatorRoutes:
    """The credit routes for operators and auditors, of `linli.credit.routes.CreditController`."""

    @get(
        "/distribution",
        summary="The distribution of scores in the community (operators, auditors)",
        responses=problem_responses(401, 403),
        opt=READERS,
    )
    async def distribution(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        kind: Kind = "member",
    ) -> Distribution:
        """Count, mean, median, tiers and 100-point bins of every member's (or provider's) score."""
        return _summary(kind, await _scores(request, where, kind), book_of(request).thresholds)

    @get(
        "/plots/distribution",
        summary="The distribution of scores as a picture, PNG or SVG (operators, auditors)",
        operation_class=answers({"image/png": BINARY, "image/svg+xml": TEXT}),
        responses=problem_responses(401, 403),
        opt=READERS,
    )
    async def distribution_picture(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        kind: Kind = "member",
        format: Format = "png",
    ) -> Response[bytes]:
        """A histogram of the scores with the gates' thresholds marked (drawn off the event loop)."""  # noqa: E501
        scores = await _scores(request, where, kind)
        marks = _marks(book_of(request).thresholds, kind)
        title = f"{where.name}: {kind} credit scores"
        body = await asyncio.to_thread(plots.distribution_plot, scores, title, marks, format)
        return _picture(body, format, f"{where.slug}-{kind}-distribution")

    @get(
        "/plots/members/{member_id:int}",
        summary="One member's score over time, PNG or SVG (operators, auditors)",
        operation_class=answers({"image/png": BINARY, "image/svg+xml": TEXT}),
        responses=problem_responses(401, 403, 404),
        opt=READERS,
    )
    async def member_picture(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        member_id: FromPath[int],
        format: Format = "png",
        days: Annotated[int, QueryParameter(ge=1, le=3650, description="How far back.")] = 365,
    ) -> Response[bytes]:
        """The member's score at 120 moments over the last ``days`` days."""
        await member_in(where, member_id)
        book = book_of(request)
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
        "/provider-applications",
        summary="Provider applications, newest first (operators, auditors)",
        responses=problem_responses(401, 403),
        opt=READERS,
    )
    async def applications(self, where: Where) -> list[Application]:
        """Every application filed in the community with its review."""
        return [Application(**row) for row in await admission.applications(where)]

    @post(
        "/provider-applications/{application_id:int}/review",
        summary="Admit (on probation) or reject a provider's application (operators)",
        status_code=200,
        responses=problem_responses(401, 403, 404, 409, 422),
        opt=OPERATOR,
    )
    async def review(
        self,
        command: AsCommand,
        where: Where,
        caller: Who,
        application_id: FromPath[int],
        data: Annotated[Review, Body()],
    ) -> Response[Application]:
        """Admission makes the applicant the provider's staff and starts its probation."""
        platform = command.platform

        async def work() -> Application:
            row = await governance.admit_or_reject(
                platform.settings,
                where,
                application_id,
                admit=data.admit,
                reason=data.reason,
                actor=actor(caller),
            )
            return Application(**row)

        return await command.answer(work)

    @get(
        "/providers/{provider_id:int}",
        summary="A provider's standing in the community (operators, auditors)",
        responses=problem_responses(401, 403, 404),
        opt=READERS,
    )
    async def provider_standing(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        provider_id: FromPath[int],
    ) -> ProviderStandingOut:
        """Status, the reason it reads, score, threshold and appeals."""
        return ProviderStandingOut(
            **await governance.provider_view(book_of(request), where, provider_id)
        )

    @get(
        "/providers/{provider_id:int}/explanation",
        summary="A provider's score and why (operators, auditors)",
        responses=problem_responses(401, 403, 404),
        opt=READERS,
    )
    async def provider_explanation(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        provider_id: FromPath[int],
    ) -> Explained:
        """Each event's part in the provider's score, with the row id to annul it by."""
        await governance.provider_view(book_of(request), where, provider_id)  # admitted here?
        return await explained(request, where, Subject("provider", provider_id))

    @post(
        "/appeals/{appeal_id:int}/decision",
        summary="Grant (reinstate) or refuse a provider's appeal (operators)",
        status_code=200,
        responses=problem_responses(401, 403, 404, 409, 422),
        opt=OPERATOR,
    )
    async def decide_appeal(
        self,
        command: AsCommand,
        where: Where,
        caller: Who,
        appeal_id: FromPath[int],
        data: Annotated[AppealDecision, Body()],
    ) -> Response[Appeal]:
        """Granting annuls the events named and reinstates the provider on probation."""
        platform = command.platform

        async def work() -> Appeal:
            row = await governance.decide_appeal(
                platform.settings,
                where,
                appeal_id,
                grant=data.grant,
                reason=data.reason,
                annul_events=data.annul_events,
                actor=actor(caller),
            )
            return Appeal(**row)

        return await command.answer(work)

    @get(
        "/audit",
        summary="The credit audit log, newest first (operators, auditors)",
        responses=problem_responses(401, 403),
        opt=READERS,
    )
    async def audit_log(
        self,
        where: Where,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
    ) -> list[AuditLine]:
        """Annulments, reviews, suspensions, appeals and the core events operators recorded."""
        rows = (
            await CreditAudit.select()
            .output(load_json=True)
            .where(CreditAudit.community == where.id)
            .order_by(CreditAudit.id, ascending=False)
            .limit(limit)
        )
        return [AuditLine(**row) for row in rows]
