"""Helpers the live flash sale tests share: many buyers at once, an item on sale, uvicorn."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import uvicorn
from linli.http.app import create_app
from linli.identity.auth import hash_token, new_token
from linli.tables import Member
from linli.testing import Running
from linli_sdk import Community, Role

LIVE = "/v1/communities/home/modules/group_buying"


async def add_buyers(community: Community, count: int) -> list[tuple[int, dict[str, str]]]:
    """Add ``count`` verified residents in one insert; each one's id and auth headers."""
    tokens = [new_token() for _ in range(count)]
    now = datetime.now(UTC)
    rows = await Member.insert(
        *(
            Member(
                community=community.id,
                display_name=f"Buyer {n}",
                roles=sorted({Role.MEMBER, Role.RESIDENT}),
                verified=True,
                token_hash=hash_token(token),
                created_at=now,
            )
            for n, token in enumerate(tokens)
        )
    ).returning(Member.id)
    return [
        (row["id"], {"Authorization": f"Bearer {token}"})
        for row, token in zip(rows, tokens, strict=True)
    ]


async def open_item(
    running: Running, *, stock: int, limit: int = 1, minutes: int = 30
) -> tuple[int, int]:
    """The leader opens a session and puts lychees on; the session's and the item's ids."""
    leader = running.auth("leader")
    opened = await running.client.post(
        f"{LIVE}/open-live-session", json={"title": "Fruit night"}, headers=leader
    )
    assert opened.status_code == 200, opened.text
    session_id = opened.json()["session_id"]
    item = await running.client.post(
        f"{LIVE}/put-on-live-item",
        json={
            "session_id": session_id,
            "name": "Lychees 1 kg",
            "price": {"amount": 1990, "currency": "CNY"},
            "stock": stock,
            "per_person_limit": limit,
            "minutes": minutes,
        },
        headers=leader,
    )
    assert item.status_code == 200, item.text
    return session_id, item.json()["id"]


@asynccontextmanager
async def served(running: Running) -> AsyncIterator[str]:
    """The platform's app behind uvicorn on a free loopback port; its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(platform=running.platform),
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
        )
    )
    task = asyncio.create_task(server.serve())
    for _ in range(250):
        if server.started:
            break
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
