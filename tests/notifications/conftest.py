"""Fixtures for the notification tests: the ``bell`` test module and a loopback receiver."""

from __future__ import annotations

import importlib
import json
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from linli.testing import write_distribution
from standardwebhooks import Webhook

PLUGINS = Path(__file__).parent / "plugins"


@pytest.fixture
def bell_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Install the ``bell`` module by entry point."""
    site = tmp_path / "site-packages"
    write_distribution(site, "linli-notify-bell", "1.0.0", {"bell": "linli_notify_bell"})
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(PLUGINS))
    importlib.invalidate_caches()
    yield
    for module in [m for m in sys.modules if m.startswith("linli_notify_bell")]:
        del sys.modules[module]


@dataclass
class Frontend:
    """A community frontend on 127.0.0.1: verifies each signature, keeps each id once.

    ``received`` is every request that arrived (repeats included); ``delivered`` the verified
    bodies by ``webhook-id``, so a repeat of an id is not a second delivery.
    """

    port: int = 0
    secret: str = ""
    received: list[dict[str, str]] = field(default_factory=list)
    delivered: dict[str, dict[str, Any]] = field(default_factory=dict)
    refused: int = 0
    answers: list[int] = field(default_factory=list)  # statuses to answer first, then 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/notify"


@pytest.fixture
def frontend() -> Iterator[Frontend]:
    state = Frontend()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.received.append(headers)
            status = state.answers.pop(0) if state.answers else 200
            try:
                verified = Webhook(state.secret).verify(body, headers)
            except Exception:
                state.refused += 1
                status = 401
            else:
                if status == 200:  # a repeat of a known id is acknowledged, not kept again
                    state.delivered.setdefault(
                        headers["webhook-id"], json.loads(json.dumps(verified))
                    )
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
