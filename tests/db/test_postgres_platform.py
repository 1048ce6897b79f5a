"""The same platform on PostgreSQL: migrations, enablement, operations and idempotent replays."""

from __future__ import annotations

import asyncio

import pytest

pytestmark = pytest.mark.usefixtures("fixture_plugins")


async def test_the_platform_runs_on_postgresql(start_platform, postgres_url):
    async with start_platform(database_url=postgres_url) as running:
        ready = (await running.client.get("/v1/ready")).json()
        assert ready["database"] == "postgres"

        enabled = await running.client.put(
            "/v1/communities/home/modules/noticeboard",
            json={"enabled": True, "settings": {"max_pinned": 1}},
            headers=running.auth("operator"),
        )
        assert enabled.status_code == 200
        url = "/v1/communities/home/modules/noticeboard/post-notice"
        headers = {**running.auth("leader"), "Idempotency-Key": "pg-1"}
        first = await running.client.post(
            url, json={"title": "Water off", "pinned": True}, headers=headers
        )
        again = await running.client.post(
            url, json={"title": "Water off", "pinned": True}, headers=headers
        )
        assert first.status_code == 200
        assert again.json() == first.json()
        over_limit = await running.client.post(
            url, json={"title": "Second", "pinned": True}, headers=running.auth("leader")
        )
        assert over_limit.status_code == 409
        listed = await running.client.get(
            "/v1/communities/home/modules/noticeboard/list-notices",
            headers=running.auth("resident"),
        )
        assert [n["title"] for n in listed.json()["items"]] == ["Water off"]


async def test_concurrent_first_uses_of_one_key_run_the_command_once(start_platform, postgres_url):
    async with start_platform(database_url=postgres_url) as running:
        await running.client.put(
            "/v1/communities/home/modules/noticeboard",
            json={"enabled": True},
            headers=running.auth("operator"),
        )
        url = "/v1/communities/home/modules/noticeboard/post-notice"
        headers = {**running.auth("leader"), "Idempotency-Key": "same-key"}
        responses = await asyncio.gather(
            *(running.client.post(url, json={"title": "Once"}, headers=headers) for _ in range(16))
        )
        assert {r.status_code for r in responses} == {200}
        assert len({r.json()["id"] for r in responses}) == 1
        listed = await running.client.get(
            "/v1/communities/home/modules/noticeboard/list-notices",
            headers=running.auth("resident"),
        )
        assert len(listed.json()["items"]) == 1
