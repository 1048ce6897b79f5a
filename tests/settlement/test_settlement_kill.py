"""Kill the platform with SIGKILL in the middle of a flash sale: after a restart it recovers alone.

Real processes on 127.0.0.1: ``linli serve`` (and, on PostgreSQL, ``linli serve --workers 2``
beside two ``linli dispatch work``), a leader putting an item on sale, and many buyers each
buying one unit under its own ``Idempotency-Key``, sending it again until it gets an answer.
Mid-way, with gateway intents committed but not yet carried out, a server process (and on
PostgreSQL a worker too) is killed with ``kill -9`` and started again. Then: every buyer has
an answer, no unit is oversold, every paid order has exactly one charge, one capture in the
ledger and one payment at the gateway, the intents the kill left pending are carried out by
the worker within the sweep interval with nobody running a sweep, none is pending at the end,
and ``linli ledger reconcile`` reports no difference.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from linli.identity.members import add_member, create_community
from linli.modules.enablement import set_module
from linli.platform import Platform
from linli.settings import Settings
from linli.settlement.tables import GatewayIntent, LedgerTxn, SandboxCall, SettlementCharge
from linli_sdk import Role
from settlement_helpers import free_port

LINLI = [sys.executable, "-m", "linli.cli"]
SLUG = "crash"
MODULE = f"/v1/communities/{SLUG}/modules/group_buying"
SWEEP_SECONDS = 4.0
"""``settlement_sweep_seconds`` of every process: an intent left pending is done this soon."""
SLACK_SECONDS = 6.0
"""Room for a loaded two-core machine on top of the sweep interval."""


@dataclass
class Deployment:
    """The processes of one deployment, their environment and where they log."""

    env: dict[str, str]
    logs: Path
    port: int
    servers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        with (self.logs / f"{args[0]}.log").open("ab") as log:
            return subprocess.Popen([*LINLI, *args], env=self.env, stdout=log, stderr=log)

    def serve(self, processes: int = 1) -> None:
        extra = ["--workers", str(processes)] if processes > 1 else []
        self.servers.append(self.spawn("serve", "--no-migrate", *extra))

    def work(self) -> None:
        self.workers.append(self.spawn("dispatch", "work"))

    def stop(self) -> None:
        for process in [*self.servers, *self.workers]:
            if process.poll() is None:
                process.terminate()
        for process in [*self.servers, *self.workers]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def logs_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.logs.glob("*.log"))


def deployment(database_url: str, tmp_path: Path, **env: str) -> Deployment:
    port = free_port()
    environment = {
        **os.environ,
        "LINLI_DATABASE_URL": database_url,
        "LINLI_PORT": str(port),
        "LINLI_PLUGINS_ALLOW": "group_buying",
        "LINLI_SETTLEMENT_SWEEP_SECONDS": str(SWEEP_SECONDS),
        "LINLI_DISPATCH_POLL_SECONDS": "0.2",
        **env,
    }
    return Deployment(environment, tmp_path, port)


def children(pid: int) -> set[int]:
    """uvicorn's server processes under the parent ``pid`` (not multiprocessing's tracker)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"spawn_main" in command:
            found.add(int(stat.parent.name))
    return found


