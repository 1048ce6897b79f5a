"""The console's providers page: applications (admission), standings, appeals, explanations.

Reviews and appeal decisions call `linli.credit.governance`, as the credit API routes do; a
provider's score is explained by the credit book (`linli.credit.route_support.explained`).
Credit events are append-only: shown, never edited here.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import LinliError, Role
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from ...credit import admission, governance
from ...credit.ledger import Subject
from ...credit.route_support import actor, explained
from ...credit.schemas import AppealDecision, Review
from ...http.access import Access
from ..web import Visit, form_of, page, submit, visit_of

__all__ = ["provider_routes"]

READ = Access.of(Role.OPERATOR).opt
WRITE = Access.of(Role.OPERATOR).opt  # as the credit API's review and appeal routes
BASE = "/c/{community:str}/providers"


async def _page(request: Request[Any, Any, Any], error: LinliError | None = None) -> Template:
    visit = visit_of(request)
    applications = await admission.applications(visit.community)
    admitted = sorted({a["provider"] for a in applications if a["provider"] is not None})
    standings = [
        await governance.provider_view(visit.platform.credit, visit.community, provider)
        for provider in admitted
    ]
    names = {a["provider"]: a["provider_name"] for a in applications if a["provider"]}
    return page(
        request,
        "providers.html",
        error=error,
        applications=applications,
        standings=standings,
        names=names,
    )


@get(BASE, opt=READ)
async def providers(request: Request[Any, Any, Any]) -> Template:
    """Applications with their reviews; each admitted provider's standing and appeals."""
    return await _page(request)


@get(f"{BASE}/{{provider_id:int}}", opt=READ)
async def explanation(request: Request[Any, Any, Any], provider_id: FromPath[int]) -> Template:
    """A provider's score and why: each credit event's part in it."""
    visit = visit_of(request)
    standing = await governance.provider_view(visit.platform.credit, visit.community, provider_id)
    why = await explained(request, visit.community, Subject("provider", provider_id))
    return page(request, "provider.html", standing=standing, why=why)


def _actor(visit: Visit) -> str:
    assert visit.caller is not None  # the console guard resolved who the operator is here
    return actor(visit.caller)


@post(f"{BASE}/applications/{{application_id:int}}", opt=WRITE, status_code=303)
async def review(
    request: Request[Any, Any, Any], community: FromPath[str], application_id: FromPath[int]
) -> Response[Any]:
    """Admit (on probation) or reject an application, with the reason."""
    visit = visit_of(request)
    form = await form_of(request)
    return await submit(
        request,
        Review,
        "review",
        lambda data: governance.admit_or_reject(
            visit.platform.settings,
            visit.community,
            application_id,
            admit=data.admit,
            reason=data.reason,
            actor=_actor(visit),
        ),
        again=_page,
        to=f"/c/{community}/providers",
        notice=lambda _, row: f"Application {application_id} {row['status']}.",
        form={**form, "admit": form.get("admit", "")},
    )


@post(f"{BASE}/appeals/{{appeal_id:int}}", opt=WRITE, status_code=303)
async def decide_appeal(
    request: Request[Any, Any, Any], community: FromPath[str], appeal_id: FromPath[int]
) -> Response[Any]:
    """Grant (reinstate on probation) or refuse a provider's appeal, with the reason."""
    visit = visit_of(request)
    return await submit(
        request,
        AppealDecision,
        "decision",
        lambda data: governance.decide_appeal(
            visit.platform.settings,
            visit.community,
            appeal_id,
            grant=data.grant,
            reason=data.reason,
            annul_events=data.annul_events,
            actor=_actor(visit),
        ),
        again=_page,
        to=f"/c/{community}/providers",
        notice=lambda _, row: f"Appeal {appeal_id} {row['status']}.",
    )


def provider_routes() -> list[Any]:
    """The providers page, a provider's explanation, reviews and appeal decisions."""
    return [providers, explanation, review, decide_appeal]
