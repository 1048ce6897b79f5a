"""``/docs/api`` renders every operation in headless Chromium with no network but loopback.

The platform is served by ``linli serve`` on a loopback port; the browser resolves no other
host and every request it tries to send elsewhere is aborted and recorded. Swagger UI's
script, style and icon must come from the platform itself (``/docs/api/assets``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli import free_port

LINLI = [sys.executable, "-m", "linli.cli"]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium (scripts/install-test-deps.sh installs it); skipped without, off CI."""
    if not os.path.exists(CHROMIUM):
        message = "Chromium is not installed: run scripts/install-test-deps.sh"
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no", "off"}:
            pytest.fail(f"{message} (CI is set, so this fails instead of skipping)")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """``linli serve`` on a loopback port with a fresh SQLite database; its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "LINLI_PORT": str(port),
        "LINLI_DATABASE_URL": f"sqlite:///{tmp_path}/docs.db",
        "LINLI_DISPATCH_WORKER": "false",
    }
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([*LINLI, "serve"], cwd=tmp_path, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/v1/ready", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "linli serve did not start within 60 s"
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_api_docs_render_every_operation_offline(chromium: str, served: str) -> None:
    from playwright.sync_api import Route, expect, sync_playwright

    left: list[str] = []

    def loopback_only(route: Route) -> None:
        host = urllib.parse.urlsplit(route.request.url).hostname or ""
        if host in LOOPBACK:
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort("internetdisconnected")

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            ],
        )
        try:
            context = browser.new_context()
            context.route("**/*", loopback_only)
            page = context.new_page()
            page.goto(f"{served}/docs/api")
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("Linli")
            health = page.locator(".opblock-summary-path[data-path='/v1/health']")
            expect(health).to_be_visible()
            expect(page.locator(".opblock-summary-path[data-path='/metrics']")).to_be_visible()
            assert page.locator(".opblock").count() > 20  # the core's routes and the modules'
            health.click()  # an operation opens: Swagger UI's script is running
            expect(page.locator(".opblock-body").first).to_be_visible()
        finally:
            browser.close()
    assert left == []  # nothing was fetched from outside: the assets are the platform's
