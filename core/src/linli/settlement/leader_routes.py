"""Leaders' income over HTTP: a leader's statement (JSON, CSV, a chart) and the ranking.

Under ``/v1/communities/{community}/settlement``. A leader's income is their personal
information (PIPL): the statement is answered to the leader themselves and to the community's
operators, nobody else (not another leader, not an auditor); the ranking to operators only.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

from linli_sdk import Community, Forbidden, Role
from litestar import Request, Response
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, QueryParameter

from linli.http.handlers import get

from ..credit.plots import FORMATS
from ..http.access import Access
from ..http.community import Where, Who
from ..http.openapi import BINARY, TEXT, answers
from ..http.problems import problem_responses
from .income import LeaderIncome, income_csv, parse_month
from .income_chart import income_chart
from .leaders import leader_income, leader_ranking
from .ranking import Ranking, ranking_csv

__all__ = ["LeaderRoutes"]

Month = Annotated[
    str | None,
    QueryParameter(
        pattern=r"^\d{4}-\d{2}$",
        description="YYYY-MM in the community's time zone; the current month if left out.",
    ),
]
From = Annotated[
    str | None,
    QueryParameter(
        name="from",
        pattern=r"^\d{4}-\d{2}$",
        description="The first month, YYYY-MM; the current month if left out.",
    ),
]


def _period(where: Community, first: str | None, last: str | None) -> tuple[date, date]:
    """The period's first and last months; a missing end is the current local month."""
    this_month = where.today().replace(day=1)
    start = parse_month(first) if first else this_month
    return start, parse_month(last) if last else max(start, this_month)


def _test_money(request: Request[Any, Any, Any]) -> bool:
    """Whether the platform's gateway is the sandbox (its money is test money)."""
    return bool(request.app.state.platform.settlement.gateway.test_money)


def _download(body: bytes, media_type: str, name: str, inline: bool = False) -> Response[bytes]:
    how = "inline" if inline else "attachment"
    return Response(
        body, media_type=media_type, headers={"Content-Disposition": f'{how}; filename="{name}"'}
    )


class LeaderRoutes:
    """The leaders' income routes of `linli.settlement.routes.SettlementController`."""

    @get(
        "/leaders/{member_id:int}/income",
        summary="A leader's income across every module by month: JSON, CSV, or a chart (PNG/SVG)",
        description="Per module and kind (commission, service share, subsidy, other): earned, "
        "refunded, fees and net, month by month in the community's time zone. Only the leader "
        "and the community's operators may read it (personal information).",
        responses={
            **problem_responses(401, 403, 404, 422),
            200: ResponseSpec(LeaderIncome, generate_examples=False, description="The statement."),
        },
        operation_class=answers(
            {"text/csv": TEXT, "image/png": BINARY, "image/svg+xml": TEXT}, keep_json=True
        ),
        opt=Access.member().opt,
    )
    async def income(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        caller: Who,
        member_id: FromPath[int],
        first: From = None,
        to: Month = None,
        format: Annotated[str, QueryParameter(pattern="^(json|csv|png|svg)$")] = "json",
    ) -> Response[bytes]:
        """The leader reads their own; an operator reads any member's of the community."""
        if caller.member_id != member_id and not caller.has_role(Role.OPERATOR):
            raise Forbidden("a leader's income is shown only to the leader and the operators")
        start, end = _period(where, first, to)
        statement = await leader_income(
            where, member_id, start, end, test_money=_test_money(request)
        )
        name = f"{where.slug}-leader-{member_id}-income-{start:%Y-%m}-{end:%Y-%m}"
        if format == "csv":
            return _download(income_csv(statement).encode(), "text/csv", f"{name}.csv")
        if format in FORMATS:
            title = f"{where.name}: member {member_id}, net income"
            body = await asyncio.to_thread(income_chart, statement, where.currency, title, format)
            return _download(body, FORMATS[format], f"{name}.{format}", inline=True)
        return Response(statement.model_dump_json().encode(), media_type="application/json")

    @get(
        "/leader-ranking",
        summary="The operator's ranking of leaders for a period: earnings, on-time rate, ratings",
        description="Score = 5000·E + 3000·T + 2000·R points (see the leaders page of the docs). "
        "JSON, or CSV with ?format=csv. Operators only.",
        responses={
            **problem_responses(401, 403, 404, 422),
            200: ResponseSpec(Ranking, generate_examples=False, description="The ranking."),
        },
        operation_class=answers({"text/csv": TEXT}, keep_json=True),
        opt=Access.of(Role.OPERATOR).opt,
    )
    async def ranking(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        first: From = None,
        to: Month = None,
        currency: Annotated[
            str | None,
            QueryParameter(
                pattern="^[A-Z]{3}$", description="The community's currency if left out."
            ),
        ] = None,
        format: Annotated[str, QueryParameter(pattern="^(json|csv)$")] = "json",
    ) -> Response[bytes]:
        """Every leader and pickup host of the community, best first, with their figures."""
        start, end = _period(where, first, to)
        chosen = currency or where.currency
        answer = await leader_ranking(where, start, end, chosen, test_money=_test_money(request))
        if format == "csv":
            name = f"{where.slug}-leader-ranking-{start:%Y-%m}-{end:%Y-%m}.csv"
            return _download(ranking_csv(answer).encode(), "text/csv", name)
        return Response(answer.model_dump_json().encode(), media_type="application/json")
