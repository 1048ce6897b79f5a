"""Streams: operations whose every yield reaches the caller live (served as Server-Sent Events)."""

from __future__ import annotations

import types
from collections.abc import AsyncIterator

import pytest
from linli_sdk import Context, Forbidden, Manifest, OperationKind, Role, query, stream
from linli_sdk.testing import PluginKit
from pydantic import BaseModel, Field


class Watch(BaseModel):
    start: int = Field(default=3, ge=1, le=10)


class Stock(BaseModel):
    left: int


@stream(Role.MEMBER)
async def stock(ctx: Context[BaseModel], data: Watch) -> AsyncIterator[Stock]:
    """Watch the stock fall."""
    for left in range(data.start, -1, -1):
        yield Stock(left=left)


@stream(Role.LEADER, name="leader-feed")
async def leaders_only(ctx: Context[BaseModel], data: Watch) -> AsyncIterator[Stock]:
    """Only for leaders."""
    yield Stock(left=data.start)


PLUGIN = types.SimpleNamespace(
    manifest=Manifest(
        name="flash", version="1.0", sdk=">=0.1", title="Flash", operations=(stock, leaders_only)
    )
)


def test_a_stream_declares_its_item_model_and_read_scope() -> None:
    assert stock.kind is OperationKind.STREAM
    assert stock.output is Stock
    assert stock.input is Watch
    assert stock.scope == "read"
    assert leaders_only.name == "leader-feed"


def test_a_stream_must_be_an_async_generator() -> None:
    with pytest.raises(TypeError, match="must be 'async def' with 'yield'"):

        @stream(Role.MEMBER)
        async def not_a_generator(ctx: Context[BaseModel], data: Watch) -> AsyncIterator[Stock]:  # type: ignore[misc]
            return Stock(left=1)  # type: ignore[return-value]


def test_a_stream_must_yield_a_pydantic_model() -> None:
    with pytest.raises(TypeError, match="return type must be a pydantic model"):

        @stream(Role.MEMBER)
        async def bad(ctx: Context[BaseModel], data: Watch) -> AsyncIterator[int]:
            yield 1


def test_a_query_is_not_a_stream() -> None:
    with pytest.raises(TypeError, match="must be 'async def'"):

        @query(Role.MEMBER)
        async def gen(ctx: Context[BaseModel], data: Watch) -> AsyncIterator[Stock]:
            yield Stock(left=1)


async def test_the_kit_collects_what_a_stream_yields() -> None:
    kit = PluginKit(PLUGIN)
    member = kit.add_member("Zhao", verified=False)
    items = await kit.stream("stock", {"start": 2}, as_=member)
    assert items == [Stock(left=2), Stock(left=1), Stock(left=0)]
    assert await kit.stream("stock", as_=member, limit=1) == [Stock(left=3)]


async def test_a_stream_checks_roles_like_any_operation() -> None:
    kit = PluginKit(PLUGIN)
    resident = kit.add_member("Chen", Role.RESIDENT)
    with pytest.raises(Forbidden):
        await kit.stream("leader-feed", as_=resident)


async def test_a_stream_cannot_be_awaited_like_a_query() -> None:
    kit = PluginKit(PLUGIN)
    with pytest.raises(TypeError, match="is a stream"):
        await kit.call("stock", as_=kit.add_member("Zhao"))
