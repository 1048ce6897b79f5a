"""Tests for the thanks plugin, with the SDK's kit: no platform, no database, no HTTP.

In a package of your own this file would be ``tests/test_plugin.py`` and the import would be
``from linli_thanks import plugin as thanks``. The ``linli_kit`` fixture comes with
``linli-sdk`` (a pytest plugin); asynchronous tests need pytest-asyncio (``asyncio_mode =
"auto"``).
"""

from __future__ import annotations

import asyncio

import plugin_minimal as thanks
import pytest
from linli_sdk import Forbidden, InvalidInput, NotFound, Role


async def test_a_resident_thanks_a_neighbour_who_earns_credit(linli_kit):
    kit = linli_kit(thanks)
    chen = kit.add_member("Resident Chen", Role.RESIDENT)
    liu = kit.add_member("Resident Liu", Role.RESIDENT)

    said = await kit.call(
        "say-thanks", {"to_member_id": liu.id, "message": "谢谢 for the ladder"}, as_=chen
    )

    assert said.to == "Resident Liu"
    (event,) = kit.host.events.published
    assert event.type == "thanks.thanked"
    assert event.payload == {"from": chen.id, "to": liu.id, "message": "谢谢 for the ladder"}
    # kit.call delivered the event to the plugin's linli_event hook, which emitted credit
    assert kit.host.credit.events == {event.id: (liu.id, "thanked", 1)}


async def test_only_residents_may_thank(linli_kit):
    kit = linli_kit(thanks)
    newcomer = kit.add_member("Newcomer Zhao")  # a member, not a verified resident
    liu = kit.add_member("Resident Liu", Role.RESIDENT)

    with pytest.raises(Forbidden):
        await kit.call("say-thanks", {"to_member_id": liu.id, "message": "hi"}, as_=newcomer)
    assert kit.host.events.published == []


async def test_the_settings_bound_a_message(linli_kit):
    kit = linli_kit(thanks)
    await kit.enable({"max_message_length": 10})
    chen = kit.add_member("Resident Chen", Role.RESIDENT)
    liu = kit.add_member("Resident Liu", Role.RESIDENT)

    with pytest.raises(InvalidInput) as refused:
        await kit.call("say-thanks", {"to_member_id": liu.id, "message": "x" * 11}, as_=chen)
    assert refused.value.extensions == {"field": "message"}


async def test_thanking_nobody_or_yourself_is_refused(linli_kit):
    kit = linli_kit(thanks)
    chen = kit.add_member("Resident Chen", Role.RESIDENT)

    with pytest.raises(NotFound):
        await kit.call("say-thanks", {"to_member_id": 99, "message": "hi"}, as_=chen)
    with pytest.raises(InvalidInput):
        await kit.call("say-thanks", {"to_member_id": chen.id, "message": "me"}, as_=chen)


async def test_every_member_may_look_a_neighbour_up(linli_kit):
    kit = linli_kit(thanks)
    newcomer = kit.add_member("Newcomer Zhao")
    liu = kit.add_member("Resident Liu", Role.RESIDENT, phone_masked="135****1357")

    found = await kit.call("neighbour", {"member_id": liu.id}, as_=newcomer)

    assert found.model_dump() == {"id": liu.id, "display_name": "Resident Liu", "verified": True}


async def test_the_card_is_a_text_file(linli_kit):
    kit = linli_kit(thanks)
    chen = kit.add_member("Resident Chen", Role.RESIDENT)
    liu = kit.add_member("Resident Liu", Role.RESIDENT)

    card = await kit.call("thank-you-card", {"member_id": liu.id}, as_=chen)

    assert card.media_type == "text/plain"
    assert card.filename == f"thanks-{liu.id}.txt"
    assert card.content.decode().startswith("Thank you, Resident Liu!")


async def test_a_stream_shows_a_neighbour_and_then_each_change(linli_kit):
    kit = linli_kit(thanks)
    chen = kit.add_member("Resident Chen", Role.RESIDENT)
    zhao = kit.add_member("Newcomer Zhao", verified=False)

    async def verify_zhao_soon() -> None:
        await asyncio.sleep(0.05)
        members = kit.host.members.members
        members[zhao.id] = members[zhao.id].model_copy(update={"verified": True})

    verifying = asyncio.create_task(verify_zhao_soon())
    seen = await kit.stream(
        "watch-neighbour", {"member_id": zhao.id, "every_seconds": 0.01, "updates": 2}, as_=chen
    )
    await verifying

    assert [n.verified for n in seen] == [False, True]
