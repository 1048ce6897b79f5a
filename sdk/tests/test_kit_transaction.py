"""``host.transaction()`` in the kit: a failed block leaves none of its rows nor host requests.

The plugin here keeps notes in its own Piccolo table (the test module is its Piccolo app), on a
fresh SQLite file per test, as a plugin's kit tests bind their tables.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from linli_sdk import Conflict, Context, Manifest, Role, command
from pydantic import BaseModel

piccolo_table = pytest.importorskip("piccolo.table")
from piccolo.columns import Integer, Varchar  # noqa: E402
from piccolo.engine.sqlite import SQLiteEngine  # noqa: E402


class KitNote(piccolo_table.Table, tablename="kit_transaction_note"):  # type: ignore[misc]
    community_id = Integer()
    text = Varchar(length=50)


APP_CONFIG = SimpleNamespace(table_classes=[KitNote])
"""This module is the plugin's Piccolo app: its one table."""


class Try(BaseModel):
    text: str
    fail_inside: bool = False


class Notes(BaseModel):
    texts: list[str]


async def _texts() -> list[str]:
    rows = await KitNote.select(KitNote.text).order_by(KitNote.id)
    return [row["text"] for row in rows]


@command(Role.RESIDENT)
async def note(ctx: Context[BaseModel], data: Try) -> Notes:
    """Keep one note, try a second (with an event and a deadline) in a nested transaction."""
    await KitNote.insert(KitNote(community_id=ctx.community.id, text=f"{data.text}-kept"))
    try:
        async with ctx.host.transaction():
            await KitNote.insert(KitNote(community_id=ctx.community.id, text=f"{data.text}-tried"))
            await ctx.host.events.publish("tried", {"text": data.text})
            await ctx.host.deadlines.schedule(data.text, ctx.now + timedelta(hours=1), {})
            if data.fail_inside:
                raise Conflict("the second note is refused")
    except Conflict:
        pass
    return Notes(texts=await _texts())


plugin = SimpleNamespace(
    manifest=Manifest(
        name="notes",
        version="1.0.0",
        sdk=">=0.1",
        title="Notes",
        operations=(note,),
        piccolo_app=__name__,
    )
)


@pytest.fixture
async def notes_db(tmp_path: Path) -> AsyncIterator[None]:
    KitNote._meta.db = SQLiteEngine(path=str(tmp_path / "notes.sqlite"))
    await KitNote.create_table()
    yield
    KitNote._meta._db = None


async def test_a_block_that_raises_leaves_none_of_its_rows_events_or_deadlines(notes_db, linli_kit):
    kit = linli_kit(plugin)
    resident = kit.add_member("Li", Role.RESIDENT)
    notes = await kit.call("note", {"text": "a", "fail_inside": True}, as_=resident)
    assert notes.texts == ["a-kept"]
    assert await _texts() == ["a-kept"]
    assert kit.host.events.published == []
    assert kit.host.deadlines.pending == {}


async def test_a_block_that_completes_keeps_its_rows_and_requests(notes_db, linli_kit):
    kit = linli_kit(plugin)
    resident = kit.add_member("Li", Role.RESIDENT)
    notes = await kit.call("note", {"text": "b"}, as_=resident)
    assert notes.texts == ["b-kept", "b-tried"]
    assert [e.type for e in kit.host.events.published] == ["notes.tried"]
    assert list(kit.host.deadlines.pending) == ["b"]


async def test_outside_a_transaction_the_block_is_one_and_rolls_back_alone(notes_db, linli_kit):
    kit = linli_kit(plugin)
    with pytest.raises(RuntimeError):
        async with kit.host.transaction():
            await KitNote.insert(KitNote(community_id=1, text="lost"))
            raise RuntimeError("undo")
    async with kit.host.transaction():
        await KitNote.insert(KitNote(community_id=1, text="kept"))
    assert await _texts() == ["kept"]


async def test_blocks_nest_and_an_inner_failure_undoes_only_the_inner_block(notes_db, linli_kit):
    kit = linli_kit(plugin)
    async with kit.host.transaction():
        await KitNote.insert(KitNote(community_id=1, text="outer"))
        with pytest.raises(Conflict):
            async with kit.host.transaction():
                await KitNote.insert(KitNote(community_id=1, text="inner"))
                await kit.host.events.publish("inner", {})
                raise Conflict("inner refused")
        await kit.host.events.publish("outer", {})
    assert await _texts() == ["outer"]
    assert [e.type for e in kit.host.events.published] == ["notes.outer"]


async def test_a_module_without_tables_gets_its_host_requests_undone(linli_kit):
    kit = linli_kit(
        SimpleNamespace(manifest=Manifest(name="bare", version="1", sdk=">=0.1", title="Bare"))
    )
    with pytest.raises(Conflict):
        async with kit.host.transaction():
            await kit.host.events.publish("gone", {})
            raise Conflict("no")
    assert kit.host.events.published == []
