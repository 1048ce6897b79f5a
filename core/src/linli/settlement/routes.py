"""The settlement service's HTTP routes: revenue-share overrides, charges, refunds, the ledger.

Every route is under ``/v1/communities/{community}/settlement``; money commands take an
``Idempotency-Key``, each run as one unit of work: the same key with the same body replays the
first answer (``Idempotent-Replayed: true``), with another body it is refused (422) and nothing
changes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from linli_sdk import Charge as ChargeView
from linli_sdk import Forbidden, NotFound, Refund, Role
from litestar import Request, Response
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from linli.http.handlers import get, post, put
from linli.settlement.gateways.stripe import StripeGateway
from linli.settlement.leader_routes import LeaderRoutes
from linli.settlement.statements import statement as statement_of
from linli.settlement.statements import statement_csv

from ..errors import Unauthorized
from ..http.access import Access
from ..http.commands import Command
from ..http.community import COMMUNITY, CommunityController, Where, Who
from ..http.openapi import TEXT, answers
from ..http.problems import problem_responses
from ..platform import Platform
from .schemas import (
    AccountBalance,
    ConnectedAccountLink,
    EffectiveRules,
    LedgerBalances,
    Onboarding,
    PayoutBatch,
    PayoutLine,
    Reconciliation,
    RefundRequest,
    ShareOverrides,
    Statement,
    SweepResult,
    WebhookReceipt,
)
from .service import Settlement, charge_id_of, community_of

__all__ = ["SettlementController", "routes"]


RequiredIdempotencyKey = Annotated[
    str,
    HeaderParameter(
        name="Idempotency-Key",
        required=True,
        min_length=1,
        max_length=200,
        description="Makes the command safe to repeat: the same key and body replay the first "
        "result; the same key with another body is refused.",
    ),
]


def _settlement(request: Request[Any, Any, Any]) -> Settlement:
    """The settlement service of the platform serving this request."""
    platform: Platform = request.app.state.platform
    return platform.settlement


_RESPONSES = problem_responses(401, 403, 404, 409, 422)


@post(
    "/v1/settlement/webhooks/stripe",
    tags=["settlement"],
    summary="Stripe's webhook endpoint (verified by signature, de-duplicated by event id)",
    status_code=200,
    responses=problem_responses(401, 404, 409, 422),
    opt=Access.service().opt,
)
async def stripe_webhook(request: Request[Any, Any, Any]) -> WebhookReceipt:
    """Apply a verified Stripe event to the intent it names, exactly once."""
    settlement = _settlement(request)
    gateway = settlement.gateway
    if not isinstance(gateway, StripeGateway):
        raise NotFound("this platform does not use the Stripe gateway")
    signature = request.headers.get("stripe-signature")
    if not signature:
        raise Unauthorized("a Stripe webhook must carry its Stripe-Signature")
    verified = gateway.verify(await request.body(), signature)
    if verified is None:
        return WebhookReceipt(applied=False)
    applied = await settlement.receive_event(
        community_of(verified.intent_key),
        verified.event_id,
        verified.intent_key,
        verified.outcome,
    )
    return WebhookReceipt(applied=applied)


class SettlementController(CommunityController, LeaderRoutes):
    """The settlement service's community routes (the leaders' income routes included)."""

    path = COMMUNITY + "/settlement"
    tags = ["settlement"]

    @get(
        "/revenue-share/{module:str}",
        summary="A module's effective revenue-share rules in a community",
        responses=_RESPONSES,
        opt=Access.of(Role.OPERATOR, Role.AUDITOR).opt,
    )
    async def get_rules(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        module: FromPath[str],
    ) -> EffectiveRules:
        """The declared rules with this community's overrides applied."""
        settlement = _settlement(request)
        overrides = await settlement.overrides(where.id, module)
        rules = settlement.declared_rules(module).with_overrides(overrides)
        return EffectiveRules(
            module=module, overrides=overrides, rules=rules.model_dump(mode="json")
        )

    @put(
        "/revenue-share/{module:str}",
        summary="Set a module's revenue share in a community, inside its declared bounds",
        description="A value outside the declared bounds is a 422 naming the bound.",
        responses=_RESPONSES,
        opt=Access.of(Role.OPERATOR).opt,
    )
    async def put_rules(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        module: FromPath[str],
        data: JSONBody[ShareOverrides],
    ) -> EffectiveRules:
        """Replace the community's overrides for ``module`` (applies to charges made from now)."""
        rules = await _settlement(request).set_overrides(where, module, data.overrides)
        return EffectiveRules(
            module=module, overrides=data.overrides, rules=rules.model_dump(mode="json")
        )

    @get(
        "/charges/{charge_id:str}",
        summary="A charge, as the ledger has it",
        responses=_RESPONSES,
        opt=Access.of(Role.OPERATOR, Role.AUDITOR).opt,
    )
    async def get_charge(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        charge_id: FromPath[str],
    ) -> ChargeView:
        """Status, parts held by each party, and refunds so far — derived from the ledger."""
        return await _settlement(request).get(where, charge_id_of(charge_id))

    @post(
        "/charges/{charge_id:str}/refunds",
        summary="Refund a charge in part or in full (after-sale compensation)",
        status_code=200,
        responses=_RESPONSES,
        opt=Access.of(Role.OPERATOR).opt,
    )
    async def refund_charge(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        charge_id: FromPath[str],
        data: JSONBody[RefundRequest],
        idempotency_key: RequiredIdempotencyKey,
    ) -> Response[Refund]:
        """Grant a refund split back pro rata; never more than what is left of the charge."""
        settlement = _settlement(request)
        number = charge_id_of(charge_id)
        unit = (await Command.of(request, idempotency_key)).unit()

        async def work() -> Refund:
            refund = await settlement.refund(
                where, number, data.amount, reason=data.reason, ref=f"http-{unit.reference}"
            )

            async def pay_back() -> None:
                settlement.carry_out_later(where.id, number)

            unit.after_commit(pay_back)
            return refund

        return await unit.answer(work)

    @get(
        "/ledger",
        summary="Ledger balances per account and currency",
        responses=_RESPONSES,
        opt=Access.of(Role.OPERATOR, Role.AUDITOR).opt,
    )
    async def ledger_balances(
        self, request: Request[Any, Any, Any], where: Where
    ) -> LedgerBalances:
        """Every account's balance; ``balanced`` is true when each currency sums to zero."""
        from .ledger import balances_balance
        from .store import balances

        totals = await balances(where.id)
        return LedgerBalances(
            community=where.slug,
            balanced=balances_balance(totals),
            test_money=_settlement(request).gateway.test_money,
            accounts=[
                AccountBalance(account=account, currency=currency, balance=total)
                for (account, currency), total in sorted(totals.items())
            ],
        )

    @post(
        "/sweep",
        summary="Carry out every pending gateway intent (after a crash or an outage)",
        status_code=200,
        responses=_RESPONSES,
        opt=Access.of(Role.OPERATOR).opt,
    )
    async def sweep(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        idempotency_key: RequiredIdempotencyKey,
    ) -> SweepResult:
        """Safe to repeat: each intent reaches the gateway with its key and applies once.

        Not a unit of work: the sweep calls the gateway, so it runs outside any transaction.
        """
        return SweepResult(carried_out=await _settlement(request).sweep(where.id))

    @post(
        "/payouts",
        summary="Run a payout batch: pay each payee what is settled and past the hold",
        status_code=200,
        responses=_RESPONSES,
        opt=Access.of(Role.OPERATOR).opt,
    )
    async def run_payouts(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        idempotency_key: RequiredIdempotencyKey,
    ) -> Response[PayoutBatch]:
        """Pay out per payee, netted against clawbacks; the same key replays the first answer."""
        platform: Platform = request.app.state.platform
        hold = timedelta(seconds=platform.settings.settlement_payout_hold_seconds)
        settlement = _settlement(request)

        async def batch() -> PayoutBatch:
            paid = await settlement.pay_out(where, hold=hold)
            lines = {
                kind: [
                    PayoutLine(account=p.account, amount=p.amount) for p in paid if p.kind == kind
                ]
                for kind in ("payout", "clawback", "clawback_pending")
            }
            return PayoutBatch(
                test_money=settlement.gateway.test_money,
                payouts=lines["payout"],
                clawbacks=lines["clawback"],
                clawbacks_pending=lines["clawback_pending"],
            )

        return await (await Command.of(request, idempotency_key)).answer(batch)

    @post(
        "/connected-account",
        summary="Open (once) the caller's connected account for payouts; an onboarding link",
        description="Payouts go to the payee's connected account (Stripe Connect). Safe to repeat: "
        "the same member keeps one account; each call answers a fresh, short-lived link.",
        status_code=200,
        responses=_RESPONSES,
        opt=Access.member().opt,
    )
    async def connected_account(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        caller: Who,
        data: JSONBody[Onboarding],
        idempotency_key: RequiredIdempotencyKey,
    ) -> ConnectedAccountLink:
        """The caller's own connected account (a payee is a member of the community)."""
        if caller.member_id is None:
            raise Forbidden("only a member can open a connected account")
        settlement = _settlement(request)
        account, url = await settlement.connected_account(
            where, caller.member_id, refresh_url=data.refresh_url, return_url=data.return_url
        )
        return ConnectedAccountLink(
            account=account, onboarding_url=url, test_money=settlement.gateway.test_money
        )

    @get(
        "/reconciliation",
        summary="Compare the ledger with the gateway's records and list every difference",
        responses=_RESPONSES,
        opt=Access.of(Role.OPERATOR, Role.AUDITOR).opt,
    )
    async def reconciliation(self, request: Request[Any, Any, Any], where: Where) -> Reconciliation:
        """Payments and refunds, object by object; a sweep fixes ``not_applied`` differences."""
        settlement = _settlement(request)
        return Reconciliation(
            gateway=settlement.gateway.name,
            test_money=settlement.gateway.test_money,
            differences=await settlement.reconcile(where.id),
        )

    @get(
        "/statements/{account:str}",
        summary="A party's statement as JSON, or CSV with ?format=csv",
        responses={
            **_RESPONSES,
            200: ResponseSpec(Statement, generate_examples=False, description="The statement."),
        },
        operation_class=answers({"text/csv": TEXT}, keep_json=True),
        opt=Access.member().opt,
    )
    async def statement(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        caller: Who,
        account: FromPath[str],
        format: Annotated[str, QueryParameter(pattern="^(json|csv)$")] = "json",
    ) -> Response[bytes]:
        """Operators and auditors see any account; a member sees the accounts in their own name."""
        own = caller.member_id is not None and account.endswith(f":{caller.member_id}")
        if not (own or caller.has_role(Role.OPERATOR, Role.AUDITOR)):
            raise Forbidden("a member may only see their own statement")
        settlement = _settlement(request)
        lines = await statement_of(where.id, account)
        if format == "csv":
            return Response(
                statement_csv(lines, test_money=settlement.gateway.test_money).encode(),
                media_type="text/csv",
                headers={"Content-Disposition": f'attachment; filename="{account}.csv"'},
            )
        body = Statement(account=account, test_money=settlement.gateway.test_money, lines=lines)
        return Response(body.model_dump_json().encode(), media_type="application/json")


def routes(platform: Platform) -> list[Any]:
    """The settlement service's routes: its controller and the Stripe webhook."""
    return [SettlementController, stripe_webhook]
