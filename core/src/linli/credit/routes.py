"""The credit service's HTTP routes, under ``/v1/communities/{community}/credit``.

Residents read their score and why; provider staff read their provider's standing and appeal;
operators read anyone's, see the distribution (also as a PNG/SVG plot), annul events, review
applications and decide appeals. Commands take an ``Idempotency-Key``.
"""

from __future__ import annotations

from typing import Annotated, Any

from linli_sdk import Forbidden, Role
from litestar import Request, Response
from litestar.params import Body, FromPath

from linli.http.handlers import get, post

from ..http.access import Access
from ..http.community import COMMUNITY, AsCommand, CommunityController, Where, Who
from ..http.problems import problem_responses
from ..platform import Platform
from . import governance, ledger
from .ledger import Subject
from .operator_routes import OperatorRoutes
from .port import member_standing
from .route_support import (
    OPERATOR,
    READERS,
    STAFF,
    actor,
    book_of,
    explained,
    member_in,
)
from .schemas import (
    Annulled,
    Annulment,
    Appeal,
    AppealIn,
    Application,
    MyCredit,
    NewApplication,
    NewCoreEvent,
    ProviderStandingOut,
    Rated,
    Rating,
    Recorded,
)

__all__ = ["CreditController", "routes"]


def _core_event_route(kind: str) -> Any:
    async def record_event(
        self: Any,
        command: AsCommand,
        request: Request[Any, Any, Any],
        where: Where,
        caller: Who,
        subject_id: FromPath[int],
        data: Annotated[NewCoreEvent, Body()],
    ) -> Response[Recorded]:
        book = book_of(request)
        subject = Subject(kind, subject_id)

        async def work() -> Recorded:
            if kind == "member":
                await member_in(where, subject_id)
            else:
                await governance.provider_view(book, where, subject_id)  # admitted here?
            recorded = await governance.record_core(
                book,
                where,
                subject,
                event=data.event,
                weight=data.weight,
                event_id=data.event_id,
                actor=actor(caller),
            )
            return Recorded(recorded=recorded, score=await book.score(where, subject))

        return await command.answer(work)

    record_event.__doc__ = f"Record one of the core's credit events about a {kind}."
    return post(
        f"/{kind}s/{{subject_id:int}}/events",
        name=f"credit.{kind}_event",
        summary=f"Record a core credit event about a {kind}, inside its bounds (operators)",
        status_code=200,
        responses=problem_responses(401, 403, 404, 422),
        opt=OPERATOR,
    )(record_event)


