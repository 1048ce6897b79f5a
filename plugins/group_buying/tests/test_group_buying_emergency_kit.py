"""Group buying during an emergency: non-essential campaigns pause, essential ones go on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from group_buying_kit_helpers import Community
from linli_sdk import Conflict


async def test_an_emergency_pauses_joins_of_non_essential_campaigns_until_it_ends(gb: Community):
    treats = await gb.open(title="Cherries")
    rice = await gb.open(title="Rice 10 kg", essential=True)
    assert (treats.essential, rice.essential) == (False, True)
    await gb.join(gb.residents[0], treats)  # before the emergency: open as usual
    lockdown = await gb.kit.declare_emergency(
        "epidemic", ends_at=gb.kit.clock + timedelta(hours=6), notes="stay at home"
    )
    with pytest.raises(Conflict) as paused:
        await gb.join(gb.residents[1], treats)
    assert paused.value.extensions == {"reason": "paused_for_emergency", "emergency": lockdown.id}
    assert "epidemic" in str(paused.value)
    order = await gb.join(gb.residents[1], rice)  # essential goods go on
    assert order.quantity == 1
    await gb.kit.advance(timedelta(hours=6))  # the planned end passed
    await gb.join(gb.residents[2], treats)
    again = await gb.kit.declare_emergency("flood")
    with pytest.raises(Conflict):
        await gb.join(gb.residents[3], treats)
    await gb.kit.end_emergency(again.id)
    await gb.join(gb.residents[3], treats)
    assert (await gb.kit.host.emergency.current()) is None
