"""The settlement service: the imperative shell around the ledger's rules.

Requests (charge, capture, void, refund) run inside the caller's transaction: they check the
request against the ledger, record the charge, post what needs no gateway (a refund's split is
granted at once, so no second refund can take the same money) and record each gateway call as
an intent with an idempotency key derived from the charge. Nothing leaves the process there.

After the transaction commits, `Settlement.carry_out` sends the charge's pending intents to the
gateway and applies each outcome in its own transaction: the ledger posting's unique key makes
the application happen exactly once, however many times the synchronous confirm, a retry, a
sweep or a gateway webhook deliver the same outcome, and in whatever order they race.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from linli_sdk import (
    CHARGE_FAILED,
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

from ..db.cache import LookupCache
from ..dispatch.ports import record_event
from ..dispatch.store import community_by_id
from ..registry import ModuleRegistry
from . import ledger, store
from .gateways import Gateway, GatewayOutcome, GatewayStatus
from .payouts import Payout, connected_account_of, pay_out
from .reconciliation import Difference, compare
from .reports import ledger_records
from .tables import (
    ConnectedAccount,
    GatewayEvent,
    GatewayIntent,
    Release,
    SettlementCharge,
    ShareOverride,
)

__all__ = ["Settlement", "charge_id_of", "community_of", "intent_key"]

log = logging.getLogger(__name__)


def charge_id_of(charge_id: str) -> int:
    """The numeric id behind a charge id such as ``ch_12``.

    Raises:
        NotFound: The id is not one of ours.

    """
    number = charge_id.removeprefix("ch_")
    if not number.isdigit():
        raise NotFound(f"no charge {charge_id}")
    return int(number)


def intent_key(community_id: int, charge_id: int, action: str, ref: str = "") -> str:
    """The idempotency key of a gateway call, derived from the ledger's ids.

    The community comes first, so a webhook that echoes the key finds its tenant.
    """
    return f"linli-c{community_id}-ch{charge_id}-{action}" + (f"-{ref}" if ref else "")


def community_of(key: str) -> int:
    """The community id inside an intent key.

    Raises:
        NotFound: The key is not one of ours.

    """
    head = key.split("-")[1] if key.startswith("linli-c") else ""
    if not head[1:].isdigit():
        raise NotFound(f"{key!r} is not a Linli gateway key")
    return int(head[1:])


_PAYMENT_ACTIONS = ("charge", "authorize", "capture")
"""Gateway calls whose refusal fails the charge: nothing is taken, nothing stays held."""


def _money(row: Mapping[str, Any]) -> Money:
    return Money(amount=row["amount"], currency=row["currency"])


def _overrides_in(raw: Mapping[str, Any]) -> dict[str, int | Money]:
    return {
        party: Money.model_validate(value) if isinstance(value, dict) else int(value)
        for party, value in raw.items()
    }


def _overrides_out(overrides: Mapping[str, int | Money]) -> dict[str, Any]:
    return {
        party: value.model_dump() if isinstance(value, Money) else value
        for party, value in overrides.items()
    }


Recorded = tuple[dict[str, Any], list[dict[str, Any]]]
"""A charge row and its pending intents, as the transaction that recorded them wrote them."""

_OVERRIDES: LookupCache[str, dict[str, int | Money]] = LookupCache()
"""Revenue-share overrides by ``<community>:<module>``, cached per process."""


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
    amount = _money(row)
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
    )


@dataclass
class Settlement:
    """Charges, captures, voids and refunds in the ledger, carried out through one gateway."""

    registry: ModuleRegistry
    gateway: Gateway
    eager: bool = True
    """Carry out intents right after their transaction commits; ``False`` leaves them to
    `sweep` (a worker, the CLI or the operator route)."""
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _in_flight: dict[tuple[int, int], tuple[asyncio.Lock, list[int]]] = field(default_factory=dict)

    # --- revenue-share rules ------------------------------------------------------------------

    def declared_rules(self, module: str) -> RevenueShareRules:
        """The revenue-share rules ``module`` declares.

        Raises:
            NotFound: No such module is loaded.
            InvalidInput: The module declares no revenue-share rules (it never charges).

        """
        loaded = self.registry.get(module)
        if loaded is None:
            raise NotFound(f"no module {module!r} on this platform")
        if loaded.manifest.revenue_share is None:
            raise InvalidInput(f"module {module} declares no revenue-share rules")
        return loaded.manifest.revenue_share

    async def overrides(self, community_id: int, module: str) -> dict[str, int | Money]:
        """The operator's overrides for ``module`` in a community (empty if none).

        Cached per process (see `linli.db.cache`): `set_overrides` forgets the entry.
        """
        scope_key = f"{community_id}:{module}"
        cached = _OVERRIDES.get(scope_key)
        if cached is not None:
            return dict(cached)
        rows = await ShareOverride.raw(
            "SELECT overrides FROM linli_settlement_share_override WHERE scope_key = {}",
            scope_key,
        )
        raw = rows[0]["overrides"] if rows else {}
        found = _overrides_in(json.loads(raw) if isinstance(raw, str | bytes) else raw)
        return dict(_OVERRIDES.put(scope_key, found))  # none is cached too: the usual case

    async def rules_for(self, community_id: int, module: str) -> RevenueShareRules:
        """The effective rules of ``module`` in a community: declared, with overrides applied."""
        return self.declared_rules(module).with_overrides(
            await self.overrides(community_id, module)
        )

    async def set_overrides(
        self, community: Community, module: str, overrides: Mapping[str, int | Money]
    ) -> RevenueShareRules:
        """Store an operator's overrides after checking each is inside its declared bounds.

        Raises:
            ShareOutOfBounds: An override lies outside its bounds (the message names them).
            UnknownParty: An override names a party the rules do not have.

        """
        rules = self.declared_rules(module).with_overrides(overrides)
        scope_key = f"{community.id}:{module}"
        now = datetime.now(UTC)
        await ShareOverride.insert(
            ShareOverride(
                community=community.id,
                module=module,
                scope_key=scope_key,
                overrides=_overrides_out(overrides),
                updated_at=now,
            )
        ).on_conflict(
            target=ShareOverride.scope_key,
            action="DO UPDATE",
            values=[ShareOverride.overrides, ShareOverride.updated_at],
        )
        _OVERRIDES.forget(scope_key)
        return rules

    # --- requests, inside the caller's transaction --------------------------------------------

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
    ) -> Charge:
        """Record a charge for an order and its gateway intent; the same order returns the first.

        ``written``, if given, receives the new charge's row and intent by charge id, for its
        carrying out after commit (`carry_out_later`) without reading back what was just written.

        Raises:
            InvalidInput: Non-positive amount, a missing payee, or shares exceeding the amount.

        """
        if amount.amount <= 0:
            raise InvalidInput(f"a charge must be positive, not {amount}", field="amount")
        charge_key = f"{community.id}:{module}:{order_ref}"
        try:
            rules = await self.rules_for(community.id, module)
            for party in ledger.required_payees(rules):
                ledger.party_account(party, payees)  # refuses a missing payee
            split(rules, amount)  # refuses a negative remainder up front
        except LinliError:
            if existing := await store.charge_row_by_key(charge_key):  # charged before
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
            "rules": rules.model_dump(mode="json"),
            "gateway": self.gateway.name,
            "created_at": datetime.now(UTC),
        }
        charge_id = await store.insert_charge(row)
        if charge_id is None:  # this order was charged before (or by a concurrent call)
            existing = await store.charge_row_by_key(charge_key)
            assert existing is not None
            return await self.view(community, existing)
        row["id"] = charge_id
        row["rules"] = rules  # the model itself: validating it again when applied costs nothing
        action = "charge" if capture else "authorize"
        intent = await self._intend(row, action, amount)
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
        if not actions & {"charge", "capture"}:
            await self._intend(row, "capture", _money(row))
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
            await self._intend(row, "void", _money(row))
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

    # --- reading ------------------------------------------------------------------------------

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

    # --- after commit: the gateway, and applying its outcomes exactly once --------------------

    def carry_out_later(
        self, community_id: int, charge_id: int, known: Recorded | None = None
    ) -> None:
        """Start carrying out the charge's intents in a task of its own (if ``eager``).

        Call it once the transaction that recorded the intents has committed (the host port
        does so through `UnitOfWork.after_commit`); a failure is logged and left to the sweep.
        ``known`` is what `charge` wrote, when no other intent was added since.
        """
        if not self.eager:
            return
        task = asyncio.get_running_loop().create_task(
            self._carry_out_logged(community_id, charge_id, known)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _carry_out_logged(
        self, community_id: int, charge_id: int, known: Recorded | None = None
    ) -> None:
        # The task copied the caller's context: never run inside a transaction it may name.
        SettlementCharge._meta.db.current_transaction.set(None)
        # One task per charge at a time in this process: a second waits, then finds nothing
        # pending, so the gateway is not asked twice (other processes rely on the keys).
        key = (community_id, charge_id)
        lock, users = self._in_flight.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                await self.carry_out(community_id, charge_id, known)
        except Exception:
            log.exception("carrying out charge ch_%s failed; the sweep will retry", charge_id)
        finally:
            users[0] -= 1
            if not users[0]:
                del self._in_flight[key]

    async def idle(self) -> None:
        """Wait until every post-commit task of this process has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def carry_out(
        self, community_id: int, charge_id: int, known: Recorded | None = None
    ) -> int:
        """Send the charge's pending intents to the gateway, in order; apply each outcome.

        Safe to run concurrently and repeatedly: the gateway sees the same idempotency keys and
        the ledger applies each outcome once. ``known`` is the charge row and its intents as a
        committed transaction of this process just wrote them (else they are read). Returns how
        many intents this call completed.
        """
        if known is not None:
            row, pending = known
        else:
            row = await self._charge(community_id, charge_id)
            pending = await store.pending_intents(community_id, charge_id)
        done = 0
        for intent in pending:
            if intent["action"] in ("capture", "void") and await self._refused(row):
                done += await self._close_unsent(intent)  # no payment to capture or release
                continue
            outcome = await self._call_gateway(row, intent)
            done += await self.apply(row, intent, outcome)
        return done

    async def _close_unsent(self, intent: Mapping[str, Any]) -> int:
        """Close an intent never sent, its charge's payment refused first; 1 if closed now."""
        closed = await (
            GatewayIntent.update(
                {
                    GatewayIntent.state: "failed",
                    GatewayIntent.outcome: {"status": "failed", "reason": "payment refused"},
                }
            )
            .where((GatewayIntent.id == intent["id"]) & (GatewayIntent.state == "pending"))
            .returning(GatewayIntent.id)
        )
        return len(closed)

    async def sweep(self, community_id: int) -> int:
        """Carry out every pending intent of a community (after a crash, or on a schedule)."""
        rows = await (
            GatewayIntent.select(GatewayIntent.charge)
            .where((GatewayIntent.community == community_id) & (GatewayIntent.state == "pending"))
            .distinct()
        )
        return sum([await self.carry_out(community_id, row["charge"]) for row in rows])

    async def _payment_ref(self, row: Mapping[str, Any]) -> str:
        first = await (
            GatewayIntent.select(GatewayIntent.outcome)
            .where(
                (GatewayIntent.charge == row["id"])
                & GatewayIntent.action.is_in(["charge", "authorize"])
            )
            .output(load_json=True)
            .first()
        )
        ref = (first or {}).get("outcome", {}).get("ref")
        if not ref:
            raise Conflict(f"charge ch_{row['id']} has no gateway payment yet")
        return str(ref)

    async def _call_gateway(
        self, row: Mapping[str, Any], intent: Mapping[str, Any]
    ) -> GatewayOutcome:
        key, action = intent["key"], intent["action"]
        amount = Money(amount=intent["amount"], currency=row["currency"])
        if action in ("charge", "authorize"):
            return await self.gateway.authorize(key=key, amount=amount, capture=action == "charge")
        payment_ref = await self._payment_ref(row)
        if action == "capture":
            return await self.gateway.capture(key=key, payment_ref=payment_ref, amount=amount)
        if action == "void":
            return await self.gateway.void(key=key, payment_ref=payment_ref)
        return await self.gateway.refund(key=key, payment_ref=payment_ref, amount=amount)

    def _plans(
        self,
        row: Mapping[str, Any],
        intent: Mapping[str, Any],
        outcome: GatewayOutcome,
        fee: int,
    ) -> list[ledger.PostingPlan]:
        charge_id, amount = row["id"], _money(row)
        status = outcome.status
        if status is GatewayStatus.FAILED:
            if intent["action"] != "capture":
                return []  # a refused payment or refund posts nothing
            # the authorisation could not be captured: it is released, nothing is taken
            return [
                ledger.plan_authorization(charge_id, amount),
                ledger.plan_void(charge_id, amount),
            ]
        if status is GatewayStatus.REFUNDED:
            refunded = Money(amount=intent["amount"], currency=row["currency"])
            return [ledger.plan_refund_paid(charge_id, intent["refund_ref"], refunded)]
        plans = [ledger.plan_authorization(charge_id, amount)]
        if status is GatewayStatus.CAPTURED:
            rules = RevenueShareRules.model_validate(row["rules"])
            taken = Money(amount=fee, currency=row["currency"])
            plans.append(ledger.plan_capture(charge_id, amount, rules, row["payees"], taken))
        elif status is GatewayStatus.VOIDED:
            plans.append(ledger.plan_void(charge_id, amount))
        return plans

    async def apply(
        self, row: Mapping[str, Any], intent: Mapping[str, Any], outcome: GatewayOutcome
    ) -> int:
        """Apply a gateway outcome to the ledger and close the intent, exactly once (1 if now)."""
        engine = SettlementCharge._meta.db
        memo = {"gateway": self.gateway.name, "ref": outcome.ref, "test": outcome.test_money}
        fee = 0
        if outcome.status is GatewayStatus.CAPTURED:  # the same fee whichever path applies it
            fee = await self.gateway.capture_fee(outcome, _money(row))
        plans = self._plans(row, intent, outcome, fee)
        state = "failed" if outcome.status is GatewayStatus.FAILED else "done"
        result = {
            "ref": outcome.ref,
            "status": str(outcome.status),
            "fee": outcome.fee,
            "reason": outcome.reason,
        }
        async with engine.transaction():
            if plans:
                await store.append_many(row["community"], [(row["id"], p, memo) for p in plans])
            closed = await store.close_intent(intent["id"], state, result)
            if closed and state == "failed" and intent["action"] in _PAYMENT_ACTIONS:
                await self._announce_failure(row, outcome)
        return int(closed)

    async def _announce_failure(self, row: Mapping[str, Any], outcome: GatewayOutcome) -> None:
        """Tell the module that charged that its charge failed (the outbox, in this transaction).

        Called only by the application that closed the intent, so the event is written once
        however many of confirm, sweep and webhook race.
        """
        payload = {
            "charge_id": f"ch_{row['id']}",
            "order_ref": row["order_ref"],
            "module": row["module"],
            "amount": _money(row).model_dump(mode="json"),
            "reason": outcome.reason or "declined",
        }
        await record_event(await community_by_id(row["community"]), None, CHARGE_FAILED, payload)

    async def receive_event(
        self, community_id: int, event_id: str, intent_key: str, outcome: GatewayOutcome
    ) -> bool:
        """Apply a gateway webhook about one of our intents; a repeated event id is ignored.

        The gateway echoes the intent's idempotency key (``intent_key``) with the event, so the
        outcome lands on the intent it answers, whatever order the deliveries arrive in.
        Returns whether this delivery was the first of its event.

        Raises:
            NotFound: No such intent in this community.

        """
        intent: dict[str, Any] | None = (
            await GatewayIntent.select()
            .where((GatewayIntent.community == community_id) & (GatewayIntent.key == intent_key))
            .output(load_json=True)
            .first()
        )
        if intent is None:
            raise NotFound(f"no gateway intent {intent_key!r} in this community")
        row = await self._charge(community_id, intent["charge"])
        engine = SettlementCharge._meta.db
        async with engine.transaction():
            first = await (
                GatewayEvent.insert(
                    GatewayEvent(
                        community=community_id,
                        event_key=f"{self.gateway.name}:{event_id}",
                        type=str(outcome.status),
                        received_at=datetime.now(UTC),
                    )
                )
                .on_conflict(target=GatewayEvent.event_key, action="DO NOTHING")
                .returning(GatewayEvent.id)
            )
            if not first:
                return False
            await self.apply(row, intent, outcome)
        return True

    # --- what the ledger shows the outside: reconciliation and payouts -----------------------

    async def reconcile(self, community_id: int) -> list[Difference]:
        """Every difference between the ledger and the gateway's records for a community."""
        theirs = await self.gateway.records(f"linli-c{community_id}-")
        return compare(await ledger_records(community_id), theirs)

    async def pay_out(
        self, community: Community, *, hold: timedelta, carry_out: bool = True
    ) -> list[Payout]:
        """Run a payout batch for a community through this service's gateway (see `pay_out`).

        ``hold`` is the platform's hold; each loaded module's `linli_sdk.PayoutHold` applies
        on top of it. ``carry_out=False`` records the transfers without sending them.
        """
        holds = {name: m.manifest.payout_hold for name, m in self.registry.modules.items()}
        return await pay_out(community, self.gateway, hold=hold, holds=holds, carry_out=carry_out)

    async def connected_account(
        self, community: Community, member_id: int, *, refresh_url: str, return_url: str
    ) -> tuple[str, str]:
        """Open (once) the payee's connected account; its id and a fresh onboarding link.

        The gateway call's idempotency key derives from the community and the member, so a
        process that dies between Stripe creating the account and our record of it gets the
        same account back when the payee asks again.
        """
        account = await connected_account_of(community.id, member_id)
        if account is None:
            key = f"linli-c{community.id}-account-m{member_id}"
            opened = await self.gateway.open_account(key=key, member_id=member_id, email=None)
            await ConnectedAccount.insert(
                ConnectedAccount(
                    community=community.id,
                    member=member_id,
                    member_key=f"{community.id}:{member_id}",
                    gateway=self.gateway.name,
                    account=opened,
                    created_at=datetime.now(UTC),
                )
            ).on_conflict(target=ConnectedAccount.member_key, action="DO NOTHING")
            account = await connected_account_of(community.id, member_id)
            assert account is not None
        link = await self.gateway.onboarding_link(
            account=account, refresh_url=refresh_url, return_url=return_url
        )
        return account, link

    # --- rows -----------------------------------------------------------------------------------

    async def _charge(self, community_id: int, charge_id: int) -> dict[str, Any]:
        row = await store.charge_row(community_id, charge_id)
        if row is None:
            raise NotFound(f"no charge ch_{charge_id} in this community")
        return row

    async def _locked(self, community_id: int, charge_id: int) -> dict[str, Any]:
        """The charge row, locked until the transaction ends (PostgreSQL; SQLite serialises)."""
        engine = SettlementCharge._meta.db
        if isinstance(engine, PostgresEngine):
            await SettlementCharge.raw(
                "SELECT id FROM linli_settlement_charge WHERE id = {} AND community = {} "
                "FOR UPDATE",
                charge_id,
                community_id,
            )
        return await self._charge(community_id, charge_id)

    async def _refused(self, row: Mapping[str, Any]) -> bool:
        """Whether the gateway refused the charge's payment (its authorisation or capture)."""
        refused: bool = await GatewayIntent.exists().where(
            (GatewayIntent.charge == row["id"])
            & GatewayIntent.action.is_in(list(_PAYMENT_ACTIONS))
            & (GatewayIntent.state == "failed")
        )
        return refused

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
        return await store.insert_intent(
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
