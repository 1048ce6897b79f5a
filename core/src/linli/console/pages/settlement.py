"""The console's settlement page: ledger balances, statements, payouts, reconciliation.

The ledger is append-only: its balances and statements are read here, never edited. A payout
batch runs `Settlement.pay_out` as the API's payout route does, once per form (the form carries
its own idempotency key, so a second submit replays instead of paying twice).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from linli_sdk import LinliError, Role
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from ...http.access import Access
from ...settlement.ledger import balances_balance
from ...settlement.statements import statement
from ...settlement.store import balances
from ..web import form_of, once, page, see, visit_of

__all__ = ["settlement_routes"]

READ = Access.of(Role.OPERATOR).opt
WRITE = Access.of(Role.OPERATOR).opt  # as the API's payout route
BASE = "/c/{community:str}/settlement"


async def _page(request: Request[Any, Any, Any], error: LinliError | None = None) -> Template:
    visit = visit_of(request)
    settlement = visit.platform.settlement
    totals = await balances(visit.community.id)
    return page(
        request,
        "settlement.html",
        error=error,
        accounts=[
            {"account": account, "currency": currency, "balance": total}
            for (account, currency), total in sorted(totals.items())
        ],
        balanced=balances_balance(totals),
        gateway=settlement.gateway.name,
        test_money=settlement.gateway.test_money,
        differences=await settlement.reconcile(visit.community.id),
        batch_key=secrets.token_urlsafe(16),
    )


@get(BASE, opt=READ)
async def overview(request: Request[Any, Any, Any]) -> Template:
    """Every ledger account's balance, whether they balance, and the reconciliation report."""
    return await _page(request)


@get(f"{BASE}/statements/{{account:str}}", opt=READ)
async def account_statement(request: Request[Any, Any, Any], account: FromPath[str]) -> Template:
    """One account's statement: each posting, with its charge, order and module."""
    visit = visit_of(request)
    lines = await statement(visit.community.id, account)
    test_money = visit.platform.settlement.gateway.test_money
    return page(request, "statement.html", account=account, lines=lines, test_money=test_money)


@post(f"{BASE}/payouts", opt=WRITE, status_code=303)
async def payouts(request: Request[Any, Any, Any], community: FromPath[str]) -> Response[Any]:
    """Run a payout batch: each payee is paid what is settled and past the hold."""
    visit = visit_of(request)
    key = (await form_of(request)).get("batch_key") or None
    hold = timedelta(seconds=visit.platform.settings.settlement_payout_hold_seconds)
    try:
        paid = await once(
            visit,
            key,
            lambda: visit.platform.settlement.pay_out(visit.community, hold=hold),
            "settlement",
            "payouts",
            visit.community.id,
        )
    except LinliError as exc:
        return await _page(request, exc)
    if paid is None:
        return see(f"/c/{community}/settlement", "This payout batch already ran.")
    count = sum(1 for p in paid if p.kind == "payout")
    return see(f"/c/{community}/settlement", f"Payout batch done: {count} payouts.")


def settlement_routes() -> list[Any]:
    """The settlement page, statements and payout batches."""
    return [overview, account_statement, payouts]
