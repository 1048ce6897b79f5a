"""Settlement events about a charge, written to the outbox for the module that charged.

A gateway outcome is announced by the transaction that closed its intent (`announce_outcomes`),
so each event is written once however many of confirm, sweep and webhook race. A payout transfer
names the charges whose shares it pays for the first time (decided with the transfer, from the
ledger); the transaction that applies its outcome writes one ``settlement.charge_paid_out`` per
charge, so the event exists exactly when the payout does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from linli_sdk import (
    CHARGE_CAPTURED,
    CHARGE_FAILED,
    CHARGE_PAID_OUT,
    CHARGE_REFUNDED,
    Community,
    Event,
    Money,
)

from ..db.cache import LookupCache
from ..dispatch.ports import new_event, record_event, record_events
from ..dispatch.store import community_by_id
from .gateways import GatewayOutcome, GatewayStatus
from .ledger import ChargePosition
from .tables import SettlementCharge

__all__ = [
    "PAYMENT_ACTIONS",
    "announce_outcomes",
    "announce_paid_out",
    "community_for_events",
    "first_paid",
    "outcome_event",
    "paid_charges",
]

PAYMENT_ACTIONS = ("charge", "authorize", "capture")
"""Gateway calls whose refusal fails the charge: nothing is taken, nothing stays held."""

_COMMUNITIES: LookupCache[int, Community] = LookupCache()
"""Communities by id, for the events every captured charge writes (a slug changes seldom)."""


async def community_for_events(community_id: int) -> Community:
    """The community an event about one of its charges is written for (cached briefly)."""
    return _COMMUNITIES.get(community_id) or _COMMUNITIES.put(
        community_id, await community_by_id(community_id)
    )


def outcome_event(
    row: Mapping[str, Any], intent: Mapping[str, Any], outcome: GatewayOutcome
) -> tuple[str, dict[str, Any]] | None:
    """The event (type and payload) a gateway outcome of one charge's intent announces, if any.

    ``settlement.charge_failed`` for a refused payment, ``charge_captured`` for money taken,
    ``charge_refunded`` for a refund the gateway paid back; nothing for the others.
    """
    action, status = intent["action"], outcome.status
    extra: dict[str, Any] = {}
    if status is GatewayStatus.FAILED and action in PAYMENT_ACTIONS:
        kind, extra["reason"] = CHARGE_FAILED, outcome.reason or "declined"
    elif status is GatewayStatus.CAPTURED and action in PAYMENT_ACTIONS:
        kind = CHARGE_CAPTURED
    elif status is GatewayStatus.REFUNDED and action == "refund":
        kind, extra["ref"] = CHARGE_REFUNDED, intent["refund_ref"]
    else:
        return None
    amount = Money(amount=intent["amount"], currency=row["currency"])  # the call's amount
    payload = {
        "charge_id": f"ch_{row['id']}",
        "order_ref": row["order_ref"],
        "module": row["module"],
        "amount": amount.model_dump(mode="json"),
        **extra,
    }
    return kind, payload


async def announce_outcomes(
    closed: Sequence[tuple[Mapping[str, Any], Mapping[str, Any], GatewayOutcome]],
) -> None:
    """Write the events of outcomes whose intents were just closed, in one outbox insert.

    ``closed`` holds each charge row, its intent and the gateway's outcome. Call it only from
    the transaction that closed them: the outbox delivers each event to the charging module.
    """
    events: list[tuple[Community, Event]] = []
    for row, intent, outcome in closed:
        if (announced := outcome_event(row, intent, outcome)) is not None:
            community = await community_for_events(row["community"])
            events.append((community, new_event(community, None, *announced)))
    if events:
        await record_events(events)


def paid_charges(row: Mapping[str, Any]) -> list[list[int]]:
    """A transfer row's ``charges`` (``[charge id, share]`` pairs), whichever engine read it."""
    charges = row.get("charges") or []
    return list(json.loads(charges) if isinstance(charges, str | bytes) else charges)


def first_paid(
    positions: Sequence[ChargePosition], earlier: Sequence[Mapping[str, Any]]
) -> list[list[int]]:
    """The charges a new payout pays for the first time: settled credits no earlier payout named.

    ``earlier`` are the account's transfers so far; payouts pending or done count.
    """
    named = {
        charge
        for row in earlier
        if row["kind"] == "payout" and row["state"] in ("pending", "done")
        for charge, _ in paid_charges(row)
    }
    return [
        [p.charge, -p.net]
        for p in positions
        if p.charge is not None and p.settled and p.net < 0 and p.charge not in named
    ]


async def announce_paid_out(community_id: int, row: Mapping[str, Any]) -> None:
    """Write ``settlement.charge_paid_out`` for each charge a done payout ``row`` names."""
    shares = dict((charge, share) for charge, share in paid_charges(row))
    if not shares:
        return
    charges = await SettlementCharge.select(
        SettlementCharge.id, SettlementCharge.order_ref, SettlementCharge.module
    ).where(SettlementCharge.id.is_in(list(shares)))
    community = await community_for_events(community_id)
    _, party, payee = row["account"].split(":")
    for charge in sorted(charges, key=lambda c: c["id"]):
        payload = {
            "charge_id": f"ch_{charge['id']}",
            "order_ref": charge["order_ref"],
            "module": charge["module"],
            "party": party,
            "payee_id": int(payee),
            "amount": Money(amount=shares[charge["id"]], currency=row["currency"]).model_dump(
                mode="json"
            ),
        }
        await record_event(community, None, CHARGE_PAID_OUT, payload)
