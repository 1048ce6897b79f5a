"""The insights' HTTP routes, under ``/v1/communities/{community}/insights``.

Suppliers (provider staff and providers' back ends with client credentials), operators and
auditors read tomorrow's demand per item and pickup point, repurchase rates and residents'
remarks, as JSON or CSV (``?format=csv``): anonymised aggregates, each over at least k
residents. The operator sets k. Residents leave, read and withdraw their own remarks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from linli_sdk import Caller, Community, Forbidden, Role
from litestar import Request, Response
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, FromPath, QueryParameter
from pydantic import BaseModel

from linli.http.handlers import delete, get, put

from ..http.access import Access
from ..http.community import COMMUNITY, CommunityController, Where, Who
from ..http.openapi import TEXT, answers
from ..http.problems import problem_responses
from ..platform import Platform
from .documents import demand_csv, feedback_csv, repurchase_csv
from .schemas import (
    DemandForecast,
    FeedbackIn,
    FeedbackSummary,
    InsightSettings,
    MyFeedback,
    RepurchaseRates,
)
from .service import InsightsService

__all__ = ["InsightsController", "routes"]

SUPPLIERS = Access.of(Role.PROVIDER_STAFF, Role.OPERATOR, Role.AUDITOR).opt
R = TypeVar("R", bound=BaseModel)
Format = Annotated[str, QueryParameter(pattern="^(json|csv)$", description="json or csv")]


def _service(request: Request[Any, Any, Any]) -> InsightsService:
    platform: Platform = request.app.state.platform
    return platform.insights


def _resident(caller: Caller) -> int:
    if caller.member_id is None:
        raise Forbidden("only a resident leaves remarks")
    return caller.member_id


async def _report(
    request: Request[Any, Any, Any],
    where: Community,
    format: str,
    read: Callable[[InsightsService, Community], Awaitable[R]],
    csv: Callable[[R], bytes],
    name: Callable[[R], str],
) -> Response[bytes]:
    """The report ``read`` answers for the caller's community, as JSON or as CSV ``name``."""
    found = await read(_service(request), where)
    if format == "csv":
        return Response(
            csv(found),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name(found)}.csv"'},
        )
    return Response(found.model_dump_json().encode(), media_type="application/json")


def _document(schema: type[Any], what: str) -> dict[str, Any]:
    return {
        "responses": {
            **problem_responses(401, 403),
            200: ResponseSpec(schema, generate_examples=False, description=what),
        },
        "operation_class": answers({"text/csv": TEXT}, keep_json=True),
        "opt": SUPPLIERS,
    }


class InsightsController(CommunityController):
    """The insights' community routes."""

    path = COMMUNITY + "/insights"
    tags = ["insights"]

    @get(
        "/demand",
        summary="Tomorrow's demand per item and pickup point, over k residents or more (suppliers)",
        **_document(DemandForecast, "The forecast, each cell over at least k residents."),
    )
    async def demand(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        format: Format = "json",
    ) -> Response[bytes]:
        """Each answered cell's forecast with its explanation; totals over answered cells only."""
        return await _report(
            request, where, format, InsightsService.demand, demand_csv, lambda f: f"demand-{f.day}"
        )

    @get(
        "/repurchase",
        summary="Repurchase rates per item, over k buyers or more (suppliers)",
        **_document(RepurchaseRates, "The rates, each over at least k buyers."),
    )
    async def repurchase(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        format: Format = "json",
    ) -> Response[bytes]:
        """Per item, the share of its buyers in the last twelve weeks who bought it again."""
        return await _report(
            request,
            where,
            format,
            InsightsService.repurchase,
            repurchase_csv,
            lambda f: f"repurchase-{f.window_to}",
        )

    @get(
        "/feedback",
        summary="Residents' remarks per item, over k residents or more, "
        "without authors (suppliers)",
        **_document(FeedbackSummary, "The remarks of items remarked on by at least k residents."),
    )
    async def feedback(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        format: Format = "json",
    ) -> Response[bytes]:
        """Remarks of items at least k residents remarked on; the rest only counted."""
        return await _report(
            request, where, format, InsightsService.feedback, feedback_csv, lambda _: "feedback"
        )

    @get(
        "/settings",
        summary="The community's insight settings: k (operators, auditors, suppliers)",
        responses=problem_responses(401, 403),
        opt=SUPPLIERS,
    )
    async def get_settings(self, request: Request[Any, Any, Any], where: Where) -> InsightSettings:
        """The smallest number of residents an aggregate is answered over."""
        return await _service(request).settings(where)

    @put(
        "/settings",
        summary="Set k, the smallest crowd an aggregate is answered over (operators)",
        responses=problem_responses(401, 403, 422),
        opt=Access.of(Role.OPERATOR).opt,
    )
    async def put_settings(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        data: Annotated[InsightSettings, Body()],
    ) -> InsightSettings:
        """From 5 to 1000; answered from the next call on."""
        return await _service(request).set_k(where, data.k)

    @put(
        "/items/{item:str}/feedback",
        summary="Leave (or replace) my remark on an item (residents)",
        responses=problem_responses(401, 403, 404, 422),
        opt=Access.of(Role.RESIDENT, scope="write").opt,
    )
    async def leave_feedback(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        caller: Who,
        item: FromPath[str],
        data: Annotated[FeedbackIn, Body()],
    ) -> MyFeedback:
        """Phone numbers, e-mail addresses and ID numbers are removed; the cleaned text is kept."""
        return await _service(request).remark(where, _resident(caller), item, data.text)

    @delete(
        "/items/{item:str}/feedback",
        summary="Withdraw my remark on an item (residents)",
        status_code=204,
        responses=problem_responses(401, 403, 404),
        opt=Access.of(Role.RESIDENT, scope="write").opt,
    )
    async def withdraw_feedback(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        caller: Who,
        item: FromPath[str],
    ) -> None:
        """The remark is deleted, not hidden."""
        await _service(request).withdraw_remark(where, _resident(caller), item)

    @get(
        "/my-feedback",
        summary="My remarks on items (residents)",
        responses=problem_responses(401, 403),
        opt=Access.of(Role.RESIDENT).opt,
    )
    async def my_feedback(
        self, request: Request[Any, Any, Any], where: Where, caller: Who
    ) -> list[MyFeedback]:
        """The caller's remarks as stored (cleaned)."""
        return await _service(request).my_remarks(where, _resident(caller))

    @get(
        "/my-items",
        summary="The items I bought, to remark on (residents)",
        responses=problem_responses(401, 403),
        opt=Access.of(Role.RESIDENT).opt,
    )
    async def my_items(
        self, request: Request[Any, Any, Any], where: Where, caller: Who
    ) -> dict[str, str]:
        """Item keys and names, from the caller's own purchases."""
        return await _service(request).my_items(where, _resident(caller))


def routes(platform: Platform) -> list[Any]:
    """The insights' routes: its controller."""
    return [InsightsController]
