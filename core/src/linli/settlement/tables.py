"""The settlement service's tables: charges, the append-only ledger, gateway intents, overrides.

Every row carries its community id. Ledger transactions and entries are append-only: the two
tables refuse ``update`` and ``delete`` in code (see `AppendOnly`), and the ledger's persistence
layer (:mod:`linli.settlement.store`) offers only appends and reads.
"""

from __future__ import annotations

from typing import Any, NoReturn

from piccolo.columns import (
    JSON,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from ..tables import Community

__all__ = [
    "AppendOnly",
    "ConnectedAccount",
    "GatewayEvent",
    "GatewayIntent",
    "LedgerEntry",
    "LedgerTxn",
    "Release",
    "SandboxCall",
    "SettlementCharge",
    "ShareOverride",
    "Transfer",
]


class AppendOnly:
    """Mixin for ledger tables: ``update`` and ``delete`` raise instead of building a query."""

    @classmethod
    def update(cls, *args: Any, **kwargs: Any) -> NoReturn:
        """Refuse: the ledger is append-only; post a reversing transaction instead."""
        raise TypeError(f"{cls.__name__} is append-only: post a reversing transaction instead")

    @classmethod
    def delete(cls, *args: Any, **kwargs: Any) -> NoReturn:
        """Refuse: the ledger is append-only; post a reversing transaction instead."""
        raise TypeError(f"{cls.__name__} is append-only: post a reversing transaction instead")


class SettlementCharge(Table, tablename="linli_settlement_charge"):
    """A charge for one order of one module: what was asked, under which rules. Never changes.

    ``charge_key`` (``<community>:<module>:<order_ref>``) makes charging an order idempotent.
    ``rules`` is the effective revenue-share rules (overrides applied) at charge time.
    ``expires_at`` is set for a deposit only: when it is voided if still uncaptured.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True, on_delete=OnDelete.restrict)
    module = Varchar(length=40)
    order_ref = Varchar(length=200)
    charge_key = Varchar(length=300, unique=True)
    payer_id = Integer()
    payees = JSON(default={})
    currency = Varchar(length=3)
    amount = Integer()
    rules = JSON(default={})
    gateway = Varchar(length=40)
    created_at = Timestamptz()
    expires_at = Timestamptz(null=True, default=None, index=True)


class LedgerTxn(AppendOnly, Table, tablename="linli_settlement_ledger_txn"):
    """One balanced ledger transaction; ``key`` (unique) makes every posting happen once."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True, on_delete=OnDelete.restrict)
    key = Varchar(length=300, unique=True)
    kind = Varchar(length=20)
    charge = ForeignKey(
        references=SettlementCharge,
        index=True,
        on_delete=OnDelete.restrict,
        null=True,
        default=None,
    )  # None for a payout
    memo = JSON(default={})
    created_at = Timestamptz()


class LedgerEntry(AppendOnly, Table, tablename="linli_settlement_ledger_entry"):
    """One line of a ledger transaction: a signed amount (debit positive) on one account.

    A dozen lines are appended per charge, so each index and foreign-key check counts: only
    ``txn`` is a foreign key (indexed: a transaction's lines); ``community`` and ``charge``
    copy the transaction's own. The composite index ``(community, account, currency)``
    serves every read by community or account (see the settlement migration of
    2026-12-05 for why each remaining index exists).
    """

    id = Serial(primary_key=True)

    community = Integer()  # the transaction's community (checked there)
    txn = ForeignKey(references=LedgerTxn, index=True, on_delete=OnDelete.restrict)
    charge = Integer(null=True, default=None)  # the transaction's charge; None for a payout
    account = Varchar(length=120)
    party = Varchar(length=40, null=True, default=None)
    amount = Integer()
    currency = Varchar(length=3)


class Release(AppendOnly, Table, tablename="linli_settlement_release"):
    """A module released a charge's held shares for payout (e.g. pickup verified). Never changes.

    One row per charge (``charge`` is unique), so releasing twice records nothing new.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True, on_delete=OnDelete.restrict)
    charge = ForeignKey(
        references=SettlementCharge, unique=True, index=True, on_delete=OnDelete.restrict
    )
    released_at = Timestamptz()


class GatewayIntent(Table, tablename="linli_settlement_intent"):
    """A gateway call recorded inside the caller's transaction and carried out after commit.

    ``key`` is the idempotency key sent to the gateway, derived from the ledger's ids. ``state``
    goes ``pending`` -> ``done`` (or ``failed``) exactly once, by a conditional update.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True, on_delete=OnDelete.restrict)
    charge = ForeignKey(references=SettlementCharge, index=True, on_delete=OnDelete.restrict)
    key = Varchar(length=300, unique=True)
    action = Varchar(length=20)
    refund_ref = Varchar(length=200, default="")
    amount = Integer()
    reason = Text(default="")
    state = Varchar(length=20, default="pending", index=True)
    outcome = JSON(default={})
    created_at = Timestamptz()


