"""Identity: what authenticating a call costs, per kind of token, and the token endpoint.

In-process on a fresh SQLite file (no HTTP): ``authenticate`` for a member's API token, an
OAuth access token (ES256 JWT: key lookup cached, signature, claims, revocation check of the
token and its sign-in, member roles) and a provider back end's token; then ``/oauth/token``
(client credentials, argon2 secret check and signing) through the ASGI app. Prints a table
and writes bench/results/identity_auth.json.

    uv run python bench/identity_auth.py [--calls 2000] [--tokens 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from linli.http.app import create_app
from linli.identity.auth import authenticate
from linli.identity.clients import register_client
from linli.identity.members import add_member, create_community
from linli.identity.tokens import issue_access_token
from linli.platform import Platform
from linli.settings import Settings
from linli_sdk import Role

RESULTS = Path(__file__).parent / "results"


async def _timed(calls: int, call: Callable[[], Awaitable[Any]]) -> dict[str, float]:
    latencies = []
    start = time.perf_counter()
    for _ in range(calls):
        began = time.perf_counter()
        await call()
        latencies.append(time.perf_counter() - began)
    total = time.perf_counter() - start
    latencies.sort()
    return {
        "per_second": round(calls / total),
        "p50_ms": round(statistics.median(latencies) * 1000, 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 3),
    }


async def run(calls: int, tokens: int) -> dict[str, Any]:
    """Measure each kind of token; the figures by name."""
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as scratch:
        platform_ = Platform.from_settings(Settings(database_url=f"sqlite:///{scratch}/b.db"))
        app = create_app(platform=platform_)
        await platform_.start(migrate_first=True)
        try:
            home = await create_community("home", "Home")
            member = await add_member(home, "Res", Role.RESIDENT)
            keys = await platform_.identity.keys()
            jwt = issue_access_token(
                keys.signing,
                subject=f"member:{member.id}",
                community="home",
                scopes=frozenset({"read", "write"}),
                client_id="bench",
                ttl=3600,
                sign_in="bench-sign-in",
            )
            backend = await register_client("Bench back end", community=home, scopes="read")
            results: dict[str, Any] = {}
            for name, token in (("api_token", member.token), ("access_token", jwt)):
                header = f"Bearer {token}"
                results[name] = await _timed(
                    calls,
                    lambda h=header: authenticate(h, "home", None),  # type: ignore[misc]
                )
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://b") as http:

                async def issue() -> None:
                    answer = await http.post(
                        "/oauth/token",
                        data={"grant_type": "client_credentials", "scope": "read"},
                        auth=(backend.client_id, backend.client_secret or ""),
                    )
                    assert answer.status_code == 200, answer.text

                results["token_endpoint_client_credentials"] = await _timed(tokens, issue)
            return results
        finally:
            await platform_.stop()


def main() -> None:
    """Run and report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--tokens", type=int, default=100)
    parser.add_argument("--out", type=Path, default=RESULTS / "identity_auth.json")
    args = parser.parse_args()
    figures = asyncio.run(run(args.calls, args.tokens))
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load": os.getloadavg()[0],
        },
        "calls": args.calls,
        "tokens": args.tokens,
        "results": figures,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'what':38} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, row in figures.items():
        print(f"{name:38} {row['per_second']:>8} {row['p50_ms']:>8} {row['p99_ms']:>8}")


if __name__ == "__main__":
    main()
