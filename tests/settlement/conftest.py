"""Fixtures for the settlement tests: the docs' shop plugin installed and enabled in ``home``."""

from __future__ import annotations

import importlib
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from linli.modules.enablement import set_module
from linli.testing import Running, write_distribution
from settlement_helpers import free_port

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture
def shop_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Install docs/examples/settlement_shop.py as ``shop``, its held twin as ``pickup``, and
    docs/examples/toolbox.py (deposits) as ``toolbox``."""
    site = tmp_path / "shop-site"
    write_distribution(
        site,
        "linli-settlement-shop",
        "0.1.0",
        {"shop": "settlement_shop", "pickup": "settlement_pickup_shop", "toolbox": "toolbox"},
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(EXAMPLES))
    importlib.invalidate_caches()
    yield
    sys.modules.pop("settlement_shop", None)
    sys.modules.pop("settlement_pickup_shop", None)
    sys.modules.pop("toolbox", None)


@pytest.fixture
def start_shop(start_platform: Callable[..., Any], shop_installed: None) -> Callable[..., Any]:
    """``async with start_shop(**settings) as running``: a platform with ``shop`` enabled."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Running]:
        async with start_platform(**overrides) as running:
            await set_module(running.platform, running.home, "shop", enabled=True)
            yield running

    return start


@pytest.fixture
def localstripe() -> Iterator[str]:
    """localstripe serving on 127.0.0.1 for this test; yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "localstripe_server.py"), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/js.stripe.com/v3/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("localstripe did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def connect_fake() -> Iterator[tuple[str, Any]]:
    """The project's Stripe Connect fake on 127.0.0.1 (see connect_fake.py): URL and state."""
    from connect_fake import serving

    with serving() as (url, state):
        yield url, state
