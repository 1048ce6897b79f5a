"""The sandbox gateway: test money, instant answers, the embedded default.

It keeps what it did in the database (`linli.settlement.tables.SandboxCall`), as a real
gateway keeps its own records: reconciliation holds across restarts, and every process of a
deployment sees the same payments. Each call is one insert under its idempotency key; a key
already answered returns the stored answer, so a retry, a sweep or another process racing for
the same intent gets the first answer and causes no second effect.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from linli_sdk import Money
from linli_sdk.revenue_share import BASIS_POINTS_WHOLE

from ...db import raw
from ...db.group_commit import GroupCommit
from ..keys import community_of
from ..reconciliation import Record
from ..tables import SandboxCall
from .base import GatewayOutcome, GatewayStatus

__all__ = ["SandboxGateway"]

_RECORDED = ("payment", "refund", "transfer", "reversal")
"""The kinds of call that create an object reconciliation compares (captures and voids move
a payment's status; spends only move a connected account's balance)."""

_FINAL = {"capture": "captured", "void": "voided"}
"""A payment's status after a capture or void of it."""


def _outcome(row: Mapping[str, Any]) -> GatewayOutcome:
    return GatewayOutcome(
        row["gateway_ref"], GatewayStatus(row["status"]), row["fee"], True, row["reason"]
    )


