"""The tutorial "Your first module", run step by step as a reader runs it (docs/tutorial.md).

Scaffold, kit tests in an environment with only the SDK, install into the platform's modules
directory, demo community and enable, ``linli serve`` and HTTP, the provider's statement. The
platform's commands run in a directory of their own, with their defaults (``linli.db``,
``linli-modules``) relative to it, as in a checkout; all but ``linli serve`` in this process.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from linli.cli import main as linli_cli
from uv_env import ROOT, uv_run

pytestmark = pytest.mark.slow

TUTORIAL = (ROOT / "docs" / "tutorial.md").read_text()
LINLI = str(Path(sys.executable).parent / "linli")

NEW = 'linli plugin new repair --dir ../linli-repair --title "Bicycle repair (修自行车)"'
INSTALL = "linli plugin install ../linli-repair"
DEMO = "linli demo --no-serve"
ENABLE = "linli modules enable sunny-garden repair --settings '{\"max_amount\": 50000}'"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def linli(env: dict[str, str], *args: str) -> str:
    """Run a ``linli`` command in this process (each process start costs seconds)."""
    result = CliRunner().invoke(linli_cli, list(args), env=env, prog_name="linli")
    assert result.exit_code == 0, result.output
    return result.output


def tokens(demo_output: str) -> dict[str, str]:
    """Each demo member's token, by the display name's first two words."""
    found = {}
    for line in demo_output.splitlines():
        words = line.split()
        if words and words[-1].startswith("lnl_"):
            found[" ".join(words[:2])] = words[-1]
    return found


@pytest.fixture
def platform_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The platform's working directory, the current one during the test."""
    where = tmp_path / "linli"
    where.mkdir()
    monkeypatch.chdir(where)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the modules directory goes on it
    return where


@pytest.fixture
def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
    return {**clean, "LINLI_PORT": str(free_port()), "UV_OFFLINE": "1", "UV_LINK_MODE": "copy"}


@pytest.fixture
def served(platform_dir: Path, env: dict[str, str]) -> Iterator[httpx.Client]:
    """``linli serve`` in the platform's directory, until the test ends."""
    log = (platform_dir / "serve.log").open("w")
    server = subprocess.Popen(
        [LINLI, "serve"], cwd=platform_dir, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{env['LINLI_PORT']}"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(600):
                try:
                    if client.get("/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.poll() is None, (platform_dir / "serve.log").read_text()
                time.sleep(0.1)
            yield client
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_the_tutorial_commands_are_on_the_page():
    for command in (NEW, INSTALL, DEMO, ENABLE):
        assert f"uv run {command}" in TUTORIAL


def test_your_first_module_from_scaffold_to_statement(
    platform_dir: Path, env: dict[str, str], sdk_venv: Path, request: pytest.FixtureRequest
):
    # 1. scaffold, beside the platform
    assert "wrote ../linli-repair" in linli(env, *split(NEW))
    module = platform_dir.parent / "linli-repair"
    assert (module / "src" / "linli_repair" / "plugin.py").is_file()

    # 2. the kit tests, in an environment with only the SDK (and Piccolo)
    uv_run("pip", "install", "--quiet", "--python", str(sdk_venv), "--no-deps", "-e", str(module))
    kit = subprocess.run(
        [str(sdk_venv), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=module,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert kit.returncode == 0, kit.stdout + kit.stderr
    assert "9 passed" in kit.stdout

    # 3. install into the platform's modules directory
    installed = linli(env, *split(INSTALL))
    assert "installed linli-repair 0.1.0 into linli-modules: repair" in installed
    assert (platform_dir / "linli-modules" / "linli_repair-0.1.0.dist-info").is_dir()

    # 4. the demo community, and the module enabled there with its settings
    people = tokens(linli(env, *split(DEMO)))
    enabled = linli(env, *split(ENABLE))
    assert 'repair enabled in sunny-garden: {"max_amount":50000}' in enabled
    listed = linli(env, "modules", "list", "--community", "sunny-garden")
    assert any(
        line.startswith("repair ") and "enabled=True" in line for line in listed.splitlines()
    )

    # 5. over HTTP
    client: httpx.Client = request.getfixturevalue("served")
    c = "/v1/communities/sunny-garden"
    chen = {"Authorization": f"Bearer {people['Resident Chen']}"}
    sun = {"Authorization": f"Bearer {people['Cleaner Sun']}"}
    sun_id = client.get(f"{c}/me", headers=sun).json()["id"]
    order = {
        "item": "flat tyre",
        "amount": {"amount": 1500, "currency": "CNY"},
        "provider_id": sun_id,
    }
    key = {"Idempotency-Key": "chen-flat-tyre"}
    placed = client.post(f"{c}/modules/repair/place-order", json=order, headers=chen | key)
    assert placed.status_code == 200, placed.text
    assert (placed.json()["member_id"], placed.json()["provider_id"]) == (4, sun_id)
    assert sun_id == 7  # the ids the page shows
    again = client.post(f"{c}/modules/repair/place-order", json=order, headers=chen | key)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == placed.json()
    too_much = dict(order, item="new bike", amount={"amount": 90000, "currency": "CNY"})
    refused = client.post(f"{c}/modules/repair/place-order", json=too_much, headers=chen)
    assert refused.status_code == 422
    assert refused.json()["field"] == "amount"
    assert refused.json()["detail"] == "an order costs between 1 and 50000 minor units"

    # 6. the provider's statement, once the sandbox gateway has taken the payment
    account = f"payable:provider:{sun_id}"
    lines: list[dict] = []
    for _ in range(100):
        lines = client.get(f"{c}/settlement/statements/{account}", headers=sun).json()["lines"]
        if lines:
            break
        time.sleep(0.1)
    # CNY 15.00 less the platform's 5 %, then the sandbox gateway's fee (60 bp), which the
    # remainder party bears unless the rules name another
    assert [(line["party"], line["amount"]["amount"]) for line in lines] == [
        ("provider", 1425),
        (None, -9),
    ]
    assert lines[0]["module"] == "repair"


def split(command: str) -> list[str]:
    import shlex

    return shlex.split(command)[1:]  # without the leading "linli"