class GatewayEvent(Table, tablename="linli_settlement_gateway_event"):
    """A gateway webhook already applied: its event id, so a replay is recognised and ignored."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True, on_delete=OnDelete.restrict)
    event_key = Varchar(length=300, unique=True)  # "<gateway>:<event id>"
    type = Varchar(length=60)
    received_at = Timestamptz()


class ShareOverride(Table, tablename="linli_settlement_share_override"):
    """An operator's revenue-share values for one module in one community (within its bounds)."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True, on_delete=OnDelete.restrict)
    module = Varchar(length=40)
    scope_key = Varchar(length=120, unique=True)  # "<community id>:<module>"
    overrides = JSON(default={})
    updated_at = Timestamptz()


class ConnectedAccount(Table, tablename="linli_settlement_connected_account"):
    """A payee's account at the gateway (a Stripe Connect account) that payouts go to.

    ``member_key`` (``<community>:<member>``) makes opening one per member idempotent.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True, on_delete=OnDelete.restrict)
    member = Integer()
    member_key = Varchar(length=60, unique=True)
    gateway = Varchar(length=40)
    account = Varchar(length=120)
    created_at = Timestamptz()


class Transfer(Table, tablename="linli_settlement_transfer"):
    """A payout to a payee's connected account, or a reversal clawing part of one back.

    Recorded, with ``key`` (the gateway's idempotency key, derived from the payee's ledger
    account and ``seq``), before the gateway is called; the outcome is applied to the ledger
    exactly once. ``state``: ``pending`` -> ``done`` | ``failed``; a reversal the connected
    account cannot cover goes to ``clawback_pending`` (retried with a new key by the next
    batch, or ``netted`` once later earnings cover the debt).
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True, on_delete=OnDelete.restrict)
    account = Varchar(length=120, index=True)  # payable:<party>:<member>
    kind = Varchar(length=20)  # payout | reversal
    seq = Integer()
    key = Varchar(length=300, unique=True)
    attempts = Integer(default=1)
    destination = Varchar(length=120)
    amount = Integer()
    currency = Varchar(length=3)
    transfer_group = Varchar(length=300, default="")
    reverses = Varchar(length=120, default="")  # the gateway's transfer id a reversal takes back
    state = Varchar(length=20, default="pending", index=True)
    gateway_ref = Varchar(length=120, default="")  # the gateway's transfer or reversal id
    created_at = Timestamptz()
    charges = JSON(default=[])  # a payout: [charge id, share] first paid by it, for events


class SandboxCall(Table, tablename="linli_settlement_sandbox_call"):
    """One call the sandbox gateway answered, kept under the call's idempotency key.

    The sandbox's own records, as a real gateway keeps its own: a payment, a capture or void
    of one (``target``: the payment's ref), a refund, a transfer to a connected account or a
    reversal of one (``account``), or money a payee moved out of its account (``spend``).
    Rows are only inserted; a payment's current status is its last capture or void.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True, on_delete=OnDelete.restrict)
    key = Varchar(length=300, unique=True)
    kind = Varchar(length=20)
    gateway_ref = Varchar(length=320)  # the sandbox's id of what the call answered about
    target = Varchar(length=320, default="")
    account = Varchar(length=120, default="")
    amount = Integer()
    currency = Varchar(length=3)
    status = Varchar(length=30)
    fee = Integer(default=0)
    reason = Varchar(length=100, default="")
    created_at = Timestamptz()
