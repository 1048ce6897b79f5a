"""Payout batches: each payee paid what is settled and past its hold, net of clawbacks.

A batch works payee account by payee account, each in its own transaction (under an advisory
lock on PostgreSQL). It first decides, from the ledger alone, what the account needs:

- owed money past its hold: a **payout** transfer to the payee's connected account;
- in debit after a refund clawed back a share already paid out: a **reversal** of the latest
  payout transfer (Stripe's transfer reversal), up to what that transfer still holds;
- nothing while a transfer of the account is still pending: that one is resumed first.

Each decision is stored as a `Transfer` row whose idempotency key derives from the account and
its sequence number *before* the gateway is called. Then every pending transfer of the
community is carried out with its key and its outcome applied exactly once (the ledger key and
a conditional state update): a batch that dies anywhere is simply run again, and the gateway
answers the repeated key with the transfer it already made. A reversal the connected account
cannot cover is left ``clawback_pending``: the account stays in debit, later earnings are netted
against it, and the next batch tries the reversal again under a new key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from linli_sdk import Community, Money, PayoutHold
from piccolo.engine.postgres import PostgresEngine

from linli.db.raw import fetch

from . import ledger, store
from .announcements import announce_paid_out, first_paid
from .gateways import Gateway, GatewayOutcome, GatewayStatus
from .tables import ConnectedAccount, Transfer

__all__ = [
    "Payout",
    "apply_transfer",
    "carry_out_transfers",
    "connected_account_of",
    "destination_of",
    "module_holds",
    "pay_out",
    "transfer_key",
]

log = logging.getLogger(__name__)

PENDING, DONE, FAILED = "pending", "done", "failed"
CLAWBACK_PENDING, NETTED = "clawback_pending", "netted"


@dataclass(frozen=True, slots=True)
class Payout:
    """One movement of a batch: a payout, a clawback, or a clawback the payee cannot cover yet.

    ``kind`` is ``payout``, ``clawback`` or ``clawback_pending``; ``txn_id`` is the ledger
    transaction (``None`` for a pending clawback, which posts nothing).
    """

    account: str
    amount: Money
    txn_id: int | None
    kind: str = "payout"


def transfer_key(community_id: int, kind: str, account: str, seq: int, attempt: int = 1) -> str:
    """The gateway idempotency key of a transfer or reversal, derived from the ledger account."""
    key = f"linli-c{community_id}-{kind}-{account}-{seq}"
    return key if attempt == 1 else f"{key}-a{attempt}"


def module_holds(
    holds: Mapping[str, PayoutHold | None], now: datetime
) -> dict[str, ledger.ModuleHold]:
    """Each module's own payout hold as cutoffs at ``now`` (modules declaring none are left out)."""
    return {
        module: ledger.ModuleHold(now - timedelta(days=hold.days), hold.until_released)
        for module, hold in holds.items()
        if hold is not None and (hold.days or hold.until_released)
    }


