"""The two apps bench/http_insert.py serves with uvicorn (``--factory --app-dir bench``).

``linli_app``: the real platform, configured from ``LINLI_DATABASE_URL`` (seeded beforehand).
``bare_app``: one Litestar POST route inserting the same notice row through the same
SerializedSQLiteEngine on ``BENCH_DB``, with the same input and output models, and nothing else.
``floor_app``: the bare route plus the least that the platform must do for any command, each
step written as directly as it can be: the bearer token hashed and looked up in a dict, the
module's enablement looked up in a dict, the input boundary's middleware, and the notice and its
event's outbox row written in one transaction. What the platform spends above this is its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from linli.db.sqlite import SerializedSQLiteEngine
from linli.http.app import create_app
from linli.http.boundary import input_boundary
from linli_noticeboard.plugin import NewNotice, Notice
from linli_noticeboard.tables import NoticeRow
from litestar import Litestar, Request, post
from litestar.exceptions import NotAuthorizedException


def linli_app() -> Litestar:
    return create_app()


def _engine() -> SerializedSQLiteEngine:
    engine = SerializedSQLiteEngine(path=os.environ["BENCH_DB"])
    NoticeRow._meta.db = engine
    return engine


async def _insert_notice(data: NewNotice) -> Notice:
    now = datetime.now(UTC)
    row = NoticeRow(
        community_id=1,
        title=data.title,
        body=data.body,
        author_id=1,
        pinned=data.pinned,
        posted_at=now,
        expires_at=now + timedelta(days=30),
    )
    await row.save()
    return Notice.model_validate({k: v for k, v in row.to_dict().items() if k != "community_id"})


async def _create_notices() -> None:
    await NoticeRow.create_table(if_not_exists=True).run()


def bare_app() -> Litestar:
    engine = _engine()

    @post("/notices", status_code=200)
    async def post_notice(data: NewNotice) -> Notice:
        return await _insert_notice(data)

    return Litestar([post_notice], on_startup=[_create_notices], on_shutdown=[engine.close])


_OUTBOX = (
    "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY, community INTEGER NOT NULL, "
    "event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, occurred TEXT NOT NULL, "
    "payload TEXT NOT NULL, status TEXT NOT NULL)"
)
_RECORD = (
    "INSERT INTO outbox (community, event_id, type, occurred, payload, status) "
    "VALUES ({}, {}, {}, {}, {}, 'fanned')"
)


def floor_app() -> Litestar:
    engine = _engine()
    members = {hashlib.sha256(os.environ["BENCH_TOKEN"].encode()).hexdigest(): ("bench", 1)}
    enabled = {("bench", "noticeboard"): True}

    @post("/v1/communities/{community:str}/notices", status_code=200)
    async def post_notice(
        request: Request[Any, Any, Any], community: str, data: NewNotice
    ) -> Notice:
        scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
        member = members.get(hashlib.sha256(token.encode()).hexdigest())
        if scheme.lower() != "bearer" or member is None or member[0] != community:
            raise NotAuthorizedException("the token is not valid")
        if not enabled.get((community, "noticeboard")):
            raise NotAuthorizedException("the notice board is not enabled")
        async with engine.transaction():
            notice = await _insert_notice(data)
            payload = json.dumps({"id": notice.id, "title": notice.title})
            occurred = datetime.now(UTC).isoformat()
            args = [1, str(uuid.uuid4()), "noticeboard.notice_posted", occurred, payload]
            await engine.fetch_sql(_RECORD, args)
        return notice

    async def create_tables() -> None:
        await _create_notices()
        await engine.fetch_sql(_OUTBOX, [])

    return Litestar(
        [post_notice],
        middleware=[input_boundary],  # type: ignore[list-item]
        on_startup=[create_tables],
        on_shutdown=[engine.close],
    )
