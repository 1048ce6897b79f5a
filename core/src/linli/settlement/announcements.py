"""Settlement events about a charge's payout, written to the outbox for the module that charged.

A payout transfer names the charges whose shares it pays for the first time (decided with the
transfer, from the ledger); the transaction that applies its outcome writes one
``settlement.charge_paid_out`` per charge, so the event exists exactly when the payout does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from linli_sdk import CHARGE_PAID_OUT, Community, Money

from ..db.cache import LookupCache
from ..dispatch.ports import record_event
from ..dispatch.store import community_by_id
from .ledger import ChargePosition
from .tables import SettlementCharge

__all__ = ["announce_paid_out", "community_for_events", "first_paid", "paid_charges"]

_COMMUNITIES: LookupCache[int, Community] = LookupCache()
"""Communities by id, for the events every captured charge writes (a slug changes seldom)."""


async def community_for_events(community_id: int) -> Community:
    """The community an event about one of its charges is written for (cached briefly)."""
    return _COMMUNITIES.get(community_id) or _COMMUNITIES.put(
        community_id, await community_by_id(community_id)
    )


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
