"""The core's `linli_sdk.Payments` port, and the settlement service the running platform uses.

``ctx.host.payments`` in an operation is a `HostPayments` bound to the community and module.
Its calls run inside the operation's transaction; gateway calls follow its commit.

The host is built without the platform at hand, so the platform binds its settlement service
here when its HTTP app is built (`bind`, called by the settlement routes) and the port finds it
with `active`.
"""

from __future__ import annotations

from collections.abc import Mapping

from linli_sdk import CapabilityUnavailable, Charge, Community, Money, Refund

from ..platform import Platform
from .gateways import Gateway, SandboxGateway
from .service import Settlement, charge_id_of
from .stripe_gateway import StripeGateway

__all__ = ["HostPayments", "active", "bind", "gateway_for"]

_active: Settlement | None = None


def gateway_for(platform: Platform) -> Gateway:
    """The gateway the platform's settings name.

    Raises:
        ValueError: The settings name a gateway this platform does not have.

    """
    settings = platform.settings
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
        )
    raise ValueError(
        f"unknown settlement gateway {settings.settlement_gateway!r}: use sandbox or stripe"
    )


def bind(platform: Platform, gateway: Gateway | None = None) -> Settlement:
    """Make a settlement service for ``platform`` the one host ports use; return it."""
    global _active
    _active = Settlement(platform.registry, gateway or gateway_for(platform))
    return _active


def active() -> Settlement:
    """The bound settlement service.

    Raises:
        CapabilityUnavailable: No platform has bound one in this process.

    """
    if _active is None:
        raise CapabilityUnavailable("settlement is not available: no platform is running")
    return _active


class HostPayments:
    """Charges, captures, voids and refunds of one module in one community (the SDK port)."""

    def __init__(self, community: Community, module: str) -> None:
        self._community = community
        self._module = module

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
        return await active().charge(
            self._community,
            self._module,
            order_ref=order_ref,
            amount=amount,
            payer_id=payer_id,
            payees=payees,
            capture=capture,
        )

    async def capture(self, charge_id: str) -> Charge:
        """Capture an authorised charge."""
        return await active().capture(self._community, charge_id_of(charge_id))

    async def void(self, charge_id: str) -> Charge:
        """Release an authorised charge."""
        return await active().void(self._community, charge_id_of(charge_id))

    async def refund(self, charge_id: str, amount: Money, *, reason: str, ref: str) -> Refund:
        """Refund part or all of a captured charge, pro rata to what each party holds."""
        return await active().refund(
            self._community, charge_id_of(charge_id), amount, reason=reason, ref=ref
        )
