"""The examples in examples/ work against a running platform."""

from __future__ import annotations

import importlib.util
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_api_tour_runs_against_the_platform(start_platform):
    tour = load("api_tour").tour
    async with start_platform() as running:
        await running.client.put(
            "/v1/communities/home/modules/noticeboard",
            json={"enabled": True},
            headers=running.auth("operator"),
        )
        seen = await tour(
            running.client, running.people["leader"].token, running.people["resident"].token, "home"
        )

    assert "noticeboard" in seen["modules"]
    assert seen["replayed"] is True
    assert seen["titles"] == ["停水通知 Water off Saturday 9-12"]
    assert seen["problem"]["status"] == 403
    assert seen["problem"]["type"] == "urn:linli:problem:forbidden"
