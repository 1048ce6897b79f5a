"""Captures applied together after commit: a constant number of statements per group, once each.

Concurrent outcomes applied through the grouped path share one transaction. However many it
holds, the group posts all their ledger rows, closes all their intents and writes all their
``settlement.charge_captured`` events in the same few statements; an outcome applied again by a
racing task (its intent already closed) posts and announces nothing. The property: for random
groups of new captures, repeats of captures already applied and the same capture twice, each
capture posts and announces exactly once and the ledger balances.

Statements are counted by SQLite's trace callback (``BEGIN`` and ``COMMIT`` included) and, on
PostgreSQL, by the engine's written-SQL entry point, per transaction.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linli.dispatch.store import json_value
from linli.dispatch.tables import OutboxEvent
from linli.settlement import charge_store, store
from linli.settlement.announcements import community_for_events
from linli.settlement.gateways import GatewayOutcome, SandboxGateway
from linli.settlement.service import Settlement
from linli.settlement.tables import GatewayIntent, LedgerTxn
from linli.testing import Running, sqlite_statements
from linli_sdk import CHARGE_CAPTURED, Money
from settlement_helpers import charge_directly, per_currency

GROUP = ("INSERT INTO linli_settlement_ledger_txn", "INSERT INTO linli_settlement_ledger_entry")
GROUP += ("UPDATE linli_settlement_intent", "INSERT INTO linli_dispatch_outbox")
"""What one group of captures runs inside its transaction, whatever the number of captures."""


class HeldGateway:
    """The sandbox, whose answers are held back until the test lets the whole batch through.

    Every call is answered (and kept by the sandbox) at once; the caller gets its answer only
    when `release` is set, so all the outcomes reach the grouped path together.
    """

    def __init__(self, sandbox: SandboxGateway, calls: int) -> None:
        self.sandbox, self.calls = sandbox, calls
        self.name, self.test_money = sandbox.name, sandbox.test_money
        self.answered, self.release = asyncio.Event(), asyncio.Event()

    async def authorize(self, *, key: str, amount: Money, capture: bool) -> GatewayOutcome:
        answer = await self.sandbox.authorize(key=key, amount=amount, capture=capture)
        self.calls -= 1
        if not self.calls:
            self.answered.set()
        await self.release.wait()
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sandbox, name)


@asynccontextmanager
async def group_statements(running: Running) -> AsyncIterator[list[list[str]]]:
    """The statements of each transaction that wrote something inside the block, in order."""
    engine = running.platform.engine
    groups: list[list[str]] = []
    if engine.engine_type == "sqlite":
        async with sqlite_statements(engine) as traced:
            yield groups
        current: list[str] | None = None
        for statement in traced:
            if statement.startswith("BEGIN"):
                current = []
            if current is not None:
                current.append(statement)
            if statement == "COMMIT" and current is not None:
                if len(current) > 2:  # not an empty transaction (BEGIN, COMMIT)
                    groups.append(current)
                current = None
        return
    by_transaction: dict[int, list[str]] = {}
    fetch_sql = engine.fetch_sql

    async def counted(sql: str, args: Any) -> Any:
        transaction = engine.current_transaction.get()
        if transaction is not None:
            by_transaction.setdefault(id(transaction), []).append(sql)
        return await fetch_sql(sql, args)

    engine.fetch_sql = counted
    try:
        yield groups
    finally:
        del engine.fetch_sql  # the class's own again
    groups += by_transaction.values()


def kinds(group: list[str]) -> tuple[str, ...]:
    """What each statement of a group does (its table), BEGIN and COMMIT left out."""
    return tuple(
        statement.split("(")[0].split(" SET ")[0].strip()
        for statement in group
        if not statement.startswith(("BEGIN", "COMMIT"))
    )


async def capture_together(
    running: Running, settlement: Settlement, gateway: HeldGateway, known: list[Any]
) -> list[int]:
    """Carry out the charges concurrently, their outcomes applied in one group; each result.

    ``known`` is each charge's row and intents as a task read them (a racing task may hold an
    intent that another has closed since).
    """
    home = running.home.id
    await community_for_events(home)  # as cached by the captures just before (briefly)
    tasks = [
        asyncio.ensure_future(settlement.carry_out(home, row["id"], (row, intents), grouped=True))
        for row, intents in known
    ]
    await gateway.answered.wait()
    async with running.platform.engine.transaction():  # a writer busy: the outcomes queue
        gateway.release.set()
        for _ in range(10):
            await asyncio.sleep(0)
    return list(await asyncio.gather(*tasks))


async def charges_read(running: Running, settlement: Settlement, refs: list[str]) -> list[Any]:
    """Charge each order of ``refs``; each charge's row and pending intents, as recorded."""
    known = []
    for n, ref in enumerate(refs):
        charge_id = await charge_directly(settlement, running, ref, 1_000 + n)
        row = await charge_store.charge_row(running.home.id, charge_id)
        known.append((row, await charge_store.pending_intents(running.home.id, charge_id)))
    return known


async def captured_events() -> Counter[str]:
    """How many ``settlement.charge_captured`` events the outbox holds, per charge."""
    rows = await OutboxEvent.select(OutboxEvent.payload).where(OutboxEvent.type == CHARGE_CAPTURED)
    return Counter(json_value(row["payload"])["charge_id"] for row in rows)


