"""Trying a write and undoing just that part: ``host.transaction()`` in a book-sharing shelf.

A resident asks for several books in order of preference; the module lends the first one still
on the shelf. Each attempt runs in a nested transaction: a book already out raises inside it,
which undoes that attempt's loan row and event, and the loop tries the next book.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from linli_sdk import Conflict, Context, Manifest, Role, command
from piccolo.columns import Integer, Varchar
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table
from pydantic import BaseModel, Field


class Loan(Table, tablename="shelf_loan"):
    community_id = Integer(index=True)
    book = Varchar(length=80)
    member_id = Integer()


APP_CONFIG = SimpleNamespace(table_classes=[Loan])  # a real module: an AppConfig in piccolo_app.py


class Borrow(BaseModel):
    books: list[str] = Field(min_length=1, description="Wanted books, the favourite first.")


class Borrowed(BaseModel):
    book: str


@command(Role.RESIDENT)
async def borrow(ctx: Context[BaseModel], data: Borrow) -> Borrowed:
    """Borrow the first of the wanted books that is still on the shelf."""
    community = ctx.community.id
    for book in data.books:
        try:
            async with ctx.host.transaction():
                await Loan.insert(
                    Loan(community_id=community, book=book, member_id=ctx.caller.member_id)
                )
                await ctx.host.events.publish("borrowed", {"book": book})
                lent = await Loan.count().where(
                    (Loan.community_id == community) & (Loan.book == book)
                )
                if lent > 1:
                    raise Conflict(f"{book} is out")  # undoes this attempt only
        except Conflict:
            continue
        return Borrowed(book=book)
    raise Conflict("every book you asked for is out")


shelf = SimpleNamespace(
    manifest=Manifest(
        name="shelf",
        version="1.0.0",
        sdk=">=0.1",
        title="Book-sharing shelf (共享书架)",
        operations=(borrow,),
        piccolo_app=__name__,
    )
)


@pytest.fixture
async def shelf_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Loan._meta, "_db", SQLiteEngine(path=str(tmp_path / "shelf.db")))
    await Loan.create_table()


async def test_a_book_already_out_is_skipped_and_leaves_no_trace(linli_kit, shelf_db):
    kit = linli_kit(shelf)
    chen = kit.add_member("Chen", Role.RESIDENT)
    li = kit.add_member("Li", Role.RESIDENT)

    assert (await kit.call("borrow", {"books": ["三体"]}, as_=chen)).book == "三体"
    assert (await kit.call("borrow", {"books": ["三体", "活着"]}, as_=li)).book == "活着"

    loans = await Loan.select(Loan.book, Loan.member_id).order_by(Loan.id)
    assert loans == [{"book": "三体", "member_id": chen.id}, {"book": "活着", "member_id": li.id}]
    assert [e.payload["book"] for e in kit.host.events.published] == ["三体", "活着"]
