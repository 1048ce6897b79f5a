"""A new charge and its first gateway intent are written together, once per order.

On PostgreSQL they are one statement (a data-modifying ``WITH``), on SQLite two; either way the
intent handed back for carrying out after commit is the row as stored, and the same order
charged again writes neither a charge nor an intent.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from linli.settlement import charge_store
from linli.settlement.keys import intent_key
from linli.settlement.tables import GatewayIntent, SettlementCharge

FIELDS = ("id", "community", "charge", "key", "action", "refund_ref", "amount", "reason", "state")


def _charge(community_id: int, order_ref: str, amount: int) -> dict:
    return {
        "community": community_id,
        "module": "shop",
        "order_ref": order_ref,
        "charge_key": f"{community_id}:shop:{order_ref}",
        "payer_id": 1,
        "payees": {},
        "currency": "CNY",
        "amount": amount,
        "rules": json.dumps({"shares": []}),
        "gateway": "sandbox",
        "created_at": datetime.now(UTC),
        "expires_at": None,
    }


@pytest.mark.parametrize("action", ["charge", "authorize"])
async def test_a_new_charge_comes_with_its_pending_intent_once(
    start_platform, any_database, action
) -> None:
    async with start_platform(database_url=any_database) as running:
        home = running.home.id
        opened = await charge_store.open_charge(_charge(home, "o-1", 1990), action)
        assert opened is not None
        charge_id, intent = opened
        assert intent is not None
        assert intent["key"] == intent_key(home, charge_id, action)
        assert (intent["charge"], intent["amount"], intent["outcome"]) == (charge_id, 1990, {})
        (stored,) = await charge_store.pending_intents(home, charge_id)
        assert {k: stored[k] for k in FIELDS} == {k: intent[k] for k in FIELDS}
        assert stored["outcome"] == {}

        assert await charge_store.open_charge(_charge(home, "o-1", 1990), action) is None
        assert await SettlementCharge.count() == 1
        assert await GatewayIntent.count() == 1

        second = await charge_store.open_charge(_charge(home, "o-2", 500), action)
        assert second is not None and second[0] != charge_id
        assert await GatewayIntent.count() == 2
