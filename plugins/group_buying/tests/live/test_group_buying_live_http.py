"""The live sale over HTTP: per-account rate limits (429 + Retry-After) and the live board (SSE)."""

from __future__ import annotations

import asyncio
import json

import httpx
from linli.settlement.tables import Release, SettlementCharge
from linli_group_buying.live_tables import LiveOrder
from live_helpers import LIVE, add_buyers, open_item, served


async def test_a_bot_is_held_back_before_its_body_is_read(start_live) -> None:
    async with start_live() as running:
        _, item_id = await open_item(running, stock=50, limit=1)
        (_, bot), (_, neighbour) = await add_buyers(running.home, 2)
        buy = f"{LIVE}/buy-live-item"
        answers = [
            await running.client.post(buy, json={"item_id": item_id}, headers=bot)
            for _ in range(12)
        ]
        codes = [a.status_code for a in answers]
        assert codes[:5] == [200, 409, 409, 409, 409]  # the burst: one bought, then the limit
        assert 429 in codes[5:]
        limited = next(a for a in answers if a.status_code == 429)
        assert limited.headers["retry-after"] == "1"
        assert limited.headers["content-type"].startswith("application/problem+json")
        assert limited.json()["type"] == "urn:linli:problem:too-many-requests"
        assert limited.json()["retry_after"] == 1
        # Refused before the body is read: a body that is not even JSON still gets the 429.
        garbage = await running.client.post(
            buy, content=b"{not json", headers={**bot, "content-type": "application/json"}
        )
        assert garbage.status_code == 429
        # The limit is per account: a neighbour buys at once.
        ok = await running.client.post(buy, json={"item_id": item_id}, headers=neighbour)
        assert ok.status_code == 200, ok.text
        # Handed over at the leader's point (核销): the charge's shares are released for payout.
        for _ in range(2):  # handing over again changes nothing
            handed = await running.client.post(
                f"{LIVE}/hand-over-live-order",
                json={"order_id": ok.json()["id"]},
                headers=running.auth("leader"),
            )
            assert handed.status_code == 200, handed.text
            assert handed.json()["collected_at"] is not None
        charge = int(ok.json()["charge_id"].removeprefix("ch_"))
        assert await Release.count().where(Release.charge == charge) == 1
        # The API reference says so.
        paths = (await running.client.get("/docs/api/openapi.json")).json()["paths"]
        module = "/v1/communities/{community}/modules/group_buying"
        assert "429" in paths[f"{module}/buy-live-item"]["post"]["responses"]
        assert "429" not in paths[f"{module}/open-live-session"]["post"]["responses"]
        await running.platform.settlement.idle()


async def _events(lines: httpx.Response) -> list[dict]:
    """Read Server-Sent Events until the stream ends; each event's data as JSON."""
    found = []
    async for line in lines.aiter_lines():
        if line.startswith("data:"):
            found.append(json.loads(line.removeprefix("data:").strip()))
    return found


async def test_the_board_counts_live_over_server_sent_events(start_live) -> None:
    async with start_live() as running:
        session_id, item_id = await open_item(running, stock=3, limit=1)
        buyers = await add_buyers(running.home, 2)
        async with served(running) as base, httpx.AsyncClient(base_url=base, timeout=10) as web:
            watch = web.stream(
                "GET",
                f"{LIVE}/live-board",
                params={"session_id": session_id},
                headers=running.auth("newcomer"),  # any member may watch
            )
            async with watch as board:
                assert board.status_code == 200
                assert board.headers["content-type"].startswith("text/event-stream")
                lines = board.aiter_lines()
                seen: list[dict] = []

                async def next_board() -> dict:
                    async for line in lines:
                        if line.startswith("data:"):
                            seen.append(json.loads(line.removeprefix("data:")))
                            return seen[-1]
                    raise AssertionError("the stream ended early")

                first = await asyncio.wait_for(next_board(), 5)
                assert (first["items"][0]["stock_left"], first["orders"]) == (3, 0)
                for _, headers in buyers:
                    bought = await web.post(
                        f"{LIVE}/buy-live-item", json={"item_id": item_id}, headers=headers
                    )
                    assert bought.status_code == 200, bought.text
                while seen[-1]["orders"] < 2:
                    await asyncio.wait_for(next_board(), 5)
                assert seen[-1]["items"][0]["stock_left"] == 1
                closed = await web.post(
                    f"{LIVE}/close-live-session",
                    json={"session_id": session_id},
                    headers=running.auth("leader"),
                )
                assert closed.status_code == 200, closed.text
                while seen[-1]["open"]:
                    await asyncio.wait_for(next_board(), 5)
                assert [line async for line in lines if line.startswith("data:")] == []
            await running.platform.settlement.idle()
        final = seen[-1]
        assert (final["sold"], final["orders"], final["items"][0]["on_sale"]) == (2, 2, False)


async def test_a_closed_sessions_board_is_one_final_event(start_live) -> None:
    async with start_live() as running:
        session_id, _ = await open_item(running, stock=3)
        await running.client.post(
            f"{LIVE}/close-live-session",
            json={"session_id": session_id},
            headers=running.auth("leader"),
        )
        resident = running.auth("resident")
        answer = await running.client.get(
            f"{LIVE}/live-board", params={"session_id": session_id}, headers=resident
        )
        assert answer.status_code == 200
        assert answer.text.count("event: live-board") == 1
        missing = await running.client.get(
            f"{LIVE}/live-board", params={"session_id": 999}, headers=resident
        )
        assert missing.status_code == 404  # an error before the first event is a problem


async def test_a_retried_buy_with_its_key_is_one_order(start_live) -> None:
    async with start_live() as running:
        _, item_id = await open_item(running, stock=5, limit=2)
        ((buyer_id, headers),) = await add_buyers(running.home, 1)
        keyed = {**headers, "Idempotency-Key": "tap-1"}
        body = {"item_id": item_id}
        first = await running.client.post(f"{LIVE}/buy-live-item", json=body, headers=keyed)
        again = await running.client.post(f"{LIVE}/buy-live-item", json=body, headers=keyed)
        assert first.status_code == again.status_code == 200
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json()
        await running.platform.settlement.idle()
        assert await LiveOrder.count().where(LiveOrder.buyer_id == buyer_id) == 1
        assert await SettlementCharge.count().where(SettlementCharge.payer_id == buyer_id) == 1
