"""A member's saved accounts and payments in their export; erasure deletes and masks them."""

from __future__ import annotations

from datetime import timedelta

from linli_bill_payment.models import AccountList, BillQuote, Payment
from linli_sdk import Role
from linli_sdk.testing import PluginKit


async def test_the_export_lists_accounts_and_payments_and_erasure_leaves_nothing_personal(
    kit: PluginKit,
) -> None:
    chen = kit.add_member("Chen", Role.RESIDENT)
    liu = kit.add_member("Liu", Role.RESIDENT)
    leader = kit.add_member("Wang", Role.LEADER, Role.RESIDENT)
    for who, number in ((chen, "4455667788"), (liu, "4455667799")):
        saved = {"biller": "sandbox_gas", "account_number": number, "label": "gas"}
        await kit.call("save-account", saved, as_=who)
    found = await kit.call(
        "look-up-bill", {"biller": "sandbox_water", "account_number": "3101001234"}, as_=chen
    )
    assert isinstance(found, BillQuote)
    bill = found.bill
    paid = await kit.call(
        "pay-bill",
        {
            "biller": bill.biller,
            "account_number": bill.account_number,
            "bill_ref": bill.bill_ref,
            "amount": bill.amount,
            "leader_id": leader.id,
            "period": bill.period,
        },
        as_=chen,
    )
    assert isinstance(paid, Payment)
    await kit.advance(timedelta(seconds=1))  # the biller confirms

    accounts, payments = await kit.export_member(chen)
    assert [a["account_number"] for a in accounts["records"]] == ["4455667788"]
    assert [p["account_number"] for p in payments["records"]] == ["3101001234"]

    erased = await kit.erase_member(chen)
    assert erased.erased == 2 and "accounting" in erased.kept

    mine = await kit.call("list-accounts", {}, as_=chen)
    assert isinstance(mine, AccountList) and mine.items == []
    shown = await kit.call("get-payment", {"payment_id": paid.id}, as_=chen)
    assert isinstance(shown, Payment)
    assert shown.account_number == "******1234" and shown.status == "paid"
    theirs = await kit.call("list-accounts", {}, as_=liu)
    assert [a.account_number for a in theirs.items] == ["4455667799"]  # type: ignore[attr-defined]
    assert (await kit.erase_member(chen)).erased == 0
