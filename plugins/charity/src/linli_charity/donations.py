"""Donations without a caller: the fund's part once a charge is captured, refused charges.

A deadline records the fund's part of a purchase once its charge is captured; a charge the
gateway refused fails its purchase, which then gives nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from linli_sdk import CHARGE_FAILED, ChargeStatus, Deadline, Event, Host, Money, on_deadline

from .rules import FUND_PARTY, EntryKind, retry_after
from .store import money_of, record_entry
from .tables import PurchaseRow


async def record_donation(host: Host, purchase_id: int, now: datetime) -> None:
    """Record the fund's part of a captured purchase in its public ledger, once.

    Runs from the ``donation:{purchase_id}`` deadline; a charge the gateway has not captured yet is
    looked at again later.
    """
    community = host.community.id
    row = (
        await PurchaseRow.select()
        .where((PurchaseRow.community_id == community) & (PurchaseRow.id == purchase_id))
        .first()
    )
    if row is None or row["donated"] is not None or row["failed"]:
        return
    amount = money_of(row["amount"], row["currency"])
    charge = await host.payments.get(row["charge_id"])  # read back, never charged again
    if charge.status is ChargeStatus.FAILED:  # final: the event says so too, whichever is first
        await fail_purchase(host, purchase_id)
        return
    if charge.status in (ChargeStatus.PENDING, ChargeStatus.AUTHORIZED):  # not captured yet
        waits = row["waits"] + 1
        await PurchaseRow.update({PurchaseRow.waits: waits}).where(PurchaseRow.id == purchase_id)
        await host.deadlines.schedule(
            donation_due.key(purchase_id=purchase_id), now + retry_after(waits), {}
        )
        return
    donated = charge.parts.get(FUND_PARTY, Money.zero(amount.currency))
    await record_entry(
        community,
        row["fund_id"],
        f"{community}:in:{purchase_id}",
        EntryKind.DONATION,
        donated,
        f"purchase {purchase_id}",
        purchase_id=purchase_id,
    )
    await PurchaseRow.update({PurchaseRow.donated: donated.amount}).where(
        PurchaseRow.id == purchase_id
    )
    await host.events.publish(
        "donation_recorded",
        {"purchase_id": purchase_id, "fund_id": row["fund_id"], "amount": donated.model_dump()},
    )


async def fail_purchase(host: Host, purchase_id: int) -> None:
    """The gateway refused the purchase's charge: mark it failed, stop waiting; once."""
    failed = await (
        PurchaseRow.update({PurchaseRow.failed: True})
        .where(
            (PurchaseRow.community_id == host.community.id)
            & (PurchaseRow.id == purchase_id)
            & (PurchaseRow.failed == False)  # noqa: E712
            & PurchaseRow.donated.is_null()
        )
        .returning(PurchaseRow.id)
    )
    await host.deadlines.cancel(donation_due.key(purchase_id=purchase_id))
    if failed:
        await host.events.publish("purchase_failed", {"purchase_id": purchase_id})


async def charge_failed(host: Host, event: Event) -> None:
    """A charge the gateway refused fails its purchase at once (no more waiting for it)."""
    if event.type != CHARGE_FAILED or event.payload.get("module") != host.module:
        return
    row = (
        await PurchaseRow.select(PurchaseRow.id)
        .where(
            (PurchaseRow.community_id == host.community.id)
            & (PurchaseRow.charge_id == event.payload["charge_id"])
        )
        .first()
    )
    if row is not None:
        await fail_purchase(host, row["id"])


@on_deadline("donation:{purchase_id}")
async def donation_due(host: Host, deadline: Deadline, purchase_id: int) -> None:
    """Record the fund's part of the purchase once its charge is captured."""
    await record_donation(host, purchase_id, datetime.now(UTC))
