"""Fixtures for the live flash sale tests: the platform with group buying enabled in ``home``."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from linli.testing import Running


@pytest.fixture
def start_live(
    start_platform: Callable[..., AbstractAsyncContextManager[Running]],
) -> Callable[..., AbstractAsyncContextManager[Running]]:
    """``async with start_live(**settings) as running``: the platform with group buying enabled."""

    def start(**overrides: Any) -> AbstractAsyncContextManager[Running]:
        return start_platform(plugins_allow=["group_buying"], modules=["group_buying"], **overrides)

    return start
