"""The gateway executor: after commit, sending intents to the gateway and applying outcomes once.

A charge's intents are recorded inside the caller's transaction (`linli.settlement.charges`);
once it commits, `GatewayExecutor.carry_out` sends them in order and applies each outcome in a
transaction of its own. The ledger posting's unique key makes an outcome apply exactly once,
however many times the confirm, a retry, a sweep or a webhook deliver it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from linli_sdk import (
    Conflict,
    Money,
    NotFound,
)
from linli_sdk.revenue_share import RevenueShareRules

from ..db.group_commit import GroupCommit
from . import charge_store, ledger, store
from .announcements import PAYMENT_ACTIONS, announce_outcomes
from .gateways import Gateway, GatewayOutcome, GatewayStatus
from .keys import community_of, intent_key
from .overrides import RevenueShareOverrides
from .tables import (
    GatewayEvent,
    GatewayIntent,
    SettlementCharge,
)

__all__ = ["GatewayExecutor", "Recorded", "community_of", "expired", "intent_key", "row_money"]

log = logging.getLogger(__name__)


def row_money(row: Mapping[str, Any]) -> Money:
    """The amount of a charge row."""
    return Money(amount=row["amount"], currency=row["currency"])


def expired(row: Mapping[str, Any], now: datetime) -> bool:
    """Whether a charge row is a deposit past its expiry."""
    return row["expires_at"] is not None and row["expires_at"] <= now


Recorded = tuple[dict[str, Any], list[dict[str, Any]]]
"""A charge row and its pending intents, as the transaction that recorded them wrote them."""


@dataclass(frozen=True)
class Application:
    """A gateway outcome ready to apply: the postings it makes and the memo they carry."""

    row: Mapping[str, Any]
    intent: Mapping[str, Any]
    outcome: GatewayOutcome
    plans: list[ledger.PostingPlan]
    memo: dict[str, Any]


def _closing(outcome: GatewayOutcome) -> tuple[str, dict[str, Any]]:
    """The state an intent closes in with ``outcome``, and the outcome as the intent keeps it."""
    failed = outcome.status is GatewayStatus.FAILED
    kept = {
        "ref": outcome.ref,
        "status": str(outcome.status),
        "fee": outcome.fee,
        "reason": outcome.reason,
    }
    return "failed" if failed else "done", kept


class GatewayExecutor(RevenueShareOverrides):
    """Carrying out a charge's intents through one gateway, and receiving its events."""

    gateway: Gateway
    eager: bool
    _tasks: set[asyncio.Task[None]]
    _in_flight: dict[tuple[int, int], tuple[asyncio.Lock, list[int]]]
    _group: GroupCommit[Application, int] | None

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
        try:
            await self.carry_out_alone(community_id, charge_id, known, grouped=True)
        except Exception:
            log.exception("carrying out charge ch_%s failed; the sweep will retry", charge_id)

    async def carry_out_alone(
        self,
        community_id: int,
        charge_id: int,
        known: Recorded | None = None,
        *,
        grouped: bool = False,
    ) -> int:
        """`carry_out`, by one task per charge at a time in this process.

        A second task for the charge waits, then finds nothing pending, so the gateway is not
        asked twice (other processes rely on the idempotency keys). Returns how many intents
        this call completed.
        """
        key = (community_id, charge_id)
        lock, users = self._in_flight.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                return await self.carry_out(community_id, charge_id, known, grouped=grouped)
        finally:
            users[0] -= 1
            if not users[0]:
                del self._in_flight[key]

    async def idle(self) -> None:
        """Wait until every post-commit task of this process has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def carry_out(
        self,
        community_id: int,
        charge_id: int,
        known: Recorded | None = None,
        *,
        grouped: bool = False,
    ) -> int:
        """Send the charge's pending intents to the gateway, in order; apply each outcome.

        Safe to run concurrently and repeatedly: the gateway sees the same idempotency keys and
        the ledger applies each outcome once. ``known`` is the charge row and its intents as a
        committed transaction of this process just wrote them (else they are read); ``grouped``
        applies the outcomes in transactions shared with other tasks (see `GroupCommit`).
        Returns how many intents this call completed.
        """
        if known is not None:
            row, pending = known
        else:
            row = await self._charge(community_id, charge_id)
            pending = await charge_store.pending_intents(community_id, charge_id)
        done = 0
        for intent in pending:
            if intent["action"] in ("capture", "void") and await self._refused(row):
                done += await self._close_unsent(intent)  # no payment to capture or release
                continue
            outcome = await self._call_gateway(row, intent)
            apply = self._apply_grouped if grouped else self.apply
            done += await apply(row, intent, outcome)
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
        charge_id, amount = row["id"], row_money(row)
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
        application = await self._application(row, intent, outcome)
        async with SettlementCharge._meta.db.transaction():
            (closed,) = await self._record([application])
        return closed

    async def _apply_grouped(
        self, row: Mapping[str, Any], intent: Mapping[str, Any], outcome: GatewayOutcome
    ) -> int:
        """`apply`, sharing one transaction with the outcomes other tasks apply meanwhile."""
        if self._group is None:
            self._group = GroupCommit(self._record, SettlementCharge._meta.db.transaction)
        return await self._group.submit(await self._application(row, intent, outcome))

    async def _application(
        self, row: Mapping[str, Any], intent: Mapping[str, Any], outcome: GatewayOutcome
    ) -> Application:
        fee = 0
        if outcome.status is GatewayStatus.CAPTURED:  # the same fee whichever path applies it
            fee = await self.gateway.capture_fee(outcome, row_money(row))
        return Application(
            row=row,
            intent=intent,
            outcome=outcome,
            plans=self._plans(row, intent, outcome, fee),
            memo={"gateway": self.gateway.name, "ref": outcome.ref, "test": outcome.test_money},
        )

    async def _record(self, applications: list[Application]) -> list[int]:
        """Post the applications' plans and close their intents, in the caller's transaction.

        Whatever their number: the ledger rows of all of them go in a few multi-row inserts,
        their intents close in one statement, and the events of those it closed (still pending:
        not already closed by a racing confirm, sweep or webhook) go in one outbox insert.
        1 per intent closed now, 0 for a repeat.
        """
        by_community: dict[int, list[tuple[int | None, ledger.PostingPlan, dict[str, Any]]]] = {}
        for app in applications:
            posted = by_community.setdefault(app.row["community"], [])
            posted += [(app.row["id"], plan, app.memo) for plan in app.plans]
        for community_id, items in by_community.items():
            if items:
                await store.append_many(community_id, items)
        first: dict[int, int] = {}  # intent id -> the first application closing it
        for n, app in enumerate(applications):
            first.setdefault(app.intent["id"], n)
        closed = await charge_store.close_intents(
            [(intent_id, *_closing(applications[n].outcome)) for intent_id, n in first.items()]
        )
        now = {n for intent_id, n in first.items() if intent_id in closed}
        await announce_outcomes(
            [(app.row, app.intent, app.outcome) for n, app in enumerate(applications) if n in now]
        )
        return [int(n in now) for n in range(len(applications))]

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

    async def _charge(self, community_id: int, charge_id: int) -> dict[str, Any]:
        row = await charge_store.charge_row(community_id, charge_id)
        if row is None:
            raise NotFound(f"no charge ch_{charge_id} in this community")
        return row

    async def _refused(self, row: Mapping[str, Any]) -> bool:
        """Whether the gateway refused the charge's payment (its authorisation or capture)."""
        refused: bool = await GatewayIntent.exists().where(
            (GatewayIntent.charge == row["id"])
            & GatewayIntent.action.is_in(list(PAYMENT_ACTIONS))
            & (GatewayIntent.state == "failed")
        )
        return refused
