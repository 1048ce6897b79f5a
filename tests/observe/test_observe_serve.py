"""``linli serve --workers 2`` on PostgreSQL: one ``/metrics`` for both processes, JSON logs.

The server runs as an operator starts it, with ``LINLI_LOG_FORMAT=json`` and no
``PROMETHEUS_MULTIPROC_DIR`` (it makes its own). Whichever process answers a scrape, it
counts every request both processes answered; every line on stderr is JSON, and uvicorn's
access line of a request carries that request's id.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from test_cli import LINLI, free_port

REQUESTS = 30


def _get(url: str, request_id: str | None = None) -> tuple[int, str, str]:
    headers = {"X-Request-ID": request_id} if request_id else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
        return r.status, r.headers.get("x-request-id", ""), r.read().decode()


def _health_count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "linli_http_requests_total" and sample.labels == {
                "method": "GET",
                "route": "/v1/health",
                "status": "200",
            }:
                return sample.value
    return 0.0


def test_two_processes_share_their_metrics_and_log_json(postgres_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
        "LINLI_PORT": str(port),
        "LINLI_DATABASE_URL": postgres_url,
        "LINLI_DISPATCH_WORKER": "false",
        "LINLI_LOG_FORMAT": "json",
    }
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:  # the logs; stdout has the migration report
        server = subprocess.Popen(
            [*LINLI, "serve", "--workers", "2"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _get(f"{base}/v1/ready")
                break
            except OSError:
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.3)
        for n in range(REQUESTS):
            status, echoed, _ = _get(f"{base}/v1/health", f"probe-{n}")
            assert (status, echoed) == (200, f"probe-{n}")
        scrapes = [_health_count(_get(f"{base}/metrics")[2]) for _ in range(6)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert scrapes == [REQUESTS] * 6  # every process reports both processes' requests

    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    not_json = [line for line in lines if not line.startswith("{")]
    assert not_json == []  # every line is JSON
    records = [json.loads(line) for line in lines]
    access = [r for r in records if r["logger"] == "uvicorn.access"]
    assert any(r.get("request_id") == "probe-7" and "/v1/health" in r["message"] for r in access)
    assert {r["logger"] for r in records} >= {"uvicorn.error", "uvicorn.access"}
