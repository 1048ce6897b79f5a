"""The ledger's pure rules: every plan balances; refunds reverse the split; nothing overflows."""

from __future__ import annotations

import inspect

import pytest
from hypothesis import given
from hypothesis import strategies as st
from linli.settlement import ledger, service, store
from linli.settlement.ledger import PostedEntry, TxnKind
from linli.settlement.tables import LedgerEntry, LedgerTxn
from linli_sdk import Money
from linli_sdk.revenue_share import RefundExceedsHeld, RevenueShareRules, fixed, percent, remainder


def cny(fen: int) -> Money:
    return Money(amount=fen, currency="CNY")


RULES = RevenueShareRules(
    shares=(
        percent("platform", 500),
        percent("leader", 1000),
        fixed("pickup_host", cny(50)),
        percent("community_fund", 100),
        remainder("supplier"),
    )
)
PAYEES = {"leader": 1, "pickup_host": 2, "supplier": 3}


def posted(plan: ledger.PostingPlan) -> list[PostedEntry]:
    return [PostedEntry(plan.kind, p.account, p.amount, p.party) for p in plan.postings]


def party_total(entries: list[PostedEntry]) -> int:
    return -sum(e.amount.amount for e in entries if e.party is not None)


def test_an_unbalanced_plan_is_refused():
    with pytest.raises(ledger.Unbalanced):
        ledger.check_balanced([ledger.Posting("a", cny(5)), ledger.Posting("b", cny(-4))])


def test_a_missing_payee_is_named():
    with pytest.raises(Exception, match="leader"):
        ledger.plan_capture(1, cny(1000), RULES, {"supplier": 3}, cny(0))


