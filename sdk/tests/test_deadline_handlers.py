"""Deadline handlers: keys routed by declared pattern, fields parsed, unknown keys refused."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from linli_sdk import (
    Context,
    Deadline,
    DeadlineKeyError,
    Host,
    Manifest,
    Role,
    command,
    hookimpl,
    on_deadline,
)
from pydantic import BaseModel, ValidationError

HEARD: list[tuple[str, object, object]] = []


@on_deadline("close:{campaign_id}")
async def close_at(host: Host, deadline: Deadline, campaign_id: int) -> None:
    """Close the campaign."""
    HEARD.append(("close", campaign_id, deadline.payload))


@on_deadline("remind:{day}:{who}")
async def remind(host: Host, deadline: Deadline, who: str, day: date) -> None:
    HEARD.append(("remind", day, who))


@on_deadline("fail:{n}")
async def fail(host: Host, deadline: Deadline, n: int) -> None:
    raise RuntimeError(f"failed {n}")


class Arm(BaseModel):
    key: str
    minutes: int = 1


class Armed(BaseModel):
    key: str


@command(Role.RESIDENT)
async def arm(ctx: Context[BaseModel], data: Arm) -> Armed:
    """Schedule the deadline ``key`` (the test says which)."""
    due = ctx.now + timedelta(minutes=data.minutes)
    await ctx.host.deadlines.schedule(data.key, due, {"note": "hi"})
    return Armed(key=data.key)


def _plugin(*handlers: object, **extra: object) -> SimpleNamespace:
    manifest = Manifest(
        name="timers",
        version="1.0.0",
        sdk=">=0.1",
        title="Timers",
        operations=(arm,),
        deadline_handlers=handlers,
    )
    return SimpleNamespace(manifest=manifest, **extra)


@pytest.fixture(autouse=True)
def _heard():
    HEARD.clear()


# --- the pattern ---------------------------------------------------------------------------


def test_a_key_is_built_and_read_back_with_the_handlers_types():
    assert close_at.key(campaign_id=7) == "close:7"
    assert close_at.match("close:7") == {"campaign_id": 7}
    assert close_at.match("open:7") is None
    assert close_at.match("close:7:8") is None
    key = remind.key(day=date(2026, 3, 1), who="chen")
    assert key == "remind:2026-03-01:chen"
    assert remind.match(key) == {"day": date(2026, 3, 1), "who": "chen"}


def test_a_field_that_does_not_convert_is_a_clear_error():
    with pytest.raises(DeadlineKeyError, match=r"close:x.*campaign_id 'x'.*valid integer"):
        close_at.match("close:x")


def test_a_key_that_would_not_read_back_is_refused():
    with pytest.raises(DeadlineKeyError, match="do not make a key"):
        remind.key(day=date(2026, 3, 1), who="a:b")
    with pytest.raises(DeadlineKeyError, match="takes the fields campaign_id"):
        close_at.key(id=7)


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("close:{a}{b}", "literal text between"),
        ("close:{a}:{a}", "twice"),
        ("close:{Bad}", "lower case"),
    ],
)
def test_a_malformed_pattern_is_refused_where_it_is_declared(pattern, reason):
    with pytest.raises(TypeError, match=reason):
        on_deadline(pattern)


def test_the_handler_must_take_the_patterns_fields():
    async def wrong(host: Host, deadline: Deadline, id: int) -> None: ...

    with pytest.raises(TypeError, match=r"must take \(host, deadline, campaign_id\)"):
        on_deadline("close:{campaign_id}")(wrong)

    def not_async(host: Host, deadline: Deadline, campaign_id: int) -> None: ...

    with pytest.raises(TypeError, match="async def"):
        on_deadline("close:{campaign_id}")(not_async)  # type: ignore[arg-type]


def test_a_manifest_refuses_the_same_pattern_twice():
    @on_deadline("close:{campaign_id}")
    async def again(host: Host, deadline: Deadline, campaign_id: int) -> None: ...

    with pytest.raises(ValidationError, match="duplicate deadline pattern"):
        _plugin(close_at, again)


def test_a_module_without_handlers_routes_nothing():
    assert _plugin().manifest.deadline_handler("anything:1") is None


# --- the kit ---------------------------------------------------------------------------------


async def test_a_due_deadline_reaches_its_handler_with_the_keys_fields(linli_kit):
    kit = linli_kit(_plugin(close_at, remind))
    resident = kit.add_member("Chen", Role.RESIDENT)
    await kit.call("arm", {"key": "close:42"}, as_=resident)
    await kit.call("arm", {"key": "remind:2026-01-02:chen", "minutes": 2}, as_=resident)
    fired = await kit.advance(timedelta(minutes=5))
    assert [d.key for d in fired] == ["close:42", "remind:2026-01-02:chen"]
    assert HEARD == [("close", 42, {"note": "hi"}), ("remind", date(2026, 1, 2), "chen")]


async def test_an_unknown_key_is_refused_when_scheduled_not_when_due(linli_kit):
    kit = linli_kit(_plugin(close_at))
    resident = kit.add_member("Chen", Role.RESIDENT)
    with pytest.raises(DeadlineKeyError, match=r"'closing:1' matches none.*close:\{campaign_id\}"):
        await kit.call("arm", {"key": "closing:1"}, as_=resident)
    with pytest.raises(DeadlineKeyError, match="valid integer"):
        await kit.call("arm", {"key": "close:first"}, as_=resident)
    assert kit.host.deadlines.pending == {}


async def test_a_key_two_patterns_take_is_refused(linli_kit):
    @on_deadline("close:{name}")
    async def by_name(host: Host, deadline: Deadline, name: str) -> None: ...

    kit = linli_kit(_plugin(close_at, by_name))
    resident = kit.add_member("Chen", Role.RESIDENT)
    with pytest.raises(DeadlineKeyError, match="more than one pattern"):
        await kit.call("arm", {"key": "close:7"}, as_=resident)
    await kit.call("arm", {"key": "close:seven"}, as_=resident)  # only by_name takes it


async def test_a_handler_that_raises_leaves_its_deadline_pending(linli_kit):
    kit = linli_kit(_plugin(fail))
    resident = kit.add_member("Chen", Role.RESIDENT)
    await kit.call("arm", {"key": "fail:1"}, as_=resident)
    with pytest.raises(RuntimeError, match="failed 1"):
        await kit.advance(timedelta(minutes=5))
    assert list(kit.host.deadlines.pending) == ["fail:1"]


def test_the_kit_refuses_a_module_with_handlers_and_the_deadline_hook(linli_kit):
    @hookimpl
    async def linli_deadline_reached(host: Host, deadline: Deadline) -> None: ...

    with pytest.raises(ValueError, match="declares deadline handlers and implements"):
        linli_kit(_plugin(close_at, linli_deadline_reached=linli_deadline_reached))
