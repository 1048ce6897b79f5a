"""Reconciliation (operator API and CLI) and statements per party (JSON and CSV)."""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner
from linli.cli import main as linli_cli
from linli.settlement.gateways import SandboxGateway
from linli.settlement.reconciliation import DifferenceKind, Record, compare
from linli.settlement.service import Settlement, intent_key
from linli_sdk import Money
from settlement_helpers import SHOP, charge_directly, cny, order, settlement

SETTLEMENT = "/v1/communities/home/settlement"


def test_compare_lists_every_kind_of_difference():
    ledger = [
        Record("a", "payment", 100, "CNY", "captured"),
        Record("b", "payment", 100, "CNY", "captured"),
        Record("c", "payment", 100, "CNY", "pending"),
        Record("d", "refund", 50, "CNY", "refunded"),
        Record("e", "payment", 100, "CNY", "voided"),
        Record("f", "payment", 100, "CNY", "pending"),
    ]
    gateway = [
        Record("a", "payment", 100, "CNY", "captured"),
        Record("b", "payment", 90, "CNY", "captured"),
        Record("c", "payment", 100, "CNY", "captured"),
        Record("e", "payment", 100, "CNY", "captured"),
        Record("z", "refund", 10, "CNY", "refunded"),
    ]
    found = {d.key: d.kind for d in compare(ledger, gateway)}
    assert found == {
        "b": DifferenceKind.AMOUNT_DIFFERS,
        "c": DifferenceKind.NOT_APPLIED,
        "d": DifferenceKind.MISSING_AT_GATEWAY,
        "e": DifferenceKind.STATUS_DIFFERS,
        "z": DifferenceKind.UNKNOWN_TO_LEDGER,
    }  # "f": asked, never reached the gateway, nothing applied: no difference yet


async def test_reconciliation_finds_a_crash_and_a_sweep_clears_it(start_shop):
    async with start_shop() as running:
        operator = running.auth("operator")
        bought = await running.client.post(
            f"{SHOP}/buy", json=order(running, "k-1"), headers=running.auth("resident")
        )
        await settlement(running).idle()
        refund = {"charge_id": bought.json()["id"], "amount": cny(1_000), "ref": "r"}
        await running.client.post(f"{SHOP}/compensate", json=refund, headers=running.auth("leader"))
        await settlement(running).idle()
        clean = await running.client.get(f"{SETTLEMENT}/reconciliation", headers=operator)
        assert clean.status_code == 200, clean.text
        assert clean.json()["differences"] == [] and clean.json()["test_money"]

        # a second order: the gateway took it, the process died before the ledger commit
        lagging = Settlement(running.platform.registry, settlement(running).gateway, eager=False)
        charge_id = await charge_directly(lagging, running, "k-2", 500)
        key = intent_key(running.home.id, charge_id, "charge")
        gateway = settlement(running).gateway
        assert isinstance(gateway, SandboxGateway)
        await gateway.authorize(key=key, amount=Money(amount=500, currency="CNY"), capture=True)
        found = await running.client.get(f"{SETTLEMENT}/reconciliation", headers=operator)
        assert [(d["key"], d["kind"]) for d in found.json()["differences"]] == [
            (key, "not_applied")
        ]

        swept = await running.client.post(
            f"{SETTLEMENT}/sweep", headers={**operator, "Idempotency-Key": "s"}
        )
        assert swept.json() == {"carried_out": 1}
        after = await running.client.get(f"{SETTLEMENT}/reconciliation", headers=operator)
        assert after.json()["differences"] == []
        assert (
            await running.client.get(
                f"{SETTLEMENT}/reconciliation", headers=running.auth("resident")
            )
        ).status_code == 403


async def test_statements_show_each_orders_split_as_json_and_csv(start_shop):
    async with start_shop() as running:
        bought = await running.client.post(
            f"{SHOP}/buy", json=order(running, "st-1"), headers=running.auth("resident")
        )
        await settlement(running).idle()
        refund = {"charge_id": bought.json()["id"], "amount": cny(2_000), "ref": "r"}
        await running.client.post(f"{SHOP}/compensate", json=refund, headers=running.auth("leader"))
        await settlement(running).idle()
        account = f"payable:leader:{running.people['leader'].id}"
        mine = await running.client.get(
            f"{SETTLEMENT}/statements/{account}", headers=running.auth("leader")
        )
        assert mine.status_code == 200, mine.text
        lines = mine.json()["lines"]
        assert [(line["kind"], line["amount"]["amount"]) for line in lines] == [
            ("capture", 1000),
            ("refund", -200),
        ]
        assert lines[0]["order_ref"] == "st-1" and lines[0]["module"] == "shop"
        as_csv = await running.client.get(
            f"{SETTLEMENT}/statements/{account}",
            params={"format": "csv"},
            headers=running.auth("operator"),
        )
        rows = list(csv.DictReader(io.StringIO(as_csv.text)))
        assert [(r["kind"], r["amount"], r["money"]) for r in rows] == [
            ("capture", "1000", "TEST"),
            ("refund", "-200", "TEST"),
        ]
        other = await running.client.get(
            f"{SETTLEMENT}/statements/{account}", headers=running.auth("resident")
        )
        assert other.status_code == 403


async def test_a_statement_csv_shows_formulas_as_text_and_amounts_as_numbers(start_shop):
    formula = '=HYPERLINK("http://evil.example","st-2")'
    async with start_shop() as running:
        bought = await running.client.post(
            f"{SHOP}/buy", json=order(running, formula), headers=running.auth("resident")
        )
        await settlement(running).idle()
        refund = {"charge_id": bought.json()["id"], "amount": cny(3_000), "ref": "r"}
        await running.client.post(f"{SHOP}/compensate", json=refund, headers=running.auth("leader"))
        await settlement(running).idle()
        account = f"payable:leader:{running.people['leader'].id}"
        as_csv = await running.client.get(
            f"{SETTLEMENT}/statements/{account}",
            params={"format": "csv"},
            headers=running.auth("operator"),
        )
        assert as_csv.status_code == 200, as_csv.text
        rows = list(csv.DictReader(io.StringIO(as_csv.text)))
        assert [(r["order_ref"], r["amount"]) for r in rows] == [
            ("'" + formula, "1000"),
            ("'" + formula, "-300"),  # a real number: written as one, still machine-readable
        ]
        assert '"-300"' not in as_csv.text and ",-300," in as_csv.text


def test_the_cli_reconciles_and_prints_statements(tmp_path):
    """The CLI on a fresh database: nothing to reconcile, an empty statement."""
    import asyncio

    from linli.identity.members import create_community
    from linli.platform import Platform
    from linli.settings import Settings

    env = {"LINLI_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}

    async def seed() -> None:
        platform = Platform.from_settings(Settings(database_url=env["LINLI_DATABASE_URL"]))
        await platform.start(migrate_first=True)
        await create_community("home", "Home")
        await platform.stop()

    asyncio.run(seed())
    runner = CliRunner(env=env)
    reconciled = runner.invoke(linli_cli, ["ledger", "reconcile", "home", "--json"])
    assert reconciled.exit_code == 0, reconciled.output
    assert reconciled.stdout.strip().endswith("[]")
    swept = runner.invoke(linli_cli, ["ledger", "sweep", "home"])
    assert "carried out 0 gateway intents" in swept.output
    paid = runner.invoke(linli_cli, ["ledger", "payouts", "home"])
    assert "0 payouts" in paid.output
    shown = runner.invoke(linli_cli, ["ledger", "statement", "home", "payable:leader:1", "--csv"])
    assert shown.exit_code == 0 and shown.output.startswith("at,kind,charge_id")
