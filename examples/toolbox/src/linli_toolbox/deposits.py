"""The deposit on a lent tool: held when the tool goes out, released when it comes back.

Every payment call the toolbox makes for a deposit is in this module, so that moving to a
dedicated deposit port of the SDK changes these two functions and nothing else. Today a
deposit is an authorisation (``charge(..., capture=False)``): the borrower's money is held,
not taken, and ``void`` releases it.
"""

from __future__ import annotations

from linli_sdk import Host, Money

__all__ = ["hold_deposit", "release_deposit"]


async def hold_deposit(
    host: Host, *, loan_id: int, borrower_id: int, lender_id: int, amount: Money
) -> str:
    """Hold ``amount`` of the borrower's money for loan ``loan_id``; return the hold's id."""
    hold = await host.payments.charge(
        order_ref=f"toolbox-deposit-{loan_id}",
        amount=amount,
        payer_id=borrower_id,
        payees={"lender": lender_id},
        capture=False,
    )
    return hold.id


async def release_deposit(host: Host, hold_id: str) -> None:
    """Give the deposit back in full: nothing is taken (releasing twice changes nothing)."""
    await host.payments.void(hold_id)
