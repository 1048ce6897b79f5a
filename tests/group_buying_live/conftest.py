"""Fixtures for the live flash sale tests: the platform with group buying enabled in ``home``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from linli.modules.enablement import set_module
from platform_fixtures import Running


@pytest.fixture
def start_live(start_platform: Callable[..., Any]) -> Callable[..., Any]:
    """``async with start_live(**settings) as running``: the platform with group buying enabled."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Running]:
        async with start_platform(plugins_allow=["group_buying"], **overrides) as running:
            await set_module(running.platform, running.home, "group_buying", enabled=True)
            yield running

    return start