async def until(condition: Callable[[], Awaitable[bool]], seconds: float, what: str) -> float:
    """Poll ``condition`` until it holds; the seconds it took (fails after ``seconds``)."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if await condition():
            return time.monotonic() - began
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


async def healthy(base: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            return (await client.get(f"{base}/v1/health")).status_code == 200
    except httpx.TransportError:
        return False


async def seed(database_url: str, buyers: int) -> tuple[str, list[str]]:
    """Migrate; a community with a leader, ``buyers`` residents and group buying enabled."""
    platform = Platform.from_settings(
        Settings(database_url=database_url, plugins_allow=["group_buying"])
    )
    await platform.start(migrate_first=True)
    try:
        community = await create_community(SLUG, "Crash Court")
        leader = await add_member(community, "Lead", Role.LEADER, Role.RESIDENT)
        tokens = [
            (await add_member(community, f"Buyer {n}", Role.RESIDENT)).token for n in range(buyers)
        ]
        await set_module(platform, community, "group_buying", enabled=True)
    finally:
        await platform.stop()
    return leader.token, tokens


async def put_on_sale(base: str, leader: str, stock: int) -> tuple[int, int]:
    """A live session with one item of ``stock`` units; (session id, item id)."""
    lead = {"Authorization": f"Bearer {leader}"}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        opened = await client.post(f"{MODULE}/open-live-session", json={"title": "K"}, headers=lead)
        assert opened.status_code == 200, opened.text
        item = await client.post(
            f"{MODULE}/put-on-live-item",
            json={
                "session_id": opened.json()["session_id"],
                "name": "Lychees 1 kg",
                "price": {"amount": 1990, "currency": "CNY"},
                "stock": stock,
                "minutes": 60,
            },
            headers=lead,
        )
        assert item.status_code == 200, item.text
    return opened.json()["session_id"], item.json()["id"]


async def buy_all(
    base: str, item_id: int, tokens: list[str], connections: int, answers: dict[int, int]
) -> dict[int, int]:
    """Every buyer buys one unit, sending again (same key) until it has an answer.

    All buyers start at once and share ``connections`` keep-alive connections; ``answers``
    fills with each buyer's final status (200 bought, 409 sold out) as they come.
    """
    pool = [
        httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_connections=1))
        for _ in range(connections)
    ]

    async def buyer(n: int, token: str) -> None:
        client = pool[n % connections]
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"buy-{n}"}
        body = {"item_id": item_id, "quantity": 1}
        while True:
            try:
                answer = await client.post(f"{MODULE}/buy-live-item", json=body, headers=headers)
            except httpx.TransportError:  # the server was killed under this request
                await asyncio.sleep(0.2)
                continue
            if answer.status_code in (200, 409):
                answers[n] = answer.status_code
                return
            await asyncio.sleep(0.2)  # busy or restarting: the same request again

    try:
        await asyncio.gather(*(buyer(n, token) for n, token in enumerate(tokens)))
    finally:
        await asyncio.gather(*(client.aclose() for client in pool))
    return answers


async def pending_ids() -> set[int]:
    rows = await GatewayIntent.select(GatewayIntent.id).where(GatewayIntent.state == "pending")
    return {row["id"] for row in rows}


def paid(answers: dict[int, int]) -> int:
    return sum(status == 200 for status in answers.values())


async def _none_pending() -> bool:
    return not await pending_ids()


def all_done(intents: set[int]) -> Callable[[], Awaitable[bool]]:
    async def done() -> bool:
        return not intents & await pending_ids()

    return done


async def check_recovered(
    deploy: Deployment,
    session_id: int,
    stock: int,
    answers: dict[int, int],
    left_pending: set[int],
    recovered_in: float,
    leader: str,
) -> None:
    """What must hold once the sale is over (the deployment still running)."""
    print(f"{len(left_pending)} intents pending at the kill, none {recovered_in:.1f} s after")
    assert left_pending, "the kill left no intent pending: nothing was recovered"
    assert "the sweep carried out" in deploy.logs_text()  # the worker did it, on its own
    assert recovered_in <= SWEEP_SECONDS + SLACK_SECONDS, recovered_in
    sold = paid(answers)
    assert sold == stock  # more buyers than units: every unit sold, each to one paying buyer
    async with httpx.AsyncClient(base_url=deploy.base, timeout=60) as client:
        board = await client.get(
            f"{MODULE}/live-session",
            params={"session_id": session_id},
            headers={"Authorization": f"Bearer {leader}"},
        )
    item = board.json()["items"][0]
    assert (item["sold"], item["stock_left"]) == (stock, 0)  # 0 oversold

    await until(lambda: _none_pending(), SWEEP_SECONDS + SLACK_SECONDS, "no pending intent")
    charges = await SettlementCharge.select(SettlementCharge.id).where(
        SettlementCharge.module == "group_buying"
    )
    captures = Counter(
        row["charge"]
        for row in await LedgerTxn.select(LedgerTxn.charge).where(LedgerTxn.kind == "capture")
    )
    payments = await SandboxCall.select(SandboxCall.status).where(SandboxCall.kind == "payment")
    assert len(charges) == sold  # one charge per paid order
    assert captures == Counter({row["id"]: 1 for row in charges})  # each captured once
    assert Counter(row["status"] for row in payments) == Counter({"captured": sold})


def reconcile(deploy: Deployment) -> list[Any]:
    """``linli ledger reconcile SLUG --json``: the differences it prints."""
    done = subprocess.run(
        [*LINLI, "ledger", "reconcile", SLUG, "--json"],
        env=deploy.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    differences: list[Any] = json.loads(done.stdout[done.stdout.index("[") :])
    return differences


async def kill_when_pending(victims: list[int], answers: dict[int, int], after: int) -> set[int]:
    """Once ``after`` buyers have paid and intents are pending, SIGKILL the victims.

    Returns the intents pending at that moment.
    """
    while True:
        if paid(answers) >= after:
            left = await pending_ids()
            if left:
                for pid in victims:
                    os.kill(pid, signal.SIGKILL)
                return left
        await asyncio.sleep(0.01)


async def test_sqlite_one_process_killed_mid_sale_recovers_alone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    leader, tokens = await seed(url, buyers=300)
    deploy = deployment(url, tmp_path)
    probe = Platform.from_settings(Settings(database_url=url, plugins_allow=[]))
    await probe.start()
    try:
        deploy.serve()
        await until(lambda: healthy(deploy.base), 120, "the server")
        session_id, item_id = await put_on_sale(deploy.base, leader, stock=50)
        answers: dict[int, int] = {}
        sale = asyncio.create_task(buy_all(deploy.base, item_id, tokens, 64, answers))
        left = await kill_when_pending([deploy.servers[0].pid], answers, after=10)
        assert paid(answers) < 50  # mid-way: units were still on sale
        deploy.servers[0].wait(timeout=30)
        deploy.serve()  # the restart
        await until(lambda: healthy(deploy.base), 120, "the restarted server")
        recovered_in = await until(all_done(left), SWEEP_SECONDS + SLACK_SECONDS, "the sweep")
        await asyncio.wait_for(sale, 300)
        await check_recovered(deploy, session_id, 50, answers, left, recovered_in, leader)
    finally:
        deploy.stop()
        await probe.stop()
    assert reconcile(deploy) == []


@pytest.mark.slow
async def test_postgres_two_servers_and_two_workers_one_of_each_killed_recover(
    postgres_url: str, tmp_path: Path
) -> None:
    leader, tokens = await seed(postgres_url, buyers=2_000)
    deploy = deployment(postgres_url, tmp_path, LINLI_DISPATCH_WORKER="false")
    probe = Platform.from_settings(Settings(database_url=postgres_url, plugins_allow=[]))
    await probe.start()
    try:
        deploy.serve(processes=2)
        deploy.work()
        deploy.work()
        parent = deploy.servers[0].pid

        async def two_servers() -> bool:
            return len(children(parent)) >= 2 and await healthy(deploy.base)

        await until(two_servers, 180, "two server processes")
        session_id, item_id = await put_on_sale(deploy.base, leader, stock=200)
        answers: dict[int, int] = {}
        sale = asyncio.create_task(buy_all(deploy.base, item_id, tokens, 250, answers))
        server = sorted(children(parent))[0]
        left = await kill_when_pending([server, deploy.workers[0].pid], answers, after=40)
        assert paid(answers) < 200  # mid-way: units were still on sale
        deploy.workers[0].wait(timeout=30)
        deploy.work()  # the worker's restart; uvicorn starts a new server process itself

        async def restarted() -> bool:
            now = children(parent)
            return server not in now and len(now) >= 2 and await healthy(deploy.base)

        await until(restarted, 180, "the replacement server process")
        recovered_in = await until(all_done(left), SWEEP_SECONDS + SLACK_SECONDS, "the sweep")
        await asyncio.wait_for(sale, 600)
        await check_recovered(deploy, session_id, 200, answers, left, recovered_in, leader)
    finally:
        deploy.stop()
        await probe.stop()
    assert reconcile(deploy) == []
