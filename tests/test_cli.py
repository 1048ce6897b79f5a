"""The ``linli`` command as an operator uses it: demo, migrate, modules list/enable/disable."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

LINLI = [sys.executable, "-m", "linli.cli"]


def run(args, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LINLI, *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_demo_serves_the_modules_of_the_demo_community(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "LINLI_PORT": str(port),
        "LINLI_DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
    }
    server = subprocess.Popen(
        [*LINLI, "demo"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/v1/modules", timeout=2
                ) as answer:
                    modules = json.load(answer)
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the demo did not start serving within 90 s"
                time.sleep(0.3)
        assert "noticeboard" in {m["name"] for m in modules["modules"]}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/ready", timeout=2) as answer:
            assert json.load(answer)["status"] == "ready"
        # the tokens are printed before serving starts; read up to the resident's line
        lines = []
        while not any("Resident Chen" in line for line in lines):
            lines.append(server.stdout.readline())
        token = next(line for line in lines if "Resident Chen" in line).split()[-1]
        board = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/communities/sunny-garden/modules/noticeboard/list-notices",
            headers={"Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(board, timeout=2) as answer:
            notices = json.load(answer)["items"]
        # linli_seed_demo: the notice board put up its pinned welcome notice
        assert notices[0]["pinned"] is True
        assert "Sunny Garden" in notices[0]["title"]
    finally:
        server.terminate()
        rest, _ = server.communicate(timeout=20)
    output = "".join(lines) + rest
    assert "sunny-garden" in output
    assert f"http://127.0.0.1:{port}/v1/modules" in output


def test_modules_can_be_listed_enabled_and_disabled_from_the_command_line(tmp_path):
    db = {"LINLI_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    seeded = run(["demo", "--no-serve"], tmp_path, **db)
    assert seeded.returncode == 0, seeded.stderr

    listed = run(["modules", "list", "--community", "sunny-garden"], tmp_path, **db)
    assert "noticeboard" in listed.stdout
    assert "enabled=True" in listed.stdout

    disabled = run(["modules", "disable", "sunny-garden", "noticeboard"], tmp_path, **db)
    assert disabled.returncode == 0
    assert "noticeboard disabled in sunny-garden" in disabled.stdout

    enabled = run(
        ["modules", "enable", "sunny-garden", "noticeboard", "--settings", '{"max_pinned": 5}'],
        tmp_path,
        **db,
    )
    assert enabled.returncode == 0
    assert '"max_pinned":5' in enabled.stdout


def test_bad_input_on_the_command_line_is_one_clear_line(tmp_path):
    db = {"LINLI_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    run(["demo", "--no-serve"], tmp_path, **db)

    bad = run(
        ["modules", "enable", "sunny-garden", "noticeboard", "--settings", '{"max_pinned": 99}'],
        tmp_path,
        **db,
    )
    assert bad.returncode == 1
    errors = [line for line in bad.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: invalid settings for noticeboard: settings.max_pinned: "
        "Input should be less than or equal to 20"
    ]
    assert "Traceback" not in bad.stderr

    unknown = run(["modules", "enable", "nowhere", "noticeboard"], tmp_path, **db)
    assert unknown.returncode == 1
    assert "Error: there is no community 'nowhere'" in unknown.stderr

    not_json = run(
        ["modules", "enable", "sunny-garden", "noticeboard", "--settings", "{oops"], tmp_path, **db
    )
    assert not_json.returncode != 0
    assert "Traceback" not in not_json.stderr


def test_migrate_is_idempotent(tmp_path):
    db = {"LINLI_DATABASE_URL": f"sqlite:///{tmp_path}/m.db"}
    first = run(["migrate"], tmp_path, **db)
    second = run(["migrate"], tmp_path, **db)
    assert first.returncode == second.returncode == 0
    assert "No migrations need to be run" in second.stdout
