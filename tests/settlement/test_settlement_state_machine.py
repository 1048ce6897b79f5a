"""Random sequences of charge, capture, void, refund, release, payout (with transfer
reversals clawing back refunded shares, and payees spending what they were paid so a reversal
is refused), declined payments, confirm, sweep, webhook replays and crashes after the gateway
call.

After every step the ledger balances per currency, no party's holding goes negative, no payee
is paid more than it earned, nor more than it earned from charges past their hold (a ``pickup``
charge only once released), payables go into debit only by the fee their bearer owes or a
recorded clawback after a payout, per order the parties' net equals captured - refunded -
fees, to the cent, and a failed order took nothing and was announced exactly once. At the end
of every run, once every order not refunded in full is released, each party is paid exactly
its net share. Runs on a real SQLite platform; each example gets a community of its own.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from linli.dispatch.tables import OutboxEvent
from linli.identity.members import create_community
from linli.settlement import store
from linli.settlement.gateways import SandboxGateway
from linli.settlement.ledger import TxnKind
from linli.settlement.service import Settlement, intent_key
from linli.settlement.tables import GatewayIntent, LedgerEntry, Transfer
from linli_sdk import CHARGE_FAILED, Conflict, Money
from linli_sdk.revenue_share import RefundExceedsHeld
from settlement_helpers import fee_of, parties_net, per_currency


@dataclass
class Order:
    """What the test expects of one charge."""

    id: int
    amount: int
    capture_requested: bool
    voided: bool = False
    refunded: int = 0
    module: str = "shop"
    released: bool = False


class Harness:
    """The platform the machine runs on, and the loop it runs in."""

    loop: asyncio.AbstractEventLoop
    running: object
    slugs = itertools.count()


HARNESS = Harness()


def run(coro):
    return HARNESS.loop.run_until_complete(coro)


class SettlementMachine(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        running = HARNESS.running
        self.people = running.people  # type: ignore[attr-defined]
        self.gateway = SandboxGateway()
        self.settlement = Settlement(running.platform.registry, self.gateway, eager=False)  # type: ignore[attr-defined]
        self.community = run(create_community(f"sm{next(Harness.slugs)}", "Machine"))
        self.model: dict[int, Order] = {}
        self.refs = itertools.count()

    # --- requests ---------------------------------------------------------------------------

    @initialize(target=orders)
    def first_order(self):
        return self._charge(10_000, True)

    @rule(
        target=orders,
        fen=st.integers(min_value=60, max_value=200_000),
        capture=st.booleans(),
        module=st.sampled_from(["shop", "pickup"]),
    )
    def charge(self, fen, capture, module):
        return self._charge(fen, capture, module)

    def _charge(self, fen: int, capture: bool, module: str = "shop") -> int:
        leader, supplier = self.people["leader"].id, self.people["operator"].id
        charge = run(
            self.settlement.charge(
                self.community,
                module,
                order_ref=f"o{len(self.model)}",
                amount=Money(amount=fen, currency="CNY"),
                payer_id=self.people["resident"].id,
                payees={"leader": leader, "pickup_host": leader, "supplier": supplier},
                capture=capture,
            )
        )
        charge_id = int(charge.id[3:])
        self.model[charge_id] = Order(charge_id, fen, capture, module=module)
        return charge_id

    @rule(order=orders)
    def release(self, order):
        """The pickup is verified: the charge's held shares become payable (idempotent)."""
        assert run(self.settlement.release(self.community, order)).released
        self.model[order].released = True

    @rule()
    def payee_spends(self):
        """The leader moves what it was paid to its bank: a clawback then waits."""
        account, community = f"sbx_acct_m{self.people['leader'].id}", self.community.id
        run(self.gateway.spend(community, account, run(self.gateway.balance(community, account))))

    @rule()
    def decline(self):
        """The gateway will refuse the next payment it is asked for (a declined card)."""
        self.gateway.decline_next()

    @rule(order=orders)
    def capture(self, order):
        expected = self.model[order]
        failed = run(self.settlement.get(self.community, order)).status == "failed"
        if expected.voided or failed:
            with pytest.raises(Conflict):
                run(self.settlement.capture(self.community, order))
        else:
            run(self.settlement.capture(self.community, order))
            expected.capture_requested = True

    @rule(order=orders)
    def void(self, order):
        expected = self.model[order]
        if run(self.settlement.get(self.community, order)).status == "failed":
            assert run(self.settlement.void(self.community, order)).status == "failed"
        elif expected.capture_requested:
            with pytest.raises(Conflict):
                run(self.settlement.void(self.community, order))
        else:
            run(self.settlement.void(self.community, order))
            expected.voided = True

    @rule(order=orders, fen=st.integers(min_value=1, max_value=150_000))
    def refund(self, order, fen):
        expected = self.model[order]
        status = run(self.settlement.get(self.community, order)).status
        amount = Money(amount=fen, currency="CNY")
        ref = f"r{next(self.refs)}"
        if status not in ("captured", "refunded"):
            with pytest.raises(Conflict):
                run(self.settlement.refund(self.community, order, amount, reason="x", ref=ref))
        elif fen > expected.amount - expected.refunded:
            with pytest.raises(RefundExceedsHeld):
                run(self.settlement.refund(self.community, order, amount, reason="x", ref=ref))
        else:
            run(self.settlement.refund(self.community, order, amount, reason="x", ref=ref))
            expected.refunded += fen

    @rule(order=orders)
    def refund_in_full(self, order):
        """Refund what is left of a captured order (a cancellation): it then holds nothing."""
        expected = self.model[order]
        charge = run(self.settlement.get(self.community, order))
        left = expected.amount - expected.refunded
        if charge.status == "captured" and left:
            amount = Money(amount=left, currency="CNY")
            ref = f"r{next(self.refs)}"
            run(self.settlement.refund(self.community, order, amount, reason="x", ref=ref))
            expected.refunded += left

    # --- the gateway's side: confirm, crash, webhooks (duplicated, replayed, reordered) --------

    @rule(order=orders)
    def confirm(self, order):
        run(self.settlement.carry_out(self.community.id, order))

    @rule()
    def payout(self):
        """A payout batch (no hold): pays each payee what it is owed, net of clawbacks."""
        run(self.settlement.pay_out(self.community, hold=timedelta(0)))

    @rule()
    def sweep(self):
        run(self.settlement.sweep(self.community.id))

    @rule(order=orders)
    def crash_after_the_gateway_call(self, order):
        """The gateway took the call, then the process died before the ledger commit."""
        intents = run(
            GatewayIntent.select()
            .where((GatewayIntent.charge == order) & (GatewayIntent.state == "pending"))
            .order_by(GatewayIntent.id)
        )
        for intent in intents[:1]:
            if intent["action"] in ("charge", "authorize"):
                amount = Money(amount=intent["amount"], currency="CNY")
                run(
                    self.gateway.authorize(
                        key=intent["key"], amount=amount, capture=intent["action"] == "charge"
                    )
                )

    @rule(order=orders, replay=st.booleans())
    def webhook(self, order, replay):
        """Deliver the gateway's outcomes for this order as events (again, if replayed)."""
        prefix = intent_key(self.community.id, order, "")
        for key, outcome in run(self.gateway.outcomes(prefix)).items():
            event = f"evt-{key}" if replay else f"evt-{key}-{next(self.refs)}"
            run(self.settlement.receive_event(self.community.id, event, key, outcome))

    # --- what must hold after every step ----------------------------------------------------

    @invariant()
    def the_ledger_balances_per_currency(self):
        assert set(run(per_currency(self.community.id)).values()) <= {0}

    @invariant()
    def each_order_nets_to_captured_less_refunded_less_fees(self):
        for order in self.model.values():
            entries = run(store.charge_entries(self.community.id, order.id))
            kinds = [e.kind for e in entries]
            captured = order.amount if TxnKind.CAPTURE in kinds else 0
            if captured:
                assert fee_of(entries) == self.gateway.fee(
                    Money(amount=order.amount, currency="CNY")
                )
            else:
                assert order.refunded == 0
            assert not (TxnKind.CAPTURE in kinds and TxnKind.VOID in kinds)
            assert parties_net(entries) == captured - order.refunded - fee_of(entries)
            held = {}
            for e in entries:
                if e.party:
                    held[e.party] = held.get(e.party, 0) - e.amount.amount
            assert all(v >= 0 for v in held.values())

    @invariant()
    def payables_go_negative_only_by_fees_or_recorded_clawbacks(self):
        rows = run(
            LedgerEntry.select(
                LedgerEntry.account, LedgerEntry.amount, LedgerEntry.txn.kind.as_alias("kind")
            ).where(
                (LedgerEntry.community == self.community.id) & LedgerEntry.account.like("payable:%")
            )
        )
        accounts: dict[str, dict[str, int]] = {}
        for row in rows:
            sums = accounts.setdefault(row["account"], {"balance": 0, "paid": 0, "earned": 0})
            sums["balance"] += row["amount"]
            if row["kind"] == "payout":
                sums["paid"] += row["amount"]
            elif row["amount"] < 0:
                sums["earned"] -= row["amount"]
        supplier = f"payable:supplier:{self.people['operator'].id}"
        fees = sum(
            fee_of(run(store.charge_entries(self.community.id, order))) for order in self.model
        )
        for account, sums in accounts.items():
            assert sums["paid"] <= sums["earned"], account  # never paid more than it earned
            if sums["paid"]:
                continue  # a debit balance after a payout is a recorded clawback
            limit = fees if account == supplier else 0  # the fee bearer owes its fees
            assert sums["balance"] <= limit, account

    @invariant()
    def payees_are_paid_only_what_is_past_its_hold(self):
        """Net transfers to an account never exceed its earnings from charges past their hold."""
        rows = run(
            LedgerEntry.select(
                LedgerEntry.account,
                LedgerEntry.amount,
                LedgerEntry.charge,
                LedgerEntry.txn.kind.as_alias("kind"),
            ).where(
                (LedgerEntry.community == self.community.id) & LedgerEntry.account.like("payable:%")
            )
        )
        paid: dict[str, int] = {}
        payable: dict[str, int] = {}
        for row in rows:
            account = row["account"]
            if row["kind"] in ("payout", "clawback"):
                paid[account] = paid.get(account, 0) + row["amount"]
            elif row["amount"] < 0:
                order = self.model[row["charge"]]
                if order.module == "shop" or order.released:
                    payable[account] = payable.get(account, 0) - row["amount"]
        for account, net in paid.items():
            assert net <= payable.get(account, 0), account

    def teardown(self):
        """Every party is eventually paid exactly its net share once all holds are over.

        Every intent is carried out, every order not refunded in full is released (one refunded
        in full is never released: it holds nothing), the payees hold enough again for a
        refused clawback to go through, and payout batches run until one moves nothing. Then
        each payee account has been paid, net of clawbacks, its share of its charges less their
        refunds and fees (nothing if that is negative: a fee owed with nothing to claw back),
        and nothing is left pending.
        """
        run(self.settlement.sweep(self.community.id))
        for order in self.model.values():
            if order.refunded < order.amount:
                run(self.settlement.release(self.community, order.id))
        for payee in ("leader", "operator"):
            account = f"sbx_acct_m{self.people[payee].id}"
            held = run(self.gateway.balance(self.community.id, account))
            run(self.gateway.spend(self.community.id, account, min(0, held - 10**12)))
        for _ in range(10):
            if not run(self.settlement.pay_out(self.community, hold=timedelta(0))):
                break
        else:
            raise AssertionError("payout batches still move money after ten runs")
        rows = run(
            LedgerEntry.select(LedgerEntry.account, LedgerEntry.amount, LedgerEntry.charge).where(
                (LedgerEntry.community == self.community.id) & LedgerEntry.account.like("payable:%")
            )
        )
        share: dict[str, int] = {}
        transferred: dict[str, int] = {}
        for row in rows:
            if row["charge"] is None:  # a payout (debit) or a clawback (credit)
                transferred[row["account"]] = transferred.get(row["account"], 0) + row["amount"]
            else:
                share[row["account"]] = share.get(row["account"], 0) - row["amount"]
        for account, net in share.items():
            assert transferred.get(account, 0) == max(net, 0), account
        unsettled = run(
            Transfer.count().where(
                (Transfer.community == self.community.id)
                & Transfer.state.is_in(["pending", "clawback_pending"])
            )
        )
        assert unsettled == 0

    @invariant()
    def a_failed_order_took_nothing_and_was_announced_once(self):
        events = run(
            OutboxEvent.select(OutboxEvent.payload)
            .where(
                (OutboxEvent.community == self.community.id) & (OutboxEvent.type == CHARGE_FAILED)
            )
            .output(load_json=True)
        )
        announced = sorted(int(e["payload"]["charge_id"][3:]) for e in events)
        failed = []
        for order in self.model.values():
            if run(self.settlement.get(self.community, order.id)).status == "failed":
                failed.append(order.id)
                kinds = sorted(
                    t["kind"] for t in run(store.charge_txns(self.community.id, order.id))
                )
                assert kinds in ([], ["authorize", "void"]), kinds  # nothing captured, none held
        assert announced == sorted(failed)  # exactly one event per failed order

    @invariant()
    def one_capture_and_one_authorization_at_most_per_order(self):
        for order in self.model.values():
            txns = run(store.charge_txns(self.community.id, order.id))
            kinds = [t["kind"] for t in txns]
            assert kinds.count("capture") <= 1 and kinds.count("authorize") <= 1
            assert kinds.count("void") <= 1


@pytest.mark.slow
def test_settlement_state_machine(start_shop):
    HARNESS.loop = asyncio.new_event_loop()
    context = start_shop()
    HARNESS.running = HARNESS.loop.run_until_complete(context.__aenter__())
    try:
        run_state_machine_as_test(
            SettlementMachine,
            settings=settings(
                max_examples=25,
                stateful_step_count=25,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        HARNESS.loop.run_until_complete(context.__aexit__(None, None, None))
        HARNESS.loop.close()