class CreditController(CommunityController, OperatorRoutes):
    """The credit service's community routes (the operators' routes included)."""

    path = COMMUNITY + "/credit"
    tags = ["credit"]

    # --- residents -------------------------------------------------------------------------------

    @get(
        "/me",
        summary="My credit: score, tier, gates and why (any member)",
        responses=problem_responses(401, 403),
        opt=Access.member().opt,
    )
    async def my_credit(
        self, request: Request[Any, Any, Any], where: Where, caller: Who
    ) -> MyCredit:
        """The caller's standing and each event's part in the score ("why is my score 612")."""
        if caller.member_id is None:
            raise Forbidden("only a member has a credit score")
        subject = Subject("member", caller.member_id)
        return MyCredit(
            standing=await member_standing(book_of(request), where, caller.member_id),
            explanation=await explained(request, where, subject),
        )

    @post(
        "/jobs/{job_id:int}/rating",
        summary="Rate a completed job; the rating feeds its provider's credit (residents)",
        status_code=200,
        responses=problem_responses(401, 403, 404, 409, 422),
        opt=Access.of(Role.RESIDENT).opt,
    )
    async def rate_job(
        self,
        command: AsCommand,
        request: Request[Any, Any, Any],
        where: Where,
        caller: Who,
        job_id: FromPath[int],
        data: Annotated[Rating, Body()],
    ) -> Response[Rated]:
        """One rating per job: 1 to 5 stars become a ``job_rated`` event of the job's provider."""

        async def work() -> Rated:
            done = await governance.rate_job(
                book_of(request), where, job_id, data.stars, data.comment, caller.member_id
            )
            return Rated(**done)

        return await command.answer(work)

    # --- providers -------------------------------------------------------------------------------

    @post(
        "/provider-applications",
        summary="Apply to serve the community as a provider, with documents (any member)",
        status_code=200,
        responses=problem_responses(401, 403, 422),
        opt=Access.member().opt,
    )
    async def apply(
        self,
        command: AsCommand,
        where: Where,
        caller: Who,
        data: Annotated[NewApplication, Body()],
    ) -> Response[Application]:
        """File the application; an operator reviews it."""
        if caller.member_id is None:
            raise Forbidden("a member of the community applies")
        applicant = caller.member_id

        async def work() -> Application:
            documents = [d.model_dump() for d in data.documents]
            row = await governance.apply(where, applicant, data.provider_name, documents, data.note)
            return Application(**row)

        return await command.answer(work)

    @get(
        "/provider",
        summary="My provider's standing: status, the reason, score, threshold (provider staff)",
        responses=problem_responses(401, 403),
        opt=STAFF,
    )
    async def my_provider(
        self, request: Request[Any, Any, Any], where: Where, caller: Who
    ) -> ProviderStandingOut:
        """Why the provider is where it is (e.g. the reason it was suspended)."""
        provider_id = await governance.require_staff(where, caller.member_id)
        return ProviderStandingOut(
            **await governance.provider_view(book_of(request), where, provider_id)
        )

    @post(
        "/provider/appeals",
        summary="Appeal my provider's suspension (provider staff)",
        status_code=200,
        responses=problem_responses(401, 403, 409, 422),
        opt=STAFF,
    )
    async def appeal(
        self,
        command: AsCommand,
        where: Where,
        caller: Who,
        data: Annotated[AppealIn, Body()],
    ) -> Response[Appeal]:
        """File an appeal; an operator grants (reinstates) or refuses it."""
        provider_id = await governance.require_staff(where, caller.member_id)

        async def work() -> Appeal:
            row = await governance.file_appeal(where, provider_id, data.statement, caller.member_id)
            return Appeal(**row)

        return await command.answer(work)

    # --- operators -------------------------------------------------------------------------------

    @get(
        "/members/{member_id:int}",
        summary="Any member's credit and why (operators, auditors)",
        responses=problem_responses(401, 403, 404),
        opt=READERS,
    )
    async def member_credit(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        member_id: FromPath[int],
    ) -> MyCredit:
        """The member's standing and the explanation of the score."""
        return MyCredit(
            standing=await member_standing(book_of(request), where, member_id),
            explanation=await explained(request, where, Subject("member", member_id)),
        )

    member_event = _core_event_route("member")
    provider_event = _core_event_route("provider")

    @post(
        "/events/{event_ref:int}/annul",
        summary="Annul a credit event with a reason; the score follows (operators)",
        status_code=200,
        responses=problem_responses(401, 403, 404, 422),
        opt=OPERATOR,
    )
    async def annul_event(
        self,
        command: AsCommand,
        request: Request[Any, Any, Any],
        where: Where,
        caller: Who,
        event_ref: FromPath[int],
        data: Annotated[Annulment, Body()],
    ) -> Response[Annulled]:
        """The event stays in the ledger; an annulment row (audit-logged) says it no longer counts."""  # noqa: E501
        book = book_of(request)

        async def work() -> Annulled:
            row = await ledger.annul(where, event_ref, data.reason, actor(caller))
            subject = Subject(row["subject_kind"], row["subject_id"])
            score = await book.score(where, subject)
            return Annulled(event_ref=event_ref, subject=str(subject), score=score)

        return await command.answer(work)


def routes(platform: Platform) -> list[Any]:
    """The credit service's routes: its controller."""
    return [CreditController]
