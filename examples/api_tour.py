"""A tour of the Linli HTTP API, as a frontend would use it.

Start the demo (``uv run linli demo``), then run, with tokens it printed::

    uv run python examples/api_tour.py --leader lnl_... --resident lnl_...

It lists the modules, posts a notice as the leader (twice, with one Idempotency-Key: the second
answer is a replay), reads the board as a resident, and shows a problem document.
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from typing import Any

import httpx

BOARD = "/v1/communities/{community}/modules/noticeboard"


async def tour(
    client: httpx.AsyncClient, leader: str, resident: str, community: str
) -> dict[str, Any]:
    """Walk the API; return what each step answered."""
    board = BOARD.format(community=community)
    seen: dict[str, Any] = {}

    modules = (await client.get("/v1/modules")).json()
    seen["modules"] = [m["name"] for m in modules["modules"]]

    key = {"Idempotency-Key": str(uuid.uuid4()), "Authorization": f"Bearer {leader}"}
    notice = {"title": "停水通知 Water off Saturday 9-12", "body": "Building 3 and 4."}
    first = await client.post(f"{board}/post-notice", json=notice, headers=key)
    again = await client.post(f"{board}/post-notice", json=notice, headers=key)
    seen["posted"] = first.json()
    seen["replayed"] = (
        again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()
    )

    as_resident = {"Authorization": f"Bearer {resident}"}
    listed = await client.get(f"{board}/list-notices", params={"limit": 5}, headers=as_resident)
    seen["titles"] = [n["title"] for n in listed.json()["items"]]

    refused = await client.post(f"{board}/post-notice", json=notice, headers=as_resident)
    seen["problem"] = {"status": refused.status_code, **refused.json()}
    return seen


def main() -> None:
    """Run the tour against a running platform and print each step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--community", default="sunny-garden")
    parser.add_argument("--leader", required=True, help="the leader's token")
    parser.add_argument("--resident", required=True, help="a resident's token")
    args = parser.parse_args()

    async def run() -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=args.base_url) as client:
            return await tour(client, args.leader, args.resident, args.community)

    for step, answer in asyncio.run(run()).items():
        print(f"{step:>9}: {answer}")


if __name__ == "__main__":
    main()
