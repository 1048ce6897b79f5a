"""The core's `linli_sdk.Payments` port, and the settlement service each platform uses.

``ctx.host.payments`` in an operation is a `HostPayments` bound to the platform, community and
module. Its calls run inside the operation's transaction; the gateway calls they record are
handed to the call's `UnitOfWork.after_commit`, so they start only once that transaction has
committed, and never after a rollback or an idempotent replay.

Each platform has one `Settlement`, built by `linli.platform.Platform.from_settings` with the
gateway `gateway_for` names (or the one the platform is built with): ``platform.settlement``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from linli_sdk import Charge, Community, Money, NotFound, Refund

from linli.settlement.gateways.stripe import StripeGateway

from ..settings import Settings
from .gateways import Gateway, SandboxGateway
from .service import Recorded, Settlement, charge_id_of
from .tables import SettlementCharge

if TYPE_CHECKING:
    from ..platform import Platform
    from ..unit_of_work import UnitOfWork

__all__ = ["HostPayments", "gateway_for"]


def gateway_for(settings: Settings) -> Gateway:
    """The gateway the settings name.

    Raises:
        ValueError: The settings name a gateway this platform does not have.

    """
    if settings.settlement_gateway == "sandbox":
        return SandboxGateway(fee_basis_points=settings.settlement_sandbox_fee_bp)
    if settings.settlement_gateway == "stripe":
        if not (settings.settlement_stripe_api_key and settings.settlement_stripe_webhook_secret):
            raise ValueError(
                "the stripe gateway needs LINLI_SETTLEMENT_STRIPE_API_KEY and _WEBHOOK_SECRET"
            )
        return StripeGateway(
            api_key=settings.settlement_stripe_api_key,
            api_base=settings.settlement_stripe_api_base,
            webhook_secret=settings.settlement_stripe_webhook_secret,
            payment_method=settings.settlement_stripe_payment_method,
            connect_api_base=settings.settlement_stripe_connect_api_base,
        )
    raise ValueError(
        f"unknown settlement gateway {settings.settlement_gateway!r}: use sandbox or stripe"
    )


class HostPayments:
    """Charges, captures, voids, refunds and releases of one module in one community (SDK port).

    Every request that records a gateway intent asks the call's ``unit`` to carry the charge's
    intents out after the call commits.
    """

    def __init__(
        self, platform: Platform, community: Community, module: str, unit: UnitOfWork
    ) -> None:
        self._platform = platform
        self._community = community
        self._module = module
        self._unit = unit
        self._written: dict[int, Recorded] = {}
        """What this call's new charges wrote, until another intent on the charge is added."""

    @property
    def _settlement(self) -> Settlement:
        return self._platform.settlement

    async def _mine(self, charge_id: str) -> int:
        """The numeric id of one of this module's charges in this community.

        Raises:
            NotFound: No such charge, or it is another module's.

        """
        number = charge_id_of(charge_id)
        mine = await SettlementCharge.exists().where(
            (SettlementCharge.id == number)
            & (SettlementCharge.community == self._community.id)
            & (SettlementCharge.module == self._module)
        )
        if not mine:
            raise NotFound(f"no charge {charge_id} of module {self._module} in this community")
        return number

    def _after_commit(self, charge_id: str, *, new: bool = False) -> None:
        settlement, community_id, number = (
            self._settlement,
            self._community.id,
            charge_id_of(charge_id),
        )
        if not new:
            self._written.pop(number, None)  # another intent: what `charge` wrote is incomplete

        async def carry_out() -> None:
            settlement.carry_out_later(community_id, number, self._written.pop(number, None))

        self._unit.after_commit(carry_out)

    async def charge(
        self,
        *,
        order_ref: str,
        amount: Money,
        payer_id: int,
        payees: Mapping[str, int],
        capture: bool = True,
    ) -> Charge:
        """Charge ``payer_id`` for an order (see `linli_sdk.Payments.charge`)."""
        return await self._new_charge(
            order_ref=order_ref, amount=amount, payer_id=payer_id, payees=payees, capture=capture
        )

    async def get(self, charge_id: str) -> Charge:
        """One of this module's charges as the ledger has it now (see `linli_sdk.Payments.get`)."""
        return await self._settlement.get(self._community, await self._mine(charge_id))

    async def hold_deposit(
        self,
        *,
        order_ref: str,
        amount: Money,
        payer_id: int,
        payees: Mapping[str, int],
        expires_at: datetime,
    ) -> Charge:
        """Hold a deposit until ``expires_at`` (see `linli_sdk.Payments.hold_deposit`)."""
        return await self._new_charge(
            order_ref=order_ref,
            amount=amount,
            payer_id=payer_id,
            payees=payees,
            capture=False,
            expires_at=expires_at,
        )

    async def _new_charge(self, **charge: Any) -> Charge:
        """Record a charge or a deposit; carry it out once the call commits."""
        made = await self._settlement.charge(
            self._community, self._module, written=self._written, **charge
        )
        self._after_commit(made.id, new=True)
        return made

    async def capture(self, charge_id: str) -> Charge:
        """Capture an authorised charge or a deposit."""
        charge = await self._settlement.capture(self._community, await self._mine(charge_id))
        self._after_commit(charge.id)
        return charge

    async def void(self, charge_id: str) -> Charge:
        """Release an authorised charge."""
        charge = await self._settlement.void(self._community, await self._mine(charge_id))
        self._after_commit(charge.id)
        return charge

    async def refund(self, charge_id: str, amount: Money, *, reason: str, ref: str) -> Refund:
        """Refund part or all of a captured charge, pro rata to what each party holds."""
        refund = await self._settlement.refund(
            self._community, await self._mine(charge_id), amount, reason=reason, ref=ref
        )
        self._after_commit(refund.charge_id)
        return refund

    async def release(self, charge_id: str) -> Charge:
        """Release the charge's held shares for payout (e.g. pickup verified); idempotent."""
        return await self._settlement.release(self._community, await self._mine(charge_id))
