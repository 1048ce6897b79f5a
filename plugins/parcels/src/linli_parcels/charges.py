"""The two charges a parcel may cause, both split by the module's declared revenue-share rules.

- the **commission**, charged to the courier's payer account when the parcel is registered;
- the **storage fee**, charged to the resident whose code is verified, when the parcel waited
  past its free days.

Each is idempotent by its order reference (``parcel-<id>-commission``,
``parcel-<id>-storage``): asking again returns the first charge. The station's share goes to
the host of the pickup point the parcel waits at; the platform takes its declared percentage.
Money never moves here: the host's payments port records it in the ledger.
"""

from __future__ import annotations

from linli_sdk import Host, Money

__all__ = ["COMMISSION", "STORAGE", "charge_parcel"]

COMMISSION = "commission"
"""What the courier pays per parcel registered."""
STORAGE = "storage"
"""What the collecting resident pays for the days past the free ones."""


async def charge_parcel(
    host: Host, *, parcel_id: int, kind: str, amount: Money, payer_id: int, station_id: int
) -> str | None:
    """Charge ``payer_id`` one parcel's commission or storage fee (``kind``); the charge id.

    ``None`` when ``amount`` is zero: nothing is charged. Idempotent by the order reference
    ``parcel-<id>-<kind>``.
    """
    if amount.amount <= 0:
        return None
    charge = await host.payments.charge(
        order_ref=f"parcel-{parcel_id}-{kind}",
        amount=amount,
        payer_id=payer_id,
        payees={"station": station_id},
        capture=True,
    )
    return charge.id
