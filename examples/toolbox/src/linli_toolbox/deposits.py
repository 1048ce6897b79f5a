"""The deposit on a lent tool: held when the tool goes out, released when it comes back.

Every payment call the toolbox makes for a deposit is in this module. A deposit is the SDK's
``host.payments.hold_deposit``: the borrower's money is held, not taken, until a stated
expiry; ``void`` gives it back, and if nobody ends it the platform voids it at its expiry. A
deposit kept (``capture``) would be split by the manifest's ``deposit_rules``, not by the
rules of the lending fee.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from linli_sdk import Host, Money

__all__ = ["DEPOSIT_GRACE", "hold_deposit", "release_deposit"]

DEPOSIT_GRACE = timedelta(days=7)
"""How long past the due time a deposit stays held before the platform voids it by itself."""


async def hold_deposit(
    host: Host,
    *,
    loan_id: int,
    borrower_id: int,
    lender_id: int,
    amount: Money,
    due_at: datetime,
) -> str:
    """Hold ``amount`` of the borrower's money for loan ``loan_id``; return the hold's id."""
    hold = await host.payments.hold_deposit(
        order_ref=f"toolbox-deposit-{loan_id}",
        amount=amount,
        payer_id=borrower_id,
        payees={"lender": lender_id},
        expires_at=due_at + DEPOSIT_GRACE,
    )
    return hold.id


async def release_deposit(host: Host, hold_id: str) -> None:
    """Give the deposit back in full: nothing is taken (releasing twice changes nothing)."""
    await host.payments.void(hold_id)
