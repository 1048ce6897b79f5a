"""``linli identity …`` as an operator runs it: clients, operators, purge, reseal."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from linli.demo import DEMO_PHONES

LINLI = [sys.executable, "-m", "linli.cli"]


def linli(*args: str, cwd: Path, stdin: str | None = None, **env: str) -> str:
    done = subprocess.run(
        [*LINLI, *args],
        cwd=cwd,
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.slow
def test_the_identity_commands(tmp_path):
    key = base64.b64encode(os.urandom(32)).decode()
    env = {
        "LINLI_DATABASE_URL": f"sqlite:///{tmp_path}/linli.db",
        "LINLI_IDENTITY_DATA_KEYS": f"k1:{key}",
        "LINLI_IDENTITY_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    linli("demo", "--no-serve", cwd=tmp_path, **env)
    frontend = linli(
        "identity",
        "add-client",
        "My app",
        "--redirect-uri",
        "http://127.0.0.1:8765/cb",
        cwd=tmp_path,
        **env,
    )
    assert frontend.startswith("client_id: cl_") and "secret" not in frontend
    backend = linli(
        "identity",
        "add-client",
        "Tidy Home",
        "--community",
        "sunny-garden",
        "--scopes",
        "read",
        cwd=tmp_path,
        **env,
    )
    assert "client_secret: " in backend
    operator = linli(
        "identity",
        "add-operator",
        "sunny-garden",
        "zhou",
        "--password",
        "s3cret-enough",
        cwd=tmp_path,
        **env,
    )
    assert "operator zhou" in operator
    assert "sign_in_codes: 0" in linli("identity", "purge", cwd=tmp_path, **env)
    newer = base64.b64encode(os.urandom(32)).decode()
    rotated = {**env, "LINLI_IDENTITY_DATA_KEYS": f"k2:{newer},k1:{key}"}
    # the demo's people have phone accounts (linli.demo.DEMO_PHONES): sealed with k1, now k2
    resealed = linli("identity", "reseal", cwd=tmp_path, **rotated)
    assert f"re-encrypted {len(DEMO_PHONES)} accounts" in resealed
