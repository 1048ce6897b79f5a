"""The notice board: leaders and operators post notices; every member reads them.

The entry point ``linli.plugins: noticeboard`` names this module: its ``manifest`` and its
hook implementations are what the platform loads.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from linli_sdk import (
    Conflict,
    Context,
    Document,
    Host,
    Manifest,
    MemberErasure,
    MemberRecords,
    NotFound,
    Role,
    command,
    csv_document,
    hookimpl,
    query,
)
from piccolo.custom_types import Combinable
from pydantic import BaseModel, Field

from .tables import NoticeRow

__all__ = ["manifest"]


class NoticeboardSettings(BaseModel):
    """What an operator may set per community."""

    max_pinned: int = Field(default=3, ge=0, le=20, description="How many notices may be pinned.")
    expiry_days: int = Field(default=30, ge=1, le=365, description="Days a notice stays up.")


class NewNotice(BaseModel):
    """A notice to post."""

    title: str = Field(min_length=1, max_length=120)
    body: str = Field(default="", max_length=5000)
    pinned: bool = False


class Notice(BaseModel):
    """A posted notice."""

    id: int
    title: str
    body: str
    author_id: int | None
    pinned: bool
    posted_at: datetime
    expires_at: datetime


class NoticeList(BaseModel):
    """Notices, pinned first, newest first."""

    items: list[Notice]


class ListNotices(BaseModel):
    """Which notices to list."""

    limit: int = Field(default=20, ge=1, le=100)
    include_expired: bool = False


class NoticeRef(BaseModel):
    """One notice, by id."""

    id: int


Ctx = Context[NoticeboardSettings]


def _notice(row: dict[str, object]) -> Notice:
    return Notice.model_validate({k: v for k, v in row.items() if k != "community_id"})


@command(Role.LEADER, Role.OPERATOR)
async def post_notice(ctx: Ctx, data: NewNotice) -> Notice:
    """Post a notice to the community's board.

    Pinned notices stay on top; at most ``max_pinned`` may be pinned at once.
    """
    community = ctx.community.id
    if data.pinned:
        pinned = await NoticeRow.count().where(
            (NoticeRow.community_id == community)
            & (NoticeRow.pinned == True)  # noqa: E712
            & (NoticeRow.expires_at > ctx.now)
        )
        if pinned >= ctx.settings.max_pinned:
            raise Conflict(f"at most {ctx.settings.max_pinned} notices may be pinned")
    row = NoticeRow(
        community_id=community,
        title=data.title,
        body=data.body,
        author_id=ctx.caller.member_id,
        pinned=data.pinned,
        posted_at=ctx.now,
        expires_at=ctx.now + timedelta(days=ctx.settings.expiry_days),
    )
    await row.save()
    notice = _notice(row.to_dict())
    await ctx.host.events.publish("notice_posted", {"id": notice.id, "title": notice.title})
    return notice


@query(Role.MEMBER)
async def list_notices(ctx: Ctx, data: ListNotices) -> NoticeList:
    """List the board's notices, pinned first, newest first."""
    return await _notices(ctx, data)


async def _notices(ctx: Ctx, data: ListNotices) -> NoticeList:
    where: Combinable = NoticeRow.community_id == ctx.community.id
    if not data.include_expired:
        where &= NoticeRow.expires_at > ctx.now
    rows = (
        await NoticeRow.select()
        .where(where)
        .order_by(NoticeRow.pinned, NoticeRow.posted_at, NoticeRow.id, ascending=False)
        .limit(data.limit)
    )
    return NoticeList(items=[_notice(r) for r in rows])


@command(Role.LEADER, Role.OPERATOR)
async def remove_notice(ctx: Ctx, data: NoticeRef) -> Notice:
    """Take a notice down."""
    where = (NoticeRow.id == data.id) & (NoticeRow.community_id == ctx.community.id)
    row = await NoticeRow.select().where(where).first()
    if row is None:
        raise NotFound(f"there is no notice {data.id} in this community")
    await NoticeRow.delete().where(where)
    return _notice(row)


@query(Role.OPERATOR, Role.AUDITOR)
async def export_notices(ctx: Ctx, data: ListNotices) -> Document:
    """Download the board as CSV (for the community's records)."""
    notices = await _notices(ctx, data)
    rows = [
        [n.id, n.title, n.posted_at.isoformat(), n.expires_at.isoformat(), n.pinned]
        for n in notices.items
    ]
    # Titles are anyone's text: csv_document neutralises formulas (=HYPERLINK(...) and kin).
    return csv_document(
        [["id", "title", "posted_at", "expires_at", "pinned"], *rows],
        filename=f"notices-{ctx.community.slug}.csv",
    )


@hookimpl
async def linli_seed_demo(host: Host) -> None:
    """Put a welcome notice on the demo community's board."""
    now = datetime.now(UTC)
    await NoticeRow.insert(
        NoticeRow(
            community_id=host.community.id,
            title=f"欢迎来到{host.community.name} — welcome to {host.community.name}",
            body="Group buys, home services and bill payment, all from your neighbours.",
            pinned=True,
            posted_at=now,
            expires_at=now + timedelta(days=365),
        )
    )


@hookimpl
async def linli_member_data(host: Host, member_id: int) -> list[MemberRecords]:
    """The notices the member posted."""
    rows = await NoticeRow.select().where(
        (NoticeRow.community_id == host.community.id) & (NoticeRow.author_id == member_id)
    )
    return [MemberRecords.of("notices", "Notices you posted to the community's board.", rows)]


@hookimpl
async def linli_member_erased(host: Host, member_id: int) -> MemberErasure:
    """The member's notices stay on the board (they are the community's), no longer theirs."""
    rows = (
        await NoticeRow.update({NoticeRow.author_id: None})
        .where((NoticeRow.community_id == host.community.id) & (NoticeRow.author_id == member_id))
        .returning(NoticeRow.id)
    )
    return MemberErasure(erased=len(rows), kept="Their notices stay on the board, with no author.")


manifest = Manifest(
    name="noticeboard",
    version="0.1.0",
    sdk=">=1.1,<2",
    title="Notice board (公告栏)",
    description="Leaders and operators post notices; every member of the community reads them.",
    settings=NoticeboardSettings,
    operations=(post_notice, list_notices, remove_notice, export_notices),
    piccolo_app="linli_noticeboard.piccolo_app",
)
