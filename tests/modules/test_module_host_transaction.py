"""``host.transaction()`` on the platform: a savepoint inside the call's unit of work."""

from __future__ import annotations

from typing import Any

from linli.db.runtime import current_engine
from linli.dispatch.tables import OutboxEvent, ScheduledDeadline
from linli.settlement.tables import SettlementCharge

BASE = "/v1/communities/home/modules/notes"


async def _start(running: Any) -> Any:
    import linli_modules_notes

    linli_modules_notes.NoteRow._meta.db = current_engine()
    await linli_modules_notes.NoteRow.create_table(if_not_exists=True)
    await running.enable("notes")
    return linli_modules_notes


async def _outbox() -> list[str]:
    rows = await OutboxEvent.select(OutboxEvent.type).where(OutboxEvent.module == "notes")
    return sorted(row["type"] for row in rows)


async def test_a_failed_block_is_undone_alone_and_its_events_never_delivered(
    start_platform, notes_plugin, any_database
):
    async with start_platform(database_url=any_database) as running:
        notes = await _start(running)
        answer = await running.client.post(
            f"{BASE}/note",
            json={"text": "a", "fail_inside": True},
            headers=running.auth("resident"),
        )
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"texts": ["a-kept"]}
        assert await _outbox() == ["notes.kept"]
        assert await ScheduledDeadline.count().where(ScheduledDeadline.module == "notes") == 0
        assert notes.HEARD == ["notes.kept"]


async def test_a_completed_block_commits_with_the_call(start_platform, notes_plugin):
    async with start_platform() as running:
        notes = await _start(running)
        answer = await running.client.post(
            f"{BASE}/note", json={"text": "b"}, headers=running.auth("resident")
        )
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"texts": ["b-kept", "b-tried"]}
        assert await _outbox() == ["notes.kept", "notes.tried"]
        keys = await ScheduledDeadline.select(ScheduledDeadline.key).where(
            ScheduledDeadline.module == "notes"
        )
        assert [row["key"] for row in keys] == ["remind:1"]
        assert sorted(notes.HEARD) == ["notes.kept", "notes.tried"]


async def test_a_charge_in_a_failed_block_never_reaches_the_gateway(start_platform, notes_plugin):
    async with start_platform() as running:
        await _start(running)
        settlement, resident = running.platform.settlement, running.auth("resident")
        refused = await running.client.post(
            f"{BASE}/pay", json={"order_ref": "o-1", "fail_inside": True}, headers=resident
        )
        assert refused.status_code == 200, refused.text
        assert refused.json() == {"charge_id": None}
        await settlement.idle()
        assert await settlement.gateway.outcomes(f"linli-c{running.home.id}-") == {}  # type: ignore[attr-defined]
        assert await SettlementCharge.count().where(SettlementCharge.module == "notes") == 0

        paid = await running.client.post(f"{BASE}/pay", json={"order_ref": "o-2"}, headers=resident)
        assert paid.status_code == 200, paid.text
        await settlement.idle()
        assert len(await settlement.gateway.outcomes(f"linli-c{running.home.id}-")) == 1  # type: ignore[attr-defined]
