"""``linli notifications``: an operator sets up channels and quiet hours from the command line.

The command runs as its own process against the test platform's database; what it sets is
what the platform then does (a paused channel gets nothing; the policy is the API's).
"""

from __future__ import annotations

import asyncio
import sys

BASE = "/v1/communities/home/notifications"


async def linli(database_url: str, *args: str) -> tuple[int, str, str]:
    """Run ``linli ARGS`` against the test's database: exit status, output, errors."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "linli.cli",
        "notifications",
        *args,
        env={
            "LINLI_DATABASE_URL": database_url,
            "LINLI_DISPATCH_WEBHOOK_ALLOW": "127.0.0.1/32",
            "PATH": "/usr/bin:/bin",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_an_operator_adds_channels_sets_quiet_hours_and_reads_the_log(
    start_platform, database_url
):
    async with start_platform() as running:
        code, out, err = await linli(database_url, "add-webhook", "home", "http://127.0.0.1:9/n")
        assert code == 0, err
        webhook_id, kind, url, status, secret = out.strip().split("\t")
        assert (kind, url, status) == ("webhook", "http://127.0.0.1:9/n", "active")
        assert secret.startswith("whsec_")
        assert (await linli(database_url, "add-sms", "home"))[1].strip().endswith("sandbox\tactive")
        code, out, _ = await linli(database_url, "set-channel", "home", webhook_id, "paused")
        assert out.strip() == f"{webhook_id}\twebhook\thttp://127.0.0.1:9/n\tpaused"

        code, out, _ = await linli(
            database_url, "policy", "home", "--quiet-start", "21:30", "--rate-limit", "3"
        )
        assert out.strip() == "quiet 21:30-07:00 UTC\tat most 3 per kind per member in 1440 min"
        answer = await running.client.get(f"{BASE}/policy", headers=running.auth("resident"))
        assert answer.json()["quiet_start"] == "21:30" and answer.json()["rate_limit"] == 3

        code, _, err = await linli(database_url, "policy", "home", "--quiet-end", "7am")
        assert code != 0 and "quiet_end must be a 24-hour HH:MM time" in err
        code, _, err = await linli(database_url, "add-webhook", "home", "http://10.1.1.1/n")
        assert code != 0 and "refused address" in err
        code, out, _ = await linli(database_url, "log", "home")
        assert (code, out) == (0, "")
