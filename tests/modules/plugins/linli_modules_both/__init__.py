"""A test plugin that declares deadline handlers and implements the deadline hook too."""

from __future__ import annotations

from linli_sdk import Deadline, Host, Manifest, hookimpl, on_deadline


@on_deadline("close:{campaign_id}")
async def close(host: Host, deadline: Deadline, campaign_id: int) -> None: ...


@hookimpl
async def linli_deadline_reached(host: Host, deadline: Deadline) -> None: ...


manifest = Manifest(
    name="both",
    version="1.0.0",
    sdk=">=1.0,<2",
    title="Both",
    deadline_handlers=(close,),
)
