"""``linli demo`` teaches how to sign in: the demo phone numbers, and that the code is logged."""

from __future__ import annotations

import os
import subprocess
import sys

from linli.demo import DEMO_PHONES


def test_the_demo_prints_its_phone_numbers_and_where_the_sign_in_code_appears(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "linli.cli", "demo", "--no-serve"],
        cwd=tmp_path,
        env={**os.environ, "LINLI_DATABASE_URL": f"sqlite:///{tmp_path}/demo.db"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    for name, (phone, _) in DEMO_PHONES.items():
        assert any(name in line and phone in line for line in done.stdout.splitlines()), name
    assert "Linli sign-in code" in done.stdout
    assert "/v1/identity/sign-in-codes" in done.stdout
