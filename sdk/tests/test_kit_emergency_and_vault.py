"""The kit's emergency channel and vault: what a module reads and seals, as on the platform."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from linli_sdk import (
    EMERGENCY_AMENDED,
    EMERGENCY_DECLARED,
    EMERGENCY_ENDED,
    Context,
    Empty,
    Event,
    Host,
    InvalidInput,
    Manifest,
    NotFound,
    Role,
    hookimpl,
    query,
)
from linli_sdk.testing import PluginKit
from pydantic import BaseModel

START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


class State(BaseModel):
    kind: str | None


def make_plugin() -> SimpleNamespace:
    heard: list[tuple[str, str]] = []

    @query(Role.MEMBER)
    async def state(ctx: Context[BaseModel], data: Empty) -> State:
        current = await ctx.host.emergency.current()
        return State(kind=None if current is None else current.kind)

    @hookimpl
    async def linli_event(host: Host, event: Event) -> None:
        if event.type.startswith("emergency."):
            heard.append((event.type, event.payload["emergency"]["kind"]))

    manifest = Manifest(
        name="watcher", version="1.0.0", sdk=">=1.0,<2", title="W", operations=(state,)
    )
    return SimpleNamespace(manifest=manifest, linli_event=linli_event, heard=heard)


async def test_a_declared_emergency_is_read_in_force_until_its_end_and_announced():
    plugin = make_plugin()
    kit = PluginKit(plugin, now=START)
    member = kit.add_member("Wang")
    assert (await kit.call("state", as_=member)).kind is None
    later = await kit.declare_emergency("flood", starts_at=START + timedelta(hours=1))
    assert (await kit.call("state", as_=member)).kind is None  # not started yet
    await kit.advance(timedelta(hours=1))
    assert (await kit.call("state", as_=member)).kind == "flood"
    await kit.amend_emergency(later.id, ends_at=START + timedelta(hours=3))
    await kit.advance(timedelta(hours=2))
    assert (await kit.call("state", as_=member)).kind is None  # its planned end passed
    lockdown = await kit.declare_emergency("epidemic", notes="封控")
    assert await kit.host.emergency.get(lockdown.id) == lockdown
    ended = await kit.end_emergency(lockdown.id)
    assert ended.ends_at == kit.clock and not ended.in_force(kit.clock)
    assert plugin.heard == [
        (EMERGENCY_DECLARED, "flood"),
        (EMERGENCY_AMENDED, "flood"),
        (EMERGENCY_DECLARED, "epidemic"),
        (EMERGENCY_ENDED, "epidemic"),
    ]
    with pytest.raises(InvalidInput):
        await kit.declare_emergency("heatwave", ends_at=kit.clock - timedelta(minutes=1))
    with pytest.raises(NotFound):
        await kit.end_emergency("no-such-emergency")


async def test_the_vault_seals_opaquely_and_opens_only_for_its_purpose_and_module():
    kit = PluginKit(make_plugin(), now=START)
    vault = kit.host.vault
    first = await vault.seal("elderly_alone", "vulnerability")
    second = await vault.seal("elderly_alone", "vulnerability")
    assert first != second and "elderly" not in first
    assert await vault.open(first, "vulnerability") == "elderly_alone"
    with pytest.raises(InvalidInput):
        await vault.open(first, "phone")  # another purpose
    with pytest.raises(InvalidInput):
        await vault.open(first[:-4] + "AAAA", "vulnerability")  # altered
    other = PluginKit(make_plugin(), now=START).host.vault
    with pytest.raises(InvalidInput):
        await other.open(first, "vulnerability")  # another kit's key
