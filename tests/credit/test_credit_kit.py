"""The test kit's credit port: bounds refused like the platform, standings a test sets."""

from __future__ import annotations

import importlib

import pytest
from linli_sdk import CreditStanding, InvalidInput, Role
from linli_sdk.testing import PluginKit


@pytest.fixture
def kit(credit_probe) -> PluginKit:
    return PluginKit(importlib.import_module("linli_credit_probe"))


async def test_the_kit_refuses_what_the_platform_refuses_and_answers_standings(kit):
    operator = kit.add_member("Op", Role.OPERATOR)
    neighbour = kit.add_member("Li", Role.RESIDENT)
    with pytest.raises(InvalidInput, match="outside the declared"):
        await kit.call(
            "emit",
            {"member_id": neighbour.id, "event": "helped", "weight": 21, "event_id": "x"},
            as_=operator,
        )
    assert kit.host.credit.events == {}
    base = await kit.call("standing", {"member_id": neighbour.id}, as_=neighbour)
    assert base == CreditStanding(
        score=600, tier="standard", pay_after_service=False, deposits_waived=False, suspended=False
    )
    trusted = CreditStanding(
        score=720, tier="trusted", pay_after_service=True, deposits_waived=True, suspended=False
    )
    kit.host.credit.standings[neighbour.id] = trusted
    assert await kit.call("standing", {"member_id": neighbour.id}, as_=neighbour) == trusted
