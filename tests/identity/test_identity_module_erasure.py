"""Modules in a person's export and erasure: each module's part, each in its own transaction.

A module whose erasure raises is reported by name, nothing it did sticks, and the person's
own account is kept so that erasing again (which retries every module) can finish the job.
"""

from __future__ import annotations

import pytest
from identity_helpers import verified_resident

pytestmark = pytest.mark.usefixtures("fixture_plugins")

HOME = "/v1/communities/home"


async def test_a_module_that_fails_to_erase_is_reported_and_erasing_again_finishes(
    start_platform,
):
    import linli_fixture_probe as probe

    async with start_platform(modules=["probe"]) as running:
        http = running.client
        me, member_id = await verified_resident(running, national_id=None)
        said = await http.post(f"{HOME}/modules/probe/say", json={"text": "hi"}, headers=me)
        assert said.status_code == 200, said.text

        exported = (await http.get(f"{HOME}/me/export", headers=me)).json()
        (section,) = [s for s in exported["modules"] if s["module"] == "probe"]
        assert section["community"] == "home"
        assert section["records"] == [
            {
                "kind": "said",
                "description": "What you said through the probe.",
                "records": [{"text": "hi"}],
            }
        ]

        probe.ERASURE_FAILS.append(True)
        first = await http.delete(f"{HOME}/me", headers=me)
        assert first.status_code == 200, first.text
        assert first.json()["erased"] is False
        failed = [m for m in first.json()["modules"] if m["failed"]]
        assert [(m["module"], m["community"]) for m in failed] == [("probe", "home")]
        assert "cannot forget" in failed[0]["failed"]
        assert any(not m["failed"] for m in first.json()["modules"])  # the others did theirs
        await running.platform.worker.run_once()
        assert ("event:probe.forgot", "home") not in probe.HOOKS  # its event rolled back
        still = await http.get(f"{HOME}/me", headers=me)  # the account waits for a second run
        assert still.status_code == 200 and still.json()["phone"] == "13912345678"
        assert probe.SAID == {member_id: ["hi"]}

        probe.ERASURE_FAILS.clear()
        second = await http.delete(f"{HOME}/me", headers=me)
        assert second.status_code == 200, second.text
        assert second.json()["erased"] is True
        (done,) = [m for m in second.json()["modules"] if m["module"] == "probe"]
        assert (done["erased"], done["failed"]) == (1, None)
        assert probe.SAID == {}
        gone = await http.get(f"{HOME}/members/{member_id}", headers=running.auth("operator"))
        assert gone.json()["display_name"] == f"erased member {member_id}"
        assert gone.json()["phone"] is None