async def pay_out(
    community: Community,
    gateway: Gateway,
    *,
    hold: timedelta,
    holds: Mapping[str, PayoutHold | None] | None = None,
    carry_out: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> list[Payout]:
    """Pay every payee of a community what is settled and past its hold, net of clawbacks.

    ``hold`` is the platform's hold; ``holds`` each module's own (`linli_sdk.PayoutHold`), so a
    share is paid once both are over — for a module holding until released, once its charge
    was released. ``carry_out=False`` only records the transfers (a later batch sends them).
    ``progress(done, total)`` is told after each payee account is decided. Returns what this
    run moved.
    """
    now = datetime.now(UTC)
    cutoff = now - hold
    per_module = module_holds(holds or {}, now)
    accounts = await store.payable_accounts(community.id)
    for done, (account, currency) in enumerate(accounts, start=1):
        await _decide(community.id, gateway, account, currency, cutoff, per_module)
        if progress is not None:
            progress(done, len(accounts))
    if not carry_out:
        return []
    return await carry_out_transfers(community.id, gateway)


async def _decide(
    community_id: int,
    gateway: Gateway,
    account: str,
    currency: str,
    cutoff: datetime,
    per_module: Mapping[str, ledger.ModuleHold],
) -> None:
    """Record the transfer or reversal one payee account needs now, if any (one transaction)."""
    engine = Transfer._meta.db
    async with engine.transaction():
        if isinstance(engine, PostgresEngine):
            await fetch(
                Transfer._meta.db,
                "SELECT pg_advisory_xact_lock(hashtext({}))",
                f"{community_id}:{account}",
            )
        rows = await _transfers(community_id, account, currency)
        if any(row["state"] == PENDING for row in rows):
            return  # resumed by carry_out_transfers
        positions = await store.payout_position(community_id, account, currency, cutoff, per_module)
        due = ledger.payout_due(positions)
        waiting = [row for row in rows if row["state"] == CLAWBACK_PENDING]
        if due >= 0 and waiting:  # later earnings covered the debt
            await _set(waiting, state=NETTED)
        if due > 0:
            paid = first_paid(positions, rows)
            await _new_payout(
                community_id, gateway, account, Money(amount=due, currency=currency), rows, paid
            )
        elif due < 0:
            await _claw_back(community_id, account, Money(amount=-due, currency=currency), rows)


async def _transfers(community_id: int, account: str, currency: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await (
        Transfer.select()
        .where(
            (Transfer.community == community_id)
            & (Transfer.account == account)
            & (Transfer.currency == currency)
        )
        .order_by(Transfer.id)
    )
    return rows


async def _set(rows: list[dict[str, Any]], **values: Any) -> None:
    for row in rows:
        await Transfer.update({getattr(Transfer, k): v for k, v in values.items()}).where(
            Transfer.id == row["id"]
        )


async def connected_account_of(community_id: int, member_id: int) -> str | None:
    """The member's connected account at the gateway, or ``None`` if it opened none."""
    row = await (
        ConnectedAccount.select(ConnectedAccount.account)
        .where(ConnectedAccount.member_key == f"{community_id}:{member_id}")
        .first()
    )
    return None if row is None else str(row["account"])


async def destination_of(community_id: int, gateway: Gateway, member_id: int) -> str | None:
    """The connected account payouts to ``member_id`` go to, or ``None`` if it has none yet.

    The sandbox needs no onboarding: its accounts exist for every member.
    """
    account = await connected_account_of(community_id, member_id)
    if account is not None:
        return account
    if gateway.name == "sandbox":
        return await gateway.open_account(key="", member_id=member_id, email=None)
    return None


async def _new_payout(
    community_id: int,
    gateway: Gateway,
    account: str,
    due: Money,
    rows: list[dict[str, Any]],
    paid: list[list[int]],
) -> None:
    destination = await destination_of(community_id, gateway, int(account.rsplit(":", 1)[1]))
    if destination is None:
        return  # the payee has not opened a connected account: it stays owed
    seq = 1 + sum(1 for row in rows if row["kind"] == "payout")
    group = ledger.payout_key(community_id, account, seq)
    await _record(community_id, account, "payout", seq, destination, due, group, charges=paid)


async def _record(
    community_id: int,
    account: str,
    kind: str,
    seq: int,
    destination: str,
    amount: Money,
    group: str,
    reverses: str = "",
    charges: list[list[int]] | None = None,
) -> None:
    """Store a transfer (or reversal) with its idempotency key, before the gateway sees it."""
    await Transfer.insert(
        Transfer(
            community=community_id,
            account=account,
            kind=kind,
            seq=seq,
            key=transfer_key(community_id, kind, account, seq),
            destination=destination,
            amount=amount.amount,
            currency=amount.currency,
            transfer_group=group,
            reverses=reverses,
            created_at=datetime.now(UTC),
            charges=charges or [],
        )
    )


def _reversible(rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """Done payouts with what each still holds (less reversals done or under way), latest first."""
    taken: dict[str, int] = {}
    for row in rows:
        if row["kind"] == "reversal" and row["state"] in (DONE, PENDING):
            taken[row["reverses"]] = taken.get(row["reverses"], 0) + row["amount"]
    payouts = [row for row in rows if row["kind"] == "payout" and row["state"] == DONE]
    left = [(row, row["amount"] - taken.get(row["gateway_ref"], 0)) for row in reversed(payouts)]
    return [(row, amount) for row, amount in left if amount > 0]


async def _claw_back(
    community_id: int, account: str, owed: Money, rows: list[dict[str, Any]]
) -> None:
    reversible = _reversible(rows)
    waiting = [row for row in rows if row["state"] == CLAWBACK_PENDING]
    if waiting:  # try again; a new attempt needs a new key (Stripe remembers the refusal)
        row = waiting[0]
        left = next((n for p, n in reversible if p["gateway_ref"] == row["reverses"]), 0)
        if left > 0:
            attempt = row["attempts"] + 1
            await _set(
                [row],
                state=PENDING,
                attempts=attempt,
                amount=min(owed.amount, left),
                key=transfer_key(community_id, "reversal", account, row["seq"], attempt),
            )
        return
    if not reversible:
        return  # nothing paid out to take back (e.g. a fee owed): netted against earnings
    payout, left = reversible[0]
    seq = 1 + sum(1 for row in rows if row["kind"] == "reversal")
    amount = Money(amount=min(owed.amount, left), currency=owed.currency)
    await _record(
        community_id,
        account,
        "reversal",
        seq,
        payout["destination"],
        amount,
        payout["transfer_group"],
        reverses=payout["gateway_ref"],
    )


async def carry_out_transfers(community_id: int, gateway: Gateway) -> list[Payout]:
    """Send every pending transfer of a community with its key; apply each outcome once."""
    pending: list[dict[str, Any]] = await (
        Transfer.select()
        .where((Transfer.community == community_id) & (Transfer.state == PENDING))
        .order_by(Transfer.id)
    )
    moved = []
    for row in pending:
        amount = Money(amount=row["amount"], currency=row["currency"])
        try:
            if row["kind"] == "payout":
                outcome = await gateway.transfer(
                    key=row["key"],
                    destination=row["destination"],
                    amount=amount,
                    group=row["transfer_group"],
                )
            else:
                outcome = await gateway.reverse(
                    key=row["key"], transfer_ref=row["reverses"], amount=amount
                )
        except Exception:  # the gateway is unreachable: the next batch resends the same key
            log.exception("sending %s failed; it stays pending", row["key"])
            continue
        applied = await apply_transfer(community_id, gateway, row, outcome)
        if applied is not None:
            moved.append(applied)
    return moved


async def apply_transfer(
    community_id: int, gateway: Gateway, row: dict[str, Any], outcome: GatewayOutcome
) -> Payout | None:
    """Apply a transfer's outcome to the ledger and close it, exactly once (what it moved)."""
    amount = Money(amount=row["amount"], currency=row["currency"])
    plan: ledger.PostingPlan | None = None
    state, kind = FAILED, "failed"
    if outcome.status is GatewayStatus.TRANSFERRED:
        plan = ledger.plan_payout(community_id, row["account"], row["seq"], amount)
        state, kind = DONE, "payout"
    elif outcome.status is GatewayStatus.REVERSED:
        plan = ledger.plan_clawback(community_id, row["account"], row["seq"], amount)
        state, kind = DONE, "clawback"
    elif outcome.status is GatewayStatus.INSUFFICIENT_BALANCE:
        state, kind = CLAWBACK_PENDING, "clawback_pending"
    engine = Transfer._meta.db
    memo = {
        "gateway": gateway.name,
        "test": gateway.test_money,
        "ref": outcome.ref,
        "transfer_group": row["transfer_group"],
    }
    async with engine.transaction():
        txn_id = None if plan is None else await store.append(community_id, None, plan, memo)
        closed = await (
            Transfer.update({Transfer.state: state, Transfer.gateway_ref: outcome.ref})
            .where((Transfer.id == row["id"]) & (Transfer.state == PENDING))
            .returning(Transfer.id)
        )
        if closed and kind == "payout":  # written once: only by the update that closed it
            await announce_paid_out(community_id, row)
    if not closed or kind == "failed":
        return None
    return Payout(account=row["account"], amount=amount, txn_id=txn_id, kind=kind)
