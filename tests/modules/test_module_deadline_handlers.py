"""Deadlines routed by declared pattern on the platform: fields parsed, unknown keys refused."""

from __future__ import annotations

import logging
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from linli.dispatch.tables import OutboxEvent, ScheduledDeadline
from linli.modules.registry import ENTRY_POINT_GROUP, load_modules
from linli.settings import Settings

BASE = "/v1/communities/home/modules/notes"
PLUGINS = Path(__file__).parent / "plugins"


async def test_a_due_deadline_reaches_its_handler_with_the_keys_fields(
    start_platform, notes_plugin
):
    import linli_modules_notes

    async with start_platform() as running:
        await running.enable("notes")
        armed = await running.client.post(
            f"{BASE}/arm", json={"key": "remind:7"}, headers=running.auth("resident")
        )
        assert armed.status_code == 200, armed.text
        assert await running.platform.worker.run_once()
        assert linli_modules_notes.REMINDED == [(7, {"why": "test"})]
        (row,) = await ScheduledDeadline.select().where(ScheduledDeadline.module == "notes")
        assert (row["key"], row["status"]) == ("remind:7", "done")
        events = await OutboxEvent.select(OutboxEvent.type).where(OutboxEvent.module == "notes")
        assert [e["type"] for e in events] == ["notes.reminded"]


@pytest.mark.parametrize(
    ("key", "why"),
    [("bogus:7", "matches none of the module's patterns"), ("remind:seven", "valid integer")],
)
async def test_a_key_no_handler_takes_is_refused_when_scheduled(
    start_platform, notes_plugin, key, why
):
    failures: list[logging.LogRecord] = []
    catch = logging.Handler()
    catch.emit = failures.append  # type: ignore[method-assign]
    logging.getLogger("linli.modules.calls").addHandler(catch)
    async with start_platform() as running:
        await running.enable("notes")
        armed = await running.client.post(
            f"{BASE}/arm", json={"key": key}, headers=running.auth("resident")
        )
        assert armed.status_code == 500  # a bug in the module, logged with the reason
        assert armed.json()["type"].endswith("module-failed")
        logging.getLogger("linli.modules.calls").removeHandler(catch)
        assert any(why in str(r.exc_info[1]) for r in failures if r.exc_info)
        assert await ScheduledDeadline.count().where(ScheduledDeadline.module == "notes") == 0


def test_a_module_with_handlers_and_the_deadline_hook_is_refused(monkeypatch):
    monkeypatch.syspath_prepend(str(PLUGINS))
    point = EntryPoint(name="both", value="linli_modules_both", group=ENTRY_POINT_GROUP)
    registry = load_modules(Settings(), [point])
    assert "both" not in registry.modules
    (refusal,) = registry.refused
    assert "declares deadline handlers and implements linli_deadline_reached" in refusal.reason
