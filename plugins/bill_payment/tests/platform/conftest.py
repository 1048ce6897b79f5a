"""Fixtures for the bill payment platform tests: the module enabled in ``home``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from linli.modules.enablement import set_module
from linli.testing import Running


@pytest.fixture
def start_bills(start_platform: Callable[..., Any]) -> Callable[..., Any]:
    """``async with start_bills(settings=..., **platform) as running``: bill payment on in home."""

    @asynccontextmanager
    async def start(
        settings: dict[str, Any] | None = None, **overrides: Any
    ) -> AsyncIterator[Running]:
        async with start_platform(**overrides) as running:
            await set_module(
                running.platform, running.home, "bill_payment", enabled=True, settings=settings
            )
            yield running

    return start
