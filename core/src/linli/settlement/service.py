"""The settlement service: the imperative shell around the ledger's rules, built once per platform.

`Settlement` is what the platform holds as ``platform.settlement``. Its parts live beside it:
revenue-share overrides (`linli.settlement.overrides`), the gateway executor that carries out
intents after commit and applies outcomes exactly once (`linli.settlement.executor`), charges,
captures, voids and refunds recorded in the caller's transaction (`linli.settlement.charges`),
deposits and their expiry (`linli.settlement.deposits`),
payouts (`linli.settlement.payouts`), reconciliation and statements.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from linli_sdk import Community

from linli.modules.registry import ModuleRegistry
from linli.settlement.statements import ledger_records

from ..db.group_commit import GroupCommit
from .charges import charge_id_of
from .deposits import Deposits
from .executor import Application, Recorded, community_of, intent_key
from .gateways import Gateway
from .payouts import Payout, connected_account_of, pay_out
from .reconciliation import Difference, compare
from .tables import ConnectedAccount

__all__ = ["Recorded", "Settlement", "charge_id_of", "community_of", "intent_key"]


@dataclass
class Settlement(Deposits):
    """Charges, deposits, captures, voids and refunds in the ledger, through one gateway."""

    registry: ModuleRegistry
    gateway: Gateway
    eager: bool = True
    """Carry out intents right after their transaction commits; ``False`` leaves them to
    `sweep` (a worker, the CLI or the operator route)."""
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _in_flight: dict[tuple[int, int], tuple[asyncio.Lock, list[int]]] = field(default_factory=dict)
    _group: GroupCommit[Application, int] | None = None

    async def reconcile(self, community_id: int) -> list[Difference]:
        """Every difference between the ledger and the gateway's records for a community."""
        theirs = await self.gateway.records(f"linli-c{community_id}-")
        return compare(await ledger_records(community_id), theirs)

    async def pay_out(
        self,
        community: Community,
        *,
        hold: timedelta,
        carry_out: bool = True,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Payout]:
        """Run a payout batch for a community through this service's gateway (see `pay_out`).

        ``hold`` is the platform's hold; each loaded module's `linli_sdk.PayoutHold` applies
        on top of it. ``carry_out=False`` records the transfers without sending them.
        """
        holds = {name: m.manifest.payout_hold for name, m in self.registry.modules.items()}
        return await pay_out(
            community, self.gateway, hold=hold, holds=holds, carry_out=carry_out, progress=progress
        )

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
