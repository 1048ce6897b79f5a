"""The two apps bench/http_insert.py serves with uvicorn (``--factory --app-dir bench``).

``linli_app``: the real platform, configured from ``LINLI_DATABASE_URL`` (seeded beforehand).
``bare_app``: one Litestar POST route inserting the same notice row through the same
SerializedSQLiteEngine on ``BENCH_DB``, with the same input and output models, and nothing else.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from linli.db.sqlite import SerializedSQLiteEngine
from linli.http.app import create_app
from linli_noticeboard.plugin import NewNotice, Notice
from linli_noticeboard.tables import NoticeRow
from litestar import Litestar, post


def linli_app() -> Litestar:
    return create_app()


def bare_app() -> Litestar:
    engine = SerializedSQLiteEngine(path=os.environ["BENCH_DB"])
    NoticeRow._meta.db = engine

    @post("/notices", status_code=200)
    async def post_notice(data: NewNotice) -> Notice:
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
        return Notice.model_validate(
            {k: v for k, v in row.to_dict().items() if k != "community_id"}
        )

    async def create_table() -> None:
        await NoticeRow.create_table(if_not_exists=True).run()

    return Litestar([post_notice], on_startup=[create_table], on_shutdown=[engine.close])
