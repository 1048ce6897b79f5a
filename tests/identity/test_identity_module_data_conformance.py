"""The kit and the platform agree on a module's part of an export and on its erasure.

The same steps run on the SDK's kit (``kit.export_member``, ``kit.erase_member``) and on a
started platform over HTTP (``GET /me/export``, ``DELETE /me``); the module's section and what
its erasure reports must read the same on both.
"""

from __future__ import annotations

from typing import Any

import pytest
from identity_helpers import verified_resident
from linli_sdk import Role
from linli_sdk.testing import PluginKit

pytestmark = pytest.mark.usefixtures("fixture_plugins")

HOME = "/v1/communities/home"


async def on_the_kit() -> tuple[list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
    import linli_fixture_probe as probe

    kit = PluginKit(probe)
    resident = kit.add_member("Chen", Role.RESIDENT)
    await kit.call("say", {"text": "hi"}, as_=resident)
    before = await kit.export_member(resident)
    erased = (await kit.erase_member(resident)).model_dump()
    return before, erased, await kit.export_member(resident)


async def on_the_platform(
    start_platform: Any,
) -> tuple[list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
    async with start_platform(modules=["probe"]) as running:
        http = running.client
        me, _ = await verified_resident(running, national_id=None)
        await http.post(f"{HOME}/modules/probe/say", json={"text": "hi"}, headers=me)

        async def section() -> list[dict[str, Any]]:
            exported = (await http.get(f"{HOME}/me/export", headers=me)).json()
            (probe,) = [s for s in exported["modules"] if s["module"] == "probe"]
            records: list[dict[str, Any]] = probe["records"]
            return records

        before = await section()
        answer = (await http.delete(f"{HOME}/me", headers=me)).json()
        (erased,) = [m for m in answer["modules"] if m["module"] == "probe"]
        after = await section()
    return before, {k: erased[k] for k in ("erased", "kept")}, after


async def test_the_kit_and_the_platform_give_the_same_section_and_erasure(start_platform):
    import linli_fixture_probe as probe

    kit = await on_the_kit()
    probe.SAID.clear()
    platform = await on_the_platform(start_platform)

    assert kit == platform
    before, erased, after = kit
    assert before[0]["records"] == [{"text": "hi"}] and after[0]["records"] == []
    assert erased["erased"] == 1
