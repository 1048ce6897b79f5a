"""A test plugin for the module host: notes in its own table, tried in nested transactions.

Its table is not a Piccolo app's (no migration): the tests bind it to the platform's engine
and create it. ``HEARD`` records the events its ``linli_event`` hook received.
"""

from __future__ import annotations

from datetime import timedelta

from linli_sdk import Conflict, Context, Event, Host, Manifest, Role, command, hookimpl
from piccolo.columns import Integer, Varchar
from piccolo.table import Table
from pydantic import BaseModel

HEARD: list[str] = []


class NoteRow(Table, tablename="notes_note"):
    """A note kept by the test plugin."""

    community_id = Integer()
    text = Varchar(length=50)


class Try(BaseModel):
    text: str
    fail_inside: bool = False


class Notes(BaseModel):
    texts: list[str]


@command(Role.RESIDENT)
async def note(ctx: Context[BaseModel], data: Try) -> Notes:
    """Keep one note; try a second, with an event and a deadline, in a nested transaction."""
    community = ctx.community.id
    await NoteRow.insert(NoteRow(community_id=community, text=f"{data.text}-kept"))
    await ctx.host.events.publish("kept", {"text": data.text})
    try:
        async with ctx.host.transaction():
            await NoteRow.insert(NoteRow(community_id=community, text=f"{data.text}-tried"))
            await ctx.host.events.publish("tried", {"text": data.text})
            await ctx.host.deadlines.schedule(data.text, ctx.now + timedelta(hours=1), {})
            if data.fail_inside:
                raise Conflict("the second note is refused")
    except Conflict:
        pass
    rows = await NoteRow.select(NoteRow.text).where(NoteRow.community_id == community)
    return Notes(texts=sorted(row["text"] for row in rows))


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
    HEARD.append(event.type)


manifest = Manifest(
    name="notes",
    version="1.0.0",
    sdk=">=0.1,<0.2",
    title="Notes",
    description="Module host test plugin.",
    operations=(note,),
)
