"""Charges: charge, capture, void, refund and release, recorded in the caller's transaction.

Each request is checked against the ledger, the charge recorded, what needs no gateway posted
(a refund's split is granted at once, so no second refund can take the same money) and each
gateway call recorded as an intent, carried out after commit (`linli.settlement.executor`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from linli_sdk import (
    Charge,
    ChargeStatus,
    Community,
    Conflict,
    InvalidInput,
    LinliError,
    Money,
    NotFound,
    Refund,
)
from linli_sdk.revenue_share import RevenueShareRules, split
from piccolo.engine.postgres import PostgresEngine

from linli.db.raw import fetch

from . import charge_store, ledger, store
from .executor import GatewayExecutor, Recorded, expired, intent_key, row_money
from .tables import (
    GatewayIntent,
    Release,
    SettlementCharge,
)

__all__ = ["Charges", "charge_id_of"]


def charge_id_of(charge_id: str) -> int:
    """The numeric id behind a charge id such as ``ch_12``.

    Raises:
        NotFound: The id is not one of ours.

    """
    number = charge_id.removeprefix("ch_")
    if not number.isdigit():
        raise NotFound(f"no charge {charge_id}")
    return int(number)


@lru_cache(maxsize=256)
def _rules_text(rules: RevenueShareRules) -> str:
    """The rules as the JSON text a charge row keeps (the same few rules serve every charge)."""
    return json.dumps(rules.model_dump(mode="json"))


def _derive(
    row: Mapping[str, Any],
    entries: list[ledger.PostedEntry],
    *,
    released: bool,
    failed: bool = False,
) -> Charge:
    """A charge's status, parts and refunds from its row and its ledger entries.

    ``failed``: the gateway refused its payment (a refused capture leaves a void posting).
    """
    kinds = {entry.kind for entry in entries}
    amount = row_money(row)
    refunded = Money(
        amount=-sum(
            e.amount.amount
            for e in entries
            if e.kind is ledger.TxnKind.REFUND and e.account == ledger.REFUNDS_PAYABLE
        ),
        currency=amount.currency,
    )
    parts: dict[str, Money] = {}
    status = ChargeStatus.PENDING  # the gateway has not answered yet
    if ledger.TxnKind.CAPTURE in kinds:
        rules = RevenueShareRules.model_validate(row["rules"])
        parts = ledger.held_by_party(entries, rules.parties)
        status = ChargeStatus.REFUNDED if refunded == amount else ChargeStatus.CAPTURED
    elif failed:
        status = ChargeStatus.FAILED
    elif ledger.TxnKind.VOID in kinds:
        status = ChargeStatus.VOIDED
    elif ledger.TxnKind.AUTHORIZE in kinds:
        status = ChargeStatus.AUTHORIZED
    return Charge(
        id=f"ch_{row['id']}",
        order_ref=row["order_ref"],
        amount=amount,
        status=status,
        parts=parts,
        refunded=refunded,
        released=released,
        deposit=row["expires_at"] is not None,
        expires_at=row["expires_at"],
    )


class Charges(GatewayExecutor):
    """A community's charges in the ledger, and their views."""

    async def charge(
        self,
        community: Community,
        module: str,
        *,
        order_ref: str,
        amount: Money,
        payer_id: int,
        payees: Mapping[str, int],
        capture: bool,
        written: dict[int, Recorded] | None = None,
        expires_at: datetime | None = None,
    ) -> Charge:
        """Record a charge for an order and its gateway intent; the same order returns the first.

        ``written``, if given, receives the new charge's row and intent by charge id, for its
        carrying out after commit (`carry_out_later`) without reading back what was just written.
        ``expires_at`` makes it a deposit: an authorisation split by the module's deposit rules
        and voided by `sweep` once it expires uncaptured (``capture`` is then ignored).

        Raises:
            InvalidInput: Non-positive amount, a missing payee, shares exceeding the amount, or
                a deposit without deposit rules or whose expiry is not in the future.

        """
        if amount.amount <= 0:
            raise InvalidInput(f"a charge must be positive, not {amount}", field="amount")
        charge_key = f"{community.id}:{module}:{order_ref}"
        try:
            if expires_at is None:
                rules = await self.rules_for(community.id, module)
            else:
                rules, capture = self.deposit_rules(module, expires_at), False
            rules.check_payees(payees)
            split(rules, amount)  # refuses a negative remainder up front
        except LinliError:
            if existing := await charge_store.charge_row_by_key(charge_key):  # charged before
                return await self.view(community, existing)
            raise
        row: dict[str, Any] = {
            "community": community.id,
            "module": module,
            "order_ref": order_ref,
            "charge_key": charge_key,
            "payer_id": payer_id,
            "payees": dict(payees),
            "currency": amount.currency,
            "amount": amount.amount,
            "rules": _rules_text(rules),
            "gateway": self.gateway.name,
            "created_at": datetime.now(UTC),
            "expires_at": expires_at,
        }
        opened = await charge_store.open_charge(row, "charge" if capture else "authorize")
        if opened is None:  # this order was charged before (or by a concurrent call)
            existing = await charge_store.charge_row_by_key(charge_key)
            assert existing is not None
            return await self.view(community, existing)
        charge_id, intent = opened
        row["id"] = charge_id
        row["rules"] = rules  # the model itself: validating it again when applied costs nothing
        if written is not None:
            written[charge_id] = (row, [intent] if intent else [])
        return _derive(row, [], released=False)  # nothing is posted for a new charge yet

    async def capture(self, community: Community, charge_id: int) -> Charge:
        """Ask to capture an authorised charge; capturing twice is harmless.

        Raises:
            Conflict: The charge was voided, or the gateway refused it (it failed).

        """
        row = await self._locked(community.id, charge_id)
        actions = await self._actions(row)
        if "void" in actions:
            raise Conflict(f"charge ch_{charge_id} was voided; it cannot be captured")
        if await self._refused(row):
            raise Conflict(f"charge ch_{charge_id} failed: the gateway refused it")
        if not actions & {"charge", "capture"} and expired(row, datetime.now(UTC)):
            raise Conflict(f"deposit ch_{charge_id} expired at {row['expires_at']}")
        if not actions & {"charge", "capture"}:
            await self._intend(row, "capture", row_money(row))
        return await self.view(community, row)

    async def void(self, community: Community, charge_id: int) -> Charge:
        """Ask to release an authorised charge; voiding twice (or a failed charge) is harmless.

        Raises:
            Conflict: The charge was captured (refund it instead).

        """
        row = await self._locked(community.id, charge_id)
        if await self._refused(row):
            return await self.view(community, row)  # nothing is held: nothing to release
        actions = await self._actions(row)
        if actions & {"charge", "capture"}:
            raise Conflict(f"charge ch_{charge_id} is captured: refund it instead of voiding")
        if "void" not in actions:
            await self._intend(row, "void", row_money(row))
        return await self.view(community, row)

    async def refund(
        self, community: Community, charge_id: int, amount: Money, *, reason: str, ref: str
    ) -> Refund:
        """Grant a refund now (split back pro rata in the ledger) and intend its payment.

        The same ``ref`` returns the first refund. The charge is locked while the refund is
        checked, so concurrent refunds can never take more than the parties hold.

        Raises:
            Conflict: The capture has not been applied yet.
            RefundExceedsHeld: ``amount`` is more than what is left of the charge.

        """
        row = await self._locked(community.id, charge_id)
        key = ledger.txn_key(charge_id, ledger.TxnKind.REFUND, ref)
        first = await self._refund_by_key(row, key)
        if first is not None:
            return first
        if amount.amount <= 0:
            raise InvalidInput(f"a refund must be positive, not {amount}", field="amount")
        entries = await store.charge_entries(community.id, charge_id)
        if not any(e.kind is ledger.TxnKind.CAPTURE for e in entries):
            raise Conflict(f"charge ch_{charge_id} has no applied capture to refund yet")
        rules = RevenueShareRules.model_validate(row["rules"])
        held = ledger.held_by_party(entries, rules.parties)
        plan = ledger.plan_refund(charge_id, ref, held, amount, row["payees"])
        memo = {"ref": ref, "reason": reason, "amount": amount.amount}
        await store.append(community.id, charge_id, plan, memo)
        await self._intend(row, "refund", amount, ref=ref, reason=reason)
        refund = await self._refund_by_key(row, key)
        assert refund is not None
        return refund

    async def release(self, community: Community, charge_id: int) -> Charge:
        """Release the charge's held shares for payout (e.g. pickup verified); idempotent.

        Recorded as an append-only row (one per charge) in the caller's transaction; a payout
        batch pays the shares of a module that holds until released only after it.

        Raises:
            NotFound: No such charge in this community.

        """
        row = await self._charge(community.id, charge_id)
        await Release.insert(
            Release(community=community.id, charge=charge_id, released_at=datetime.now(UTC))
        ).on_conflict(target=Release.charge, action="DO NOTHING")
        return await self.view(community, row)

    async def get(self, community: Community, charge_id: int) -> Charge:
        """The charge as the ledger has it now.

        Raises:
            NotFound: No such charge in this community.

        """
        return await self.view(community, await self._charge(community.id, charge_id))

    async def view(self, community: Community, row: Mapping[str, Any]) -> Charge:
        """Derive a charge's status, parts and refunds from its ledger transactions."""
        entries = await store.charge_entries(community.id, row["id"])
        released = await Release.exists().where(
            (Release.community == community.id) & (Release.charge == row["id"])
        )
        captured = any(entry.kind is ledger.TxnKind.CAPTURE for entry in entries)
        failed = not captured and await self._refused(row)
        return _derive(row, entries, released=released, failed=failed)

    async def _locked(self, community_id: int, charge_id: int) -> dict[str, Any]:
        """The charge row, locked until the transaction ends (PostgreSQL; SQLite serialises)."""
        engine = SettlementCharge._meta.db
        if isinstance(engine, PostgresEngine):
            await fetch(
                SettlementCharge._meta.db,
                "SELECT id FROM linli_settlement_charge WHERE id = {} AND community = {} "
                "FOR UPDATE",
                charge_id,
                community_id,
            )
        return await self._charge(community_id, charge_id)

    async def _actions(self, row: Mapping[str, Any]) -> set[str]:
        rows = await GatewayIntent.select(GatewayIntent.action).where(
            GatewayIntent.charge == row["id"]
        )
        return {r["action"] for r in rows}

    async def _intend(
        self,
        row: Mapping[str, Any],
        action: str,
        amount: Money,
        *,
        ref: str = "",
        reason: str = "",
    ) -> dict[str, Any] | None:
        key = intent_key(row["community"], row["id"], action, ref)
        return await charge_store.insert_intent(
            row["community"], row["id"], key, action, amount.amount, refund_ref=ref, reason=reason
        )

    async def _refund_by_key(self, row: Mapping[str, Any], key: str) -> Refund | None:
        txn = await store.txn_by_key(row["community"], key)
        if txn is None:
            return None
        currency = row["currency"]
        rules = RevenueShareRules.model_validate(row["rules"])
        taken = dict.fromkeys(rules.parties, Money.zero(currency))
        for party, amount in (await store.party_lines(row["community"], txn["id"])).items():
            taken[party] = Money(amount=amount, currency=currency)
        return Refund(
            id=f"re_{txn['id']}",
            charge_id=f"ch_{row['id']}",
            amount=Money(amount=txn["memo"]["amount"], currency=currency),
            parts=taken,
            reason=txn["memo"]["reason"],
        )
