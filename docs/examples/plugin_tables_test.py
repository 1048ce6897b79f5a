"""Testing a plugin that has tables: the notice board, through the kit, on a SQLite file.

The kit's host is in memory, but a plugin's own tables need a database. Bind them to a fresh
SQLite file per test and create them there; everything else is the kit as usual.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from linli_noticeboard import plugin as noticeboard
from linli_noticeboard.tables import NoticeRow
from linli_sdk import Conflict, Role
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import create_db_tables


@pytest.fixture
async def board_db(tmp_path, monkeypatch):
    """The plugin's tables on a fresh SQLite file, for this test only."""
    engine = SQLiteEngine(path=str(tmp_path / "plugin.db"))
    monkeypatch.setattr(NoticeRow._meta, "_db", engine)  # the engine the table uses
    await create_db_tables(NoticeRow)
    return engine


async def test_a_leader_posts_and_a_resident_reads(linli_kit, board_db):
    kit = linli_kit(noticeboard)
    wang = kit.add_member("Leader Wang", Role.LEADER, Role.RESIDENT)
    chen = kit.add_member("Resident Chen", Role.RESIDENT)

    posted = await kit.call("post-notice", {"title": "Water off Tuesday"}, as_=wang)
    board = await kit.call("list-notices", {}, as_=chen)

    assert [n.title for n in board.items] == ["Water off Tuesday"]
    assert posted.author_id == wang.id
    (event,) = kit.host.events.published
    assert event.type == "noticeboard.notice_posted"


async def test_notices_expire_on_the_kits_clock(linli_kit, board_db):
    kit = linli_kit(noticeboard)
    await kit.enable({"expiry_days": 1})
    wang = kit.add_member("Leader Wang", Role.LEADER)

    await kit.call("post-notice", {"title": "Lift maintenance today"}, as_=wang)
    await kit.advance(timedelta(days=2))

    assert (await kit.call("list-notices", {}, as_=wang)).items == []


async def test_the_pinned_limit_comes_from_the_settings(linli_kit, board_db):
    kit = linli_kit(noticeboard)
    await kit.enable({"max_pinned": 1})
    wang = kit.add_member("Leader Wang", Role.LEADER)

    await kit.call("post-notice", {"title": "Pinned", "pinned": True}, as_=wang)
    with pytest.raises(Conflict):
        await kit.call("post-notice", {"title": "Also pinned", "pinned": True}, as_=wang)
