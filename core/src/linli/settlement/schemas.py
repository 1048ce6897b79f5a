"""The settlement routes' request and response bodies."""

from __future__ import annotations

from typing import Any

from linli_sdk import Money
from pydantic import BaseModel, Field

from linli.settlement.statements import StatementLine

from .reconciliation import Difference

__all__ = [
    "AccountBalance",
    "ConnectedAccountLink",
    "EffectiveRules",
    "LedgerBalances",
    "Onboarding",
    "PayoutBatch",
    "PayoutLine",
    "Reconciliation",
    "RefundRequest",
    "ShareOverrides",
    "Statement",
    "SweepResult",
    "WebhookReceipt",
]


class ShareOverrides(BaseModel):
    """An operator's revenue-share values for one module, each inside its declared bounds."""

    overrides: dict[str, int | Money] = Field(
        description="Party -> basis points (percent shares) or Money (fixed shares)."
    )


class EffectiveRules(BaseModel):
    """A module's revenue-share rules in a community: the declared ones with the overrides."""

    module: str
    overrides: dict[str, int | Money]
    rules: dict[str, Any]


class RefundRequest(BaseModel):
    """A refund (or an after-sale compensation, which is a partial refund) of a charge."""

    amount: Money
    reason: str = Field(min_length=1, max_length=500)


class AccountBalance(BaseModel):
    """One ledger account's balance in one currency (debits positive, credits negative)."""

    account: str
    currency: str
    balance: int


class LedgerBalances(BaseModel):
    """Every account's balance in a community, and whether each currency sums to zero."""

    community: str
    balanced: bool
    test_money: bool = Field(description="True while the gateway is the sandbox.")
    accounts: list[AccountBalance]


class SweepResult(BaseModel):
    """How many pending gateway intents a sweep carried out."""

    carried_out: int


class PayoutLine(BaseModel):
    """One payee paid by a batch."""

    account: str
    amount: Money


class PayoutBatch(BaseModel):
    """What a payout batch moved (nothing twice: a repeated batch moves only what is new)."""

    test_money: bool
    payouts: list[PayoutLine] = Field(description="Transfers to payees' connected accounts.")
    clawbacks: list[PayoutLine] = Field(
        default_factory=list, description="Transfer reversals taking back refunded shares."
    )
    clawbacks_pending: list[PayoutLine] = Field(
        default_factory=list,
        description="Reversals the connected account could not cover: the payee stays in "
        "debit, later earnings are netted against it and the next batch tries again.",
    )


class Onboarding(BaseModel):
    """Where the payee's connected account is completed (Stripe Connect onboarding)."""

    refresh_url: str = Field(min_length=1, max_length=500, description="If the link expires.")
    return_url: str = Field(min_length=1, max_length=500, description="When onboarding ends.")


class ConnectedAccountLink(BaseModel):
    """The caller's connected account at the gateway and a one-time onboarding link."""

    account: str
    onboarding_url: str
    test_money: bool


class Reconciliation(BaseModel):
    """The ledger compared with the gateway's records: every difference (none when they agree)."""

    gateway: str
    test_money: bool
    differences: list[Difference]


class Statement(BaseModel):
    """A party's statement: each posting with the order and module it came from."""

    account: str
    test_money: bool
    lines: list[StatementLine]


class WebhookReceipt(BaseModel):
    """What the platform did with a gateway webhook."""

    received: bool = True
    applied: bool = Field(description="False for a repeat of an event already applied.")