@dataclass
class SandboxGateway:
    """The built-in gateway: instant, deterministic, kept in the database — always test money.

    It answers every call at once; a key it has answered returns the first answer. Its fee is
    ``floor(amount * fee_basis_points / 10000)``. Its payments, refunds, transfers and
    reversals are what `records` reports for reconciliation. `decline_next` makes it refuse
    payments, as a declined card does.
    """

    fee_basis_points: int = 60
    name: str = "sandbox"
    test_money: bool = True
    declines: list[str] = field(default_factory=list)
    """Decline codes of the next payments to refuse, one each (see `decline_next`)."""
    _keeping: GroupCommit[dict[str, Any], bool] | None = field(default=None, init=False, repr=False)

    def decline_next(self, reason: str = "card_declined") -> None:
        """Refuse the next new payment (an authorisation or charge) with ``reason``.

        The refusal is kept under its key, so a retry, the sweep or a replayed webhook all
        see the same answer.
        """
        self.declines.append(reason)

    def fee(self, amount: Money) -> int:
        """The sandbox's fee for capturing ``amount``."""
        return amount.amount * self.fee_basis_points // BASIS_POINTS_WHOLE

    async def _once(
        self,
        key: str,
        kind: str,
        outcome: GatewayOutcome,
        amount: Money | None = None,
        *,
        moved: int = 0,
        target: str = "",
        account: str = "",
    ) -> tuple[GatewayOutcome, bool]:
        """Keep ``outcome`` as the answer to ``key``, unless the key was answered before.

        ``amount`` is the call's money (none for a void); ``moved``, a spend's minor units.
        Returns the answer to give (the first one) and whether it is new.
        """
        row = {
            "community": community_of(key),
            "key": key,
            "kind": kind,
            "gateway_ref": outcome.ref,
            "target": target,
            "account": account,
            "amount": amount.amount if amount else moved,
            "currency": amount.currency if amount else "",
            "status": str(outcome.status),
            "fee": outcome.fee,
            "reason": outcome.reason,
            "created_at": datetime.now(UTC),
        }
        new = await self._keep(row)
        if new:
            return outcome, True
        return _outcome(await self._answered(key)), False

    async def _keep(self, row: dict[str, Any]) -> bool:
        """Insert the call's row unless its key exists; whether it was inserted now.

        Outside a transaction, calls arriving together are kept in one multi-row insert,
        committed on its own as a lone call's row was (each kept before its caller applies the
        answer); inside one, the row joins that transaction, as the caller's other writes do.
        """
        engine = SandboxCall._meta.db
        if engine.current_transaction.get() is not None:
            return bool(await _insert_calls([row]))
        if self._keeping is None:
            self._keeping = GroupCommit(_kept_calls, _no_transaction)
        return await self._keeping.submit(row)

    async def _answered(self, key: str) -> dict[str, Any]:
        row: dict[str, Any] | None = (
            await SandboxCall.select()
            .where((SandboxCall.community == community_of(key)) & (SandboxCall.key == key))
            .first()
        )
        if row is None:
            raise LookupError(f"the sandbox has no call {key!r}")
        return row

    async def authorize(self, *, key: str, amount: Money, capture: bool) -> GatewayOutcome:
        """Authorise (and capture) at once."""
        ref = f"sbx_{key}"
        if self.declines:
            reason = self.declines.pop(0)
            refused = GatewayOutcome(ref, GatewayStatus.FAILED, 0, True, reason)
            answer, new = await self._once(key, "payment", refused, amount)
            if not new:
                self.declines.insert(0, reason)  # a repeated key: the refusal waits its turn
            return answer
        status = GatewayStatus.CAPTURED if capture else GatewayStatus.AUTHORIZED
        fee = self.fee(amount) if capture else 0
        answer, _ = await self._once(key, "payment", GatewayOutcome(ref, status, fee, True), amount)
        return answer

    async def capture(self, *, key: str, payment_ref: str, amount: Money) -> GatewayOutcome:
        """Capture at once."""
        outcome = GatewayOutcome(payment_ref, GatewayStatus.CAPTURED, self.fee(amount), True)
        answer, _ = await self._once(key, "capture", outcome, amount, target=payment_ref)
        return answer

    async def void(self, *, key: str, payment_ref: str) -> GatewayOutcome:
        """Release at once."""
        outcome = GatewayOutcome(payment_ref, GatewayStatus.VOIDED, 0, True)
        answer, _ = await self._once(key, "void", outcome, target=payment_ref)
        return answer

    async def refund(self, *, key: str, payment_ref: str, amount: Money) -> GatewayOutcome:
        """Refund at once (the sandbox keeps its fee, like real gateways)."""
        outcome = GatewayOutcome(f"sbx_{key}", GatewayStatus.REFUNDED, 0, True)
        answer, _ = await self._once(key, "refund", outcome, amount, target=payment_ref)
        return answer

    async def capture_fee(self, outcome: GatewayOutcome, amount: Money) -> int:
        """The fee the sandbox answered with the capture."""
        return outcome.fee

    async def open_account(self, *, key: str, member_id: int, email: str | None) -> str:
        """A sandbox account, ready at once."""
        return f"sbx_acct_m{member_id}"

    async def onboarding_link(self, *, account: str, refresh_url: str, return_url: str) -> str:
        """The sandbox needs no onboarding: the link returns at once."""
        return return_url

    async def transfer(
        self, *, key: str, destination: str, amount: Money, group: str
    ) -> GatewayOutcome:
        """Credit the connected account at once."""
        outcome = GatewayOutcome(f"sbx_{key}", GatewayStatus.TRANSFERRED, 0, True)
        answer, _ = await self._once(key, "transfer", outcome, amount, account=destination)
        return answer

    async def reverse(self, *, key: str, transfer_ref: str, amount: Money) -> GatewayOutcome:
        """Take it back at once, if the connected account still holds it.

        A refusal is not kept (like Stripe's): the same key may be tried again later.
        """
        community = community_of(key)
        engine = SandboxCall._meta.db
        async with engine.transaction():  # on SQLite the check and the insert are one write
            done = await SandboxCall.exists().where(
                (SandboxCall.community == community) & (SandboxCall.key == key)
            )
            if done:
                return _outcome(await self._answered(key))
            transferred = await self._answered(transfer_ref.removeprefix("sbx_"))
            destination = transferred["account"]
            if await self.balance(community, destination) < amount.amount:
                return GatewayOutcome("", GatewayStatus.INSUFFICIENT_BALANCE, 0, True)
            outcome = GatewayOutcome(f"sbx_{key}", GatewayStatus.REVERSED, 0, True)
            answer, _ = await self._once(
                key, "reversal", outcome, amount, target=transfer_ref, account=destination
            )
        return answer

    async def balance(self, community_id: int, account: str) -> int:
        """What the connected account holds of this community's transfers, in minor units."""
        rows = await SandboxCall.select(SandboxCall.kind, SandboxCall.amount).where(
            (SandboxCall.community == community_id)
            & (SandboxCall.account == account)
            & SandboxCall.kind.is_in(["transfer", "reversal", "spend"])
        )
        return sum(r["amount"] if r["kind"] == "transfer" else -r["amount"] for r in rows)

    async def spend(self, community_id: int, account: str, amount: int) -> None:
        """The payee moves ``amount`` out of its connected account (to its bank).

        A negative ``amount`` puts money in (a test tops an account up with it).
        """
        key = f"linli-c{community_id}-spend-{uuid.uuid4().hex}"
        outcome = GatewayOutcome("", GatewayStatus.TRANSFERRED, 0, True)
        await self._once(key, "spend", outcome, moved=amount, account=account)

    async def outcomes(self, key_prefix: str) -> dict[str, GatewayOutcome]:
        """Every answer the sandbox gave to a key starting with ``key_prefix``, by key."""
        rows = await self._calls(key_prefix)
        return {row["key"]: _outcome(row) for row in rows if row["kind"] != "spend"}

    async def records(self, key_prefix: str) -> list[Record]:
        """The sandbox's objects whose key starts with ``key_prefix``.

        A payment's status is the one its last capture or void gave it.
        """
        rows = await self._calls(key_prefix)
        moved = {row["target"]: _FINAL[row["kind"]] for row in rows if row["kind"] in _FINAL}
        return [
            Record(
                row["key"],
                row["kind"],
                row["amount"],
                row["currency"],
                moved.get(row["gateway_ref"], row["status"])
                if row["kind"] == "payment"
                else row["status"],
            )
            for row in rows
            if row["kind"] in _RECORDED
        ]

    async def _calls(self, key_prefix: str) -> list[dict[str, Any]]:
        """The calls of the prefix's community whose key starts with it, oldest first."""
        rows: list[dict[str, Any]] = (
            await SandboxCall.select()
            .where(SandboxCall.community == community_of(key_prefix))
            .order_by(SandboxCall.id)
        )
        return [row for row in rows if row["key"].startswith(key_prefix)]