async def _group_of_captures(running: Running, size: int) -> None:
    sandbox = SandboxGateway()
    registry = running.platform.registry
    one = Settlement(registry, HeldGateway(sandbox, 1), eager=False)
    known_one = await charges_read(running, one, ["alone"])
    async with group_statements(running) as alone:
        assert await capture_together(running, one, one.gateway, known_one) == [1]

    many = Settlement(registry, HeldGateway(sandbox, size), eager=False)
    known = await charges_read(running, many, [f"together-{n}" for n in range(size)])
    async with group_statements(running) as together:
        assert await capture_together(running, many, many.gateway, known) == [1] * size

    # (a) one group for all of them, running what the group of one ran
    assert [kinds(group) for group in alone] == [GROUP]
    assert [kinds(group) for group in together] == [GROUP]
    assert len(together[0]) == len(alone[0])
    (closing,) = [s for s in together[0] if s.startswith("UPDATE")]
    assert closing.count("AS INTEGER)") == size  # every intent closed by that one statement

    # (b) each charge captured and balanced, its event in the outbox once
    charges = [row["id"] for row, _ in [*known_one, *known]]
    for charge_id in charges:
        entries = await store.charge_entries(running.home.id, charge_id)
        assert sum(e.amount.amount for e in entries) == 0
        assert {e.kind for e in entries} == {"authorize", "capture"}
    assert await per_currency(running.home.id) == {"CNY": 0}
    assert await captured_events() == Counter({f"ch_{c}": 1 for c in charges})
    closed = await GatewayIntent.select(GatewayIntent.state, GatewayIntent.outcome).output(
        load_json=True
    )
    assert {row["state"] for row in closed} == {"done"}
    assert {row["outcome"]["status"] for row in closed} == {"captured"}
    txns = await LedgerTxn.count()

    # (c) a racing task applies the same outcomes again, in a group with new captures: only
    # the new ones post and announce
    again = Settlement(registry, HeldGateway(sandbox, size + 2), eager=False)
    fresh = await charges_read(running, again, ["late-1", "late-2"])
    async with group_statements(running) as racing:
        results = await capture_together(running, again, again.gateway, [*known, *fresh])
    assert results == [0] * size + [1, 1]
    assert [kinds(group) for group in racing] == [GROUP]
    assert await LedgerTxn.count() == txns + 2 * 2  # the new charges' authorize and capture
    late = [row["id"] for row, _ in fresh]
    assert await captured_events() == Counter({f"ch_{c}": 1 for c in charges + late})
    assert await per_currency(running.home.id) == {"CNY": 0}


async def test_a_group_of_captures_runs_the_statements_of_one_on_sqlite(start_shop):
    async with start_shop() as running:
        await _group_of_captures(running, 24)


@pytest.mark.slow
async def test_a_group_of_captures_runs_the_statements_of_one_on_postgres(start_shop, postgres_url):
    async with start_shop(database_url=postgres_url) as running:
        await _group_of_captures(running, 24)


_REFS = itertools.count()


class Live(tuple):  # type: ignore[type-arg]
    """(runner, running, the captures applied so far) with a short repr for Hypothesis."""

    def __repr__(self) -> str:
        return "<live platform>"


@pytest.fixture
def live(start_shop) -> Iterator[Live]:
    """One platform with ``shop`` for a whole Hypothesis run, driven from a synchronous test."""
    with asyncio.Runner() as runner:
        context = start_shop()
        running = runner.run(context.__aenter__())
        try:
            yield Live((runner, running, []))
        finally:
            runner.run(context.__aexit__(None, None, None))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amounts=st.lists(st.integers(min_value=1_000, max_value=1_000_000), max_size=8),
    repeats=st.lists(st.integers(min_value=0, max_value=1_000), max_size=6),
    twice=st.lists(st.integers(min_value=0, max_value=1_000), max_size=3),
)
def test_each_capture_of_a_group_posts_and_announces_once(live, amounts, repeats, twice):
    """A group mixes new captures, captures a racing task applied already (``repeats``) and
    new captures applied twice in the same group (``twice``)."""
    runner, running, applied = live

    async def scenario() -> None:
        sandbox, home = SandboxGateway(), running.home.id
        fresh: list[Any] = []
        for fen in amounts:
            settlement = Settlement(running.platform.registry, sandbox, eager=False)
            charge_id = await charge_directly(settlement, running, f"p-{next(_REFS)}", fen)
            row = await charge_store.charge_row(home, charge_id)
            fresh.append((row, await charge_store.pending_intents(home, charge_id)))
        again = [applied[n % len(applied)] for n in repeats] if applied else []
        doubled = [fresh[n % len(fresh)] for n in twice] if fresh else []
        group = [*fresh, *again, *doubled]
        if not group:
            return
        settlement = Settlement(
            running.platform.registry, HeldGateway(sandbox, len(group)), eager=False
        )
        results = await capture_together(running, settlement, settlement.gateway, group)
        closed = Counter[int]()
        for (row, _), result in zip(group, results, strict=True):
            closed[row["id"]] += result
        assert closed == Counter({row["id"]: 1 for row, _ in fresh}), "each new one closed once"
        applied.extend(fresh)
        charges = {row["id"] for row, _ in applied}
        assert await captured_events() == Counter({f"ch_{c}": 1 for c in charges})
        kinds = await LedgerTxn.select(LedgerTxn.charge, LedgerTxn.kind).where(
            LedgerTxn.charge.is_in(list(charges))
        )
        assert Counter((t["charge"], t["kind"]) for t in kinds) == Counter(
            {(c, kind): 1 for c in charges for kind in ("authorize", "capture")}
        )
        assert await per_currency(home) == {"CNY": 0}

    runner.run(scenario())