@given(
    amount=st.integers(min_value=60, max_value=10**9),
    fee_bp=st.integers(min_value=0, max_value=300),
    refunds=st.lists(st.integers(min_value=1, max_value=10**9), max_size=6),
)
def test_capture_then_refunds_balance_and_net_to_captured_less_refunded_less_fee(
    amount, fee_bp, refunds
):
    fee = cny(amount * fee_bp // 10_000)
    capture = ledger.plan_capture(7, cny(amount), RULES, PAYEES, fee)
    entries = posted(capture)
    refunded = 0
    for n, wanted in enumerate(refunds):
        held = ledger.held_by_party(entries, RULES.parties)
        left = sum(m.amount for m in held.values())
        if wanted > left:
            with pytest.raises(RefundExceedsHeld):
                ledger.plan_refund(7, str(n), held, cny(wanted), PAYEES)
            continue
        plan = ledger.plan_refund(7, str(n), held, cny(wanted), PAYEES)
        ledger.check_balanced(plan.postings)
        entries += posted(plan)
        refunded += wanted
        assert all(m.amount >= 0 for m in ledger.held_by_party(entries, RULES.parties).values())
    accounts_net = -sum(
        e.amount.amount
        for e in entries
        if e.account.startswith("payable:")
        or e.account in (ledger.PLATFORM_REVENUE, ledger.COMMUNITY_FUND)
    )
    assert party_total(entries) == amount - refunded
    assert accounts_net == amount - refunded - fee.amount


def test_every_plan_has_a_key_derived_from_the_charge():
    assert ledger.plan_authorization(9, cny(5)).key == "ch9:authorize"
    assert ledger.plan_void(9, cny(5)).key == "ch9:void"
    assert ledger.plan_refund_paid(9, "r1", cny(5)).key == "ch9:refund_paid:r1"
    assert {TxnKind.CAPTURE, TxnKind.REFUND} <= set(TxnKind)


@pytest.mark.parametrize("table", [LedgerTxn, LedgerEntry])
def test_ledger_tables_refuse_update_and_delete(table):
    with pytest.raises(TypeError, match="append-only"):
        table.update({table.id: 1})
    with pytest.raises(TypeError, match="append-only"):
        table.delete(force=True)


def test_the_public_api_offers_no_way_to_change_the_ledger():
    changing = ("update", "delete", "remove", "edit", "amend", "set_", "drop", "truncate")
    public = [name for name in dir(service.Settlement) if not name.startswith("_")]
    public += list(store.__all__) + list(ledger.__all__)
    offenders = [n for n in public if any(n.lower().startswith(word) for word in changing)]
    # set_overrides changes the operator's revenue-share settings, not the ledger
    assert offenders == ["set_overrides"]
    assert [n for n, _ in inspect.getmembers(store, inspect.iscoroutinefunction)] == sorted(
        store.__all__
    )
    assert "append" in store.__all__


async def _try_to_rewrite_the_ledger(running) -> None:
    from settlement_helpers import SHOP, order, settlement

    await running.client.post(
        f"{SHOP}/buy", json=order(running, "a-1"), headers=running.auth("resident")
    )
    await settlement(running).idle()
    engine = running.platform.engine
    for sql in (
        "UPDATE linli_settlement_ledger_entry SET amount = amount + 1",
        "DELETE FROM linli_settlement_ledger_entry",
        "UPDATE linli_settlement_ledger_txn SET kind = 'void'",
        "DELETE FROM linli_settlement_ledger_txn",
    ):
        with pytest.raises(Exception, match="append-only"):
            await engine.run_ddl(sql)
    assert await LedgerEntry.count() > 0


async def test_the_database_refuses_to_rewrite_the_ledger_on_sqlite(start_shop):
    async with start_shop() as running:
        await _try_to_rewrite_the_ledger(running)


@pytest.mark.slow
async def test_the_database_refuses_to_rewrite_the_ledger_on_postgres(start_shop, postgres_url):
    async with start_shop(database_url=postgres_url) as running:
        await _try_to_rewrite_the_ledger(running)


def test_a_held_charge_refunded_in_full_takes_nothing_from_the_others():
    held = ledger.ChargePosition(charge=1, net=-233 + 233, settled=False)
    released = [ledger.ChargePosition(charge=n, net=-333, settled=True) for n in (2, 3, 4)]
    assert ledger.payout_due([held, *released]) == 999
    refunded_in_part = ledger.ChargePosition(charge=1, net=-233 + 100, settled=False)
    assert ledger.payout_due([refunded_in_part, *released]) == 999  # its rest waits, alone
    owes_a_fee = ledger.ChargePosition(charge=5, net=7, settled=False)  # no share, a fee
    paid = ledger.ChargePosition(charge=None, net=900, settled=False)
    assert ledger.payout_due([owes_a_fee, paid, *released]) == 999 - 7 - 900


@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 100), st.booleans()), max_size=8))
def test_a_payee_is_owed_at_most_its_settled_net_and_all_of_it_once_all_are_settled(charges):
    positions = [
        ledger.ChargePosition(charge=n, net=-share + share * refunded // 100, settled=s)
        for n, (share, refunded, s) in enumerate(charges)
    ]
    settled = -sum(p.net for p in positions if p.settled)
    assert ledger.payout_due(positions) == settled  # a held charge nets only against itself
    every = [ledger.ChargePosition(p.charge, p.net, True) for p in positions]
    assert ledger.payout_due(every) == -sum(p.net for p in positions)


@given(
    st.lists(st.integers(min_value=-(10**9), max_value=10**9), min_size=1, max_size=8),
    st.integers(min_value=-5, max_value=5),
)
def test_balances_balance_only_when_every_currency_sums_to_zero(amounts, off):
    totals = {(f"payable:supplier:{i}", "CNY"): a for i, a in enumerate(amounts)}
    totals[("gateway_clearing", "CNY")] = -sum(amounts)
    totals[("gateway_clearing", "USD")] = 0
    assert ledger.balances_balance(totals)
    totals[("platform_revenue", "USD")] = off
    assert ledger.balances_balance(totals) is (off == 0)
