"""The console's modules page: enable or disable each module, its settings, its revenue share.

The settings form is generated from the module's settings JSON schema (`linli.console.forms`);
saving calls `linli.modules.enablement.set_module`, as the API's enablement route does, so the
module's model validates it and a bad field comes back as the service's problem details.
Revenue-share overrides go through the settlement service, inside the declared bounds.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import LinliError, Money, Role
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from ...http.access import Access
from ...modules.enablement import module_state, require_module, set_module
from ...settlement.schemas import ShareOverrides
from ..forms import settings_fields, settings_from_form
from ..web import Visit, form_of, page, parsed, see, visit_of

__all__ = ["module_routes"]

READ = Access.of(Role.OPERATOR).opt
WRITE = Access.of(Role.OPERATOR).opt  # as the API's enablement and revenue-share routes
BASE = "/c/{community:str}/modules"


def _share_rows(rules: Any, declared: Any) -> list[dict[str, Any]]:
    """Each share: its party and kind, its value now, the declared value and bounds."""
    rows = []
    for share, was in zip(rules.shares, declared.shares, strict=True):
        kind = share.kind.value
        if kind == "percent":
            now, low, high, base = (
                share.basis_points,
                share.min_basis_points,
                share.max_basis_points,
                was.basis_points,
            )
            currency = ""
        elif kind == "fixed":
            now, low, high, base = (
                share.fixed.amount,
                share.min_fixed.amount if share.min_fixed else None,
                share.max_fixed.amount if share.max_fixed else None,
                was.fixed.amount,
            )
            currency = share.fixed.currency
        else:
            now = low = high = base = None
            currency = ""
        adjustable = kind != "remainder" and low is not None and high is not None and low != high
        rows.append(
            {
                "party": share.party,
                "kind": kind,
                "value": now,
                "declared": base,
                "minimum": low,
                "maximum": high,
                "currency": currency,
                "adjustable": adjustable,
            }
        )
    return rows


async def _module_views(visit: Visit) -> list[dict[str, Any]]:
    views = []
    settlement = visit.platform.settlement
    for loaded in visit.platform.registry.modules.values():
        state = await module_state(visit.community, loaded)
        schema = loaded.manifest.settings_schema()
        fields = settings_fields(schema, state.settings.model_dump(mode="json"))
        shares = None
        if loaded.manifest.revenue_share is not None:
            declared = settlement.declared_rules(loaded.name)
            rules = await settlement.rules_for(visit.community.id, loaded.name)
            shares = _share_rows(rules, declared)
        views.append(
            {
                "name": loaded.name,
                "title": loaded.manifest.title,
                "description": loaded.manifest.description,
                "enabled": state.enabled,
                "fields": fields,
                "shares": shares,
            }
        )
    return views


async def _page(
    request: Request[Any, Any, Any], error: LinliError | None = None, failed: str = ""
) -> Template:
    modules = await _module_views(visit_of(request))
    return page(request, "modules.html", modules=modules, error=error, failed=failed)


@get(BASE, opt=READ)
async def modules(request: Request[Any, Any, Any]) -> Template:
    """Every installed module: enabled here or not, its settings, its revenue share."""
    return await _page(request)


@post(f"{BASE}/{{module:str}}", opt=WRITE, status_code=303)
async def change(
    request: Request[Any, Any, Any], community: FromPath[str], module: FromPath[str]
) -> Response[Any]:
    """Enable or disable a module here and store its settings (validated by its model)."""
    visit = visit_of(request)
    loaded = require_module(visit.platform.registry, module)
    form = await form_of(request)
    current = await module_state(visit.community, loaded)
    fields = settings_fields(
        loaded.manifest.settings_schema(), current.settings.model_dump(mode="json")
    )
    try:
        state = await set_module(
            visit.platform,
            visit.community,
            module,
            enabled=form.get("enabled") == "on",
            settings=settings_from_form(fields, form),
        )
    except LinliError as exc:
        return await _page(request, exc, module)
    word = "enabled" if state.enabled else "disabled"
    return see(f"/c/{community}/modules", f"{loaded.manifest.title} {word}; settings saved.")


def _overrides(shares: list[dict[str, Any]], form: dict[str, str]) -> dict[str, Any]:
    chosen: dict[str, Any] = {}
    for share in shares:
        text = form.get(f"share.{share['party']}", "").strip()
        if not share["adjustable"] or text == "":
            continue
        value: Any = int(text) if text.lstrip("-").isdigit() else text
        chosen[share["party"]] = (
            {"amount": value, "currency": share["currency"]} if share["kind"] == "fixed" else value
        )
    return {"overrides": chosen}


@post(f"{BASE}/{{module:str}}/revenue-share", opt=WRITE, status_code=303)
async def revenue_share(
    request: Request[Any, Any, Any], community: FromPath[str], module: FromPath[str]
) -> Response[Any]:
    """Set the module's revenue share here, each share inside its declared bounds."""
    visit = visit_of(request)
    settlement = visit.platform.settlement
    try:
        declared = settlement.declared_rules(module)
        rules = await settlement.rules_for(visit.community.id, module)
        data = parsed(
            ShareOverrides,
            _overrides(_share_rows(rules, declared), await form_of(request)),
            "share",
        )
        overrides: dict[str, int | Money] = dict(data.overrides)
        await settlement.set_overrides(visit.community, module, overrides)
    except LinliError as exc:
        return await _page(request, exc, module)
    return see(f"/c/{community}/modules", f"Revenue share of {module} saved.")


def module_routes() -> list[Any]:
    """The modules page and its forms."""
    return [modules, change, revenue_share]