_MOST_ROWS = 1_000
"""Rows per insert: 12 parameters each stay under the drivers' limits (32,766 on both)."""


async def _insert_calls(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert ``rows`` (one statement per thousand), skipping existing keys; the keys inserted."""
    inserted: list[dict[str, Any]] = []
    columns = ", ".join(rows[0])
    for start in range(0, len(rows), _MOST_ROWS):
        chunk = rows[start : start + _MOST_ROWS]
        inserted += await raw.fetch(
            SandboxCall._meta.db,
            f"INSERT INTO linli_settlement_sandbox_call ({columns}) "
            f"VALUES {raw.values(len(rows[0]), len(chunk))} "
            "ON CONFLICT (key) DO NOTHING RETURNING key",
            *(value for row in chunk for value in row.values()),
        )
    return inserted


@asynccontextmanager
async def _no_transaction() -> AsyncIterator[None]:
    """A group's rows need none: each insert is atomic, and keeping a key twice keeps one."""
    yield


async def _kept_calls(rows: list[dict[str, Any]]) -> list[bool]:
    """`_insert_calls` for a group: per row, whether it was inserted (the first of a key is)."""
    new = {row["key"] for row in await _insert_calls(rows)}
    kept = []
    for row in rows:
        kept.append(row["key"] in new)
        new.discard(row["key"])
    return kept
