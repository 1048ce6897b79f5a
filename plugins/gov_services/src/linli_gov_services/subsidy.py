"""The government subsidy: one claim per completed errand, charged to the government payer.

Money stays in the ledger: a claim becomes a charge (through ``host.payments``) to the payer
account the operator names, split by the module's declared revenue-share rules, the station
taking the remainder.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import Conflict, Empty, Host, Money, Role, command, query

from . import rules
from .models import GovServicesSettings, SubsidyClaim, SubsidyClaimList
from .station import Ctx, one
from .tables import ServiceRow, SubsidyClaimRow

__all__ = ["charge_subsidy", "claim", "submit_subsidy_claims", "subsidy_claims"]


async def charge_subsidy(
    host: Host, settings: GovServicesSettings, claim: dict[str, Any]
) -> str | None:
    """Charge a recorded subsidy claim to the government payer, split by the declared rules.

    Returns the charge id, or ``None`` while the payer or the station is not set (the claim
    stays recorded). Idempotent: the charge's order ref is the appointment's.
    """
    payer, station = settings.subsidy_payer_id, settings.station_payee_id
    if not rules.subsidy_payable(payer, station) or claim["amount"] <= 0:
        return None
    assert payer is not None and station is not None
    charge = await host.payments.charge(
        order_ref=f"subsidy-appointment-{claim['appointment_id']}",
        amount=Money(amount=claim["amount"], currency=claim["currency"]),
        payer_id=payer,
        payees={"station": station},
        capture=True,
    )
    return charge.id


async def claim(ctx: Ctx, appointment: dict[str, Any]) -> None:
    """Record the subsidy a completed appointment earns, charging it at once if possible.

    The claim is charged to the government payer when the operator has set the payer and the
    station's payee; otherwise it stays recorded for :func:`submit_subsidy_claims`.
    """
    service = await one(ServiceRow, ctx.community.id, appointment["service_id"], "service")
    row = {
        "appointment_id": appointment["id"],
        "amount": service["subsidy_amount"],
        "currency": service["currency"],
    }
    charge_id = await charge_subsidy(ctx.host, ctx.settings, row)
    await SubsidyClaimRow.insert(
        SubsidyClaimRow(
            community_id=ctx.community.id,
            appointment_id=appointment["id"],
            claim_key=f"{ctx.community.id}:{appointment['id']}",
            amount=service["subsidy_amount"],
            currency=service["currency"],
            status=rules.claim_status(service["subsidy_amount"], charge_id),
            charge_id=charge_id,
            created_at=ctx.now,
            charged_at=ctx.now if charge_id else None,
        )
    )


async def _claims(community_id: int) -> SubsidyClaimList:
    rows = (
        await SubsidyClaimRow.select()
        .where(SubsidyClaimRow.community_id == community_id)
        .order_by(SubsidyClaimRow.id)
    )
    return SubsidyClaimList(
        items=[
            SubsidyClaim(
                appointment_id=r["appointment_id"],
                amount=Money(amount=r["amount"], currency=r["currency"]),
                status=r["status"],
                charge_id=r["charge_id"],
            )
            for r in rows
        ]
    )


@command(Role.OPERATOR)
async def submit_subsidy_claims(ctx: Ctx, data: Empty) -> SubsidyClaimList:
    """Charge every recorded subsidy claim to the government payer (once both are set)."""
    if not rules.subsidy_payable(ctx.settings.subsidy_payer_id, ctx.settings.station_payee_id):
        raise Conflict("set subsidy_payer_id and station_payee_id in the module's settings first")
    rows = await SubsidyClaimRow.select().where(
        (SubsidyClaimRow.community_id == ctx.community.id)
        & (SubsidyClaimRow.status == rules.ClaimStatus.RECORDED)
    )
    for row in rows:
        charge_id = await charge_subsidy(ctx.host, ctx.settings, row)
        await SubsidyClaimRow.update(
            {
                SubsidyClaimRow.status: rules.claim_status(row["amount"], charge_id),
                SubsidyClaimRow.charge_id: charge_id,
                SubsidyClaimRow.charged_at: ctx.now,
            }
        ).where(
            (SubsidyClaimRow.id == row["id"]) & (SubsidyClaimRow.community_id == ctx.community.id)
        )
    return await _claims(ctx.community.id)


@query(Role.OPERATOR, Role.AUDITOR)
async def subsidy_claims(ctx: Ctx, data: Empty) -> SubsidyClaimList:
    """The station's subsidy claims, oldest first."""
    return await _claims(ctx.community.id)
