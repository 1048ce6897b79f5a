"""Random sequences of deposit hold, capture, void, expiry, sweep and payout batches.

After every step the ledger balances, a deposit voided (returned or expired) has no posting on
any party's account and nothing is paid from it, a captured one is split by the toolbox's
``deposit_rules``, and no payee is ever paid more than the captured deposits gave it. Runs on a
real SQLite platform; each example gets a community of its own.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from linli.identity.members import create_community
from linli.modules.enablement import set_module
from linli.settlement import store
from linli.settlement.gateways import SandboxGateway
from linli.settlement.service import Settlement
from linli.settlement.tables import LedgerEntry
from linli_sdk import ChargeStatus, Conflict, Money
from settlement_helpers import per_currency

HELD, CAPTURED, VOIDED = "held", "captured", "voided"


class Harness:
    loop: asyncio.AbstractEventLoop
    running: object
    slugs = itertools.count()


HARNESS = Harness()


def run(coro):
    return HARNESS.loop.run_until_complete(coro)


class DepositMachine(RuleBasedStateMachine):
    deposits = Bundle("deposits")

    def __init__(self) -> None:
        super().__init__()
        running = HARNESS.running
        self.owner = running.people["leader"].id  # type: ignore[attr-defined]
        self.payer = running.people["resident"].id  # type: ignore[attr-defined]
        self.settlement = Settlement(running.platform.registry, SandboxGateway(), eager=False)  # type: ignore[attr-defined]
        self.community = run(create_community(f"dm{next(Harness.slugs)}", "Deposits"))
        run(set_module(running.platform, self.community, "toolbox", enabled=True))  # type: ignore[attr-defined]
        self.model: dict[int, str] = {}
        self.amounts: dict[int, int] = {}
        self.clock = datetime.now(UTC)

    @rule(target=deposits, fen=st.integers(min_value=200, max_value=100_000))
    def hold(self, fen):
        charge = run(
            self.settlement.charge(
                self.community,
                "toolbox",
                order_ref=f"d{len(self.model)}",
                amount=Money(amount=fen, currency="CNY"),
                payer_id=self.payer,
                payees={"owner": self.owner},
                capture=False,
                expires_at=self.clock + timedelta(days=1),
            )
        )
        number = int(charge.id[3:])
        self.model[number], self.amounts[number] = HELD, fen
        return number

    @rule(deposit=deposits)
    def capture(self, deposit):
        try:
            run(self.settlement.capture(self.community, deposit))
        except Conflict:
            assert self.model[deposit] == VOIDED
            return
        assert self.model[deposit] != VOIDED
        self.model[deposit] = CAPTURED

    @rule(deposit=deposits)
    def void(self, deposit):
        try:
            run(self.settlement.void(self.community, deposit))
        except Conflict:
            assert self.model[deposit] == CAPTURED
            return
        assert self.model[deposit] != CAPTURED
        self.model[deposit] = VOIDED

    @rule()
    def expire(self):
        """A day passes: the worker voids every deposit still only held."""
        self.clock += timedelta(days=1, seconds=1)
        voided = run(self.settlement.expire_deposits(self.community.id, now=self.clock))
        expected = {n for n, state in self.model.items() if state == HELD}
        assert {number for _, number in voided} == expected
        for number in expected:
            self.model[number] = VOIDED

    @rule()
    def sweep(self):
        run(self.settlement.sweep(self.community.id))

    @rule()
    def pay_out(self):
        run(self.settlement.sweep(self.community.id))
        run(self.settlement.pay_out(self.community, hold=timedelta(0)))

    @invariant()
    def balanced(self):
        assert run(per_currency(self.community.id)) in ({}, {"CNY": 0})

    @invariant()
    def nobody_is_paid_from_a_voided_deposit(self):
        for number, state in self.model.items():
            entries = run(store.charge_entries(self.community.id, number))
            on_parties = [e for e in entries if e.party is not None]
            if state == VOIDED:
                assert on_parties == []
            charge = run(self.settlement.get(self.community, number))
            if charge.status is ChargeStatus.CAPTURED:
                assert state == CAPTURED
                fund = self.amounts[number] // 10
                assert charge.parts["community_fund"].amount == fund
                assert charge.parts["owner"].amount == self.amounts[number] - fund

    @invariant()
    def payouts_never_exceed_what_captured_deposits_gave(self):
        account = f"payable:owner:{self.owner}"
        paid = sum(
            row["amount"]
            for row in run(
                LedgerEntry.select(LedgerEntry.amount).where(
                    (LedgerEntry.community == self.community.id)
                    & (LedgerEntry.account == account)
                    & (LedgerEntry.charge.is_null())
                )
            )
        )
        earned = sum(
            self.amounts[n] - self.amounts[n] // 10 for n, s in self.model.items() if s == CAPTURED
        )
        assert paid <= earned


@pytest.mark.slow
def test_deposit_state_machine(start_shop):
    HARNESS.loop = asyncio.new_event_loop()
    context = start_shop()
    HARNESS.running = HARNESS.loop.run_until_complete(context.__aenter__())
    try:
        run_state_machine_as_test(
            DepositMachine,
            settings=settings(
                max_examples=15,
                stateful_step_count=20,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        HARNESS.loop.run_until_complete(context.__aexit__(None, None, None))
        HARNESS.loop.close()
