"""The shared toolbox on the SDK's test kit: lend a drill, hold the deposit, return it on time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import linli_sdk
import pytest
from linli_sdk import (
    ChargeStatus,
    Community,
    Conflict,
    CreditStanding,
    Forbidden,
    InvalidInput,
    MemberView,
    Money,
    Role,
)
from linli_sdk.testing import PluginKit

from linli_toolbox import plugin
from linli_toolbox.plugin import Loan, LoanList


def cny(fen: int) -> Money:
    return Money(amount=fen, currency="CNY")


async def borrow(
    kit: PluginKit, borrower: MemberView, lender: MemberView, fee: int = 1_000
) -> Loan:
    loan = await kit.call(
        "borrow-tool",
        {"tool": "电钻 drill", "lender_id": lender.id, "fee": cny(fee)},
        as_=borrower,
    )
    assert isinstance(loan, Loan)
    return loan


async def give_back(kit: PluginKit, loan: Loan, as_: MemberView) -> Loan:
    returned = await kit.call("return-tool", {"loan_id": loan.id}, as_=as_)
    assert isinstance(returned, Loan)
    return returned


@pytest.fixture
def wang(kit: PluginKit) -> MemberView:
    return kit.add_member("Wang (lender)", Role.RESIDENT)


@pytest.fixture
def chen(kit: PluginKit) -> MemberView:
    return kit.add_member("Chen (borrower)", Role.RESIDENT)


def test_the_manifest_declares_the_toolbox() -> None:
    manifest = plugin.manifest
    assert manifest.name == "toolbox"
    assert manifest.supports(linli_sdk.__version__)
    assert {op.name for op in manifest.operations} == {"borrow-tool", "return-tool", "my-loans"}
    assert [e.name for e in manifest.credit_events] == ["returned_on_time"]


async def test_borrowing_charges_the_fee_and_holds_the_deposit(
    kit: PluginKit, wang: MemberView, chen: MemberView
) -> None:
    loan = await borrow(kit, chen, wang, fee=1_000)
    fee = kit.host.payments.charges[loan.fee_charge_id]
    assert fee.status is ChargeStatus.CAPTURED
    assert fee.parts == {"platform": cny(50), "lender": cny(950)}
    deposit = kit.host.payments.charges[loan.deposit_charge_id]
    assert deposit.status is ChargeStatus.AUTHORIZED  # held, not taken
    assert deposit.amount == cny(20_000)
    assert deposit.parts == {}
    assert loan.due_at == kit.clock + timedelta(days=3)
    assert (loan.returned_at, loan.on_time) == (None, None)


async def test_a_return_on_time_releases_the_deposit_and_earns_credit(
    kit: PluginKit, wang: MemberView, chen: MemberView
) -> None:
    loan = await borrow(kit, chen, wang)
    await kit.advance(timedelta(days=3))  # due exactly now: still on time
    returned = await give_back(kit, loan, wang)
    assert returned.on_time is True
    assert returned.returned_at == kit.clock
    assert kit.host.payments.charges[loan.deposit_charge_id].status is ChargeStatus.VOIDED
    assert kit.host.credit.events == {
        f"toolbox-on-time-{loan.id}": (chen.id, "returned_on_time", 5)
    }


async def test_a_late_return_releases_the_deposit_without_credit(
    kit: PluginKit, wang: MemberView, chen: MemberView
) -> None:
    loan = await borrow(kit, chen, wang)
    await kit.advance(timedelta(days=3, seconds=1))
    returned = await give_back(kit, loan, wang)
    assert returned.on_time is False
    assert kit.host.payments.charges[loan.deposit_charge_id].status is ChargeStatus.VOIDED
    assert kit.host.credit.events == {}


async def test_only_the_lender_or_an_operator_confirms_a_return(
    kit: PluginKit, wang: MemberView, chen: MemberView
) -> None:
    loan = await borrow(kit, chen, wang)
    with pytest.raises(Forbidden):
        await give_back(kit, loan, chen)  # the borrower cannot say it is back
    assert kit.host.payments.charges[loan.deposit_charge_id].status is ChargeStatus.AUTHORIZED
    returned = await give_back(kit, loan, kit.add_member("Office", Role.OPERATOR))
    assert returned.on_time is True
    with pytest.raises(Conflict, match="already returned"):
        await give_back(kit, loan, wang)
    assert len(kit.host.credit.events) == 1


async def test_the_settings_set_the_deposit_period_and_credit(
    kit: PluginKit, wang: MemberView, chen: MemberView
) -> None:
    await kit.enable({"deposit": 5_000, "loan_days": 1, "on_time_credit": 8})
    loan = await borrow(kit, chen, wang, fee=0)  # a favour: no fee charged
    assert loan.fee_charge_id == ""
    assert loan.deposit == cny(5_000)
    assert loan.due_at == kit.clock + timedelta(days=1)
    await give_back(kit, loan, wang)
    assert [weight for _, _, weight in kit.host.credit.events.values()] == [8]
    with pytest.raises(InvalidInput, match=r"settings\.on_time_credit"):
        await kit.enable({"on_time_credit": 11})  # outside the declared bounds


async def test_refused_borrowing_charges_nothing(
    kit: PluginKit, wang: MemberView, chen: MemberView
) -> None:
    with pytest.raises(InvalidInput, match="your own tool"):
        await borrow(kit, chen, chen)
    with pytest.raises(InvalidInput, match="not in this community"):
        await kit.call("borrow-tool", {"tool": "drill", "lender_id": 99, "fee": cny(100)}, as_=chen)
    with pytest.raises(Forbidden):
        await borrow(kit, kit.add_member("Newcomer", verified=False), wang)
    assert kit.host.payments.charges == {}


async def test_members_see_what_they_lent_and_borrowed_here_only(
    kit: PluginKit, wang: MemberView, chen: MemberView, linli_kit: Callable[..., PluginKit]
) -> None:
    lent = await borrow(kit, chen, wang)
    other = kit.add_member("Liu", Role.RESIDENT)
    theirs = await borrow(kit, other, chen)
    for member, expected in ((wang, [lent.id]), (chen, [theirs.id, lent.id])):
        listed = await kit.call("my-loans", as_=member)
        assert isinstance(listed, LoanList)
        assert [loan.id for loan in listed.items] == expected
    river = linli_kit(plugin, community=Community(id=2, slug="river-view", name="河景苑"))
    namesake = river.add_member("Zhao", Role.RESIDENT)
    assert namesake.id == wang.id  # the same member id in another community
    listed = await river.call("my-loans", as_=namesake)
    assert isinstance(listed, LoanList)
    assert listed.items == []


async def test_a_borrower_whose_credit_waives_deposits_leaves_none(
    kit: PluginKit, wang: MemberView, chen: MemberView
) -> None:
    kit.host.credit.standings[chen.id] = CreditStanding(
        score=680, tier="trusted", pay_after_service=False, deposits_waived=True, suspended=False
    )
    loan = await borrow(kit, chen, wang)
    assert (loan.deposit, loan.deposit_charge_id) == (cny(0), "")
    assert list(kit.host.payments.charges) == [loan.fee_charge_id]  # the fee only
    returned = await give_back(kit, loan, wang)
    assert returned.on_time is True
