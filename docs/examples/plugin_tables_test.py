"""Testing a plugin that has tables: the notice board, through the kit, on a SQLite file.

The kit's host is in memory, but a plugin's own tables need a database. ``linli_module_db``
binds them to a fresh SQLite file per test and runs the module's own shipped migrations there
(so a broken migration fails here first); everything else is the kit as usual.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from linli_noticeboard import plugin as noticeboard
from linli_noticeboard.tables import NoticeRow
from linli_sdk import Conflict, InvalidInput, Role


@pytest.fixture
def kit(linli_kit, linli_module_db):
    """The notice board in the kit, its table on a fresh, migrated SQLite file."""
    linli_module_db(noticeboard)
    return linli_kit(noticeboard)


async def test_a_leader_posts_and_a_resident_reads(kit):
    wang = kit.add_member("Leader Wang", Role.LEADER, Role.RESIDENT)
    chen = kit.add_member("Resident Chen", Role.RESIDENT)

    posted = await kit.call("post-notice", {"title": "Water off Tuesday"}, as_=wang)
    board = await kit.call("list-notices", {}, as_=chen)

    assert [n.title for n in board.items] == ["Water off Tuesday"]
    assert posted.author_id == wang.id
    (event,) = kit.host.events.published
    assert event.type == "noticeboard.notice_posted"


async def test_notices_expire_on_the_kits_clock(kit):
    await kit.enable({"expiry_days": 1})
    wang = kit.add_member("Leader Wang", Role.LEADER)

    await kit.call("post-notice", {"title": "Lift maintenance today"}, as_=wang)
    await kit.advance(timedelta(days=2))

    assert (await kit.call("list-notices", {}, as_=wang)).items == []


async def test_the_pinned_limit_comes_from_the_settings(kit):
    await kit.enable({"max_pinned": 1})
    wang = kit.add_member("Leader Wang", Role.LEADER)

    await kit.call("post-notice", {"title": "Pinned", "pinned": True}, as_=wang)
    with pytest.raises(Conflict):
        await kit.call("post-notice", {"title": "Also pinned", "pinned": True}, as_=wang)

    assert await NoticeRow.count() == 1  # the refused notice was not stored


async def test_bad_input_names_the_field_as_the_platform_does(kit):
    wang = kit.add_member("Leader Wang", Role.LEADER)

    with pytest.raises(InvalidInput) as refused:
        await kit.call("post-notice", {"title": ""}, as_=wang)

    assert [error["field"] for error in refused.value.extensions["errors"]] == ["title"]
