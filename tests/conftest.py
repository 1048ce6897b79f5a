"""Shared test configuration for tests/.

tests/ is not a package, so put its directory on sys.path (pytest's default
"prepend" import mode does this too; this keeps --import-mode=importlib working)
and re-export the PostgreSQL fixtures from tests/postgres_fixtures.py.
"""

import sys
from pathlib import Path

import pytest

_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

from platform_fixtures import (  # noqa: E402
    database_url,
    fixture_plugins,
    start_platform,
)
from postgres_fixtures import mark_postgres_tests, postgres_server, postgres_url  # noqa: E402

__all__ = [
    "database_url",
    "fixture_plugins",
    "postgres_server",
    "postgres_url",
    "start_platform",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_postgres_tests(items)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop any SQLite connection a test left open, so its thread cannot hold up the exit.

    aiosqlite runs each connection in a non-daemon thread; one never closed (an engine a test
    did not stop) would keep the interpreter waiting after the last test.
    """
    import gc

    import aiosqlite

    for thing in gc.get_objects():
        if isinstance(thing, aiosqlite.Connection) and thing._running:
            thing.stop()
