"""The pytest plugin ``linli.testing``: a started platform on a fresh database, per test.

Installed with the core (a ``pytest11`` entry point), so any test tree in a checkout, a
plugin's own ``tests/`` among them, gets these fixtures without a ``conftest.py``:

``database_url``
    A fresh SQLite file (the embedded default).
``postgres_server``
    The session's throwaway PostgreSQL server on 127.0.0.1
    (:class:`~linli.testing.postgres.PostgresServer`), started on first use when Debian's
    PostgreSQL binaries are installed. Without them tests that need it are skipped, except on
    CI (``CI=true``), where that fails so a missing install step cannot hide behind skips.
``postgres_url``
    A fresh, empty database on that server.
``any_database``
    Parametrised: a fresh SQLite file, then a fresh PostgreSQL database (marked ``slow``).
``start_platform``
    ``async with start_platform(modules=["noticeboard"], **settings) as running`` migrates the
    test's database (``database_url`` unless ``database_url=`` is given), seeds two communities
    and their people, enables ``modules`` in ``home`` and yields a
    :class:`~linli.testing.Running` whose ``client`` is an httpx client on the ASGI app.

Tests using a PostgreSQL fixture get the ``postgres`` marker, so ``pytest -m "not postgres"``
leaves them out.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

import pytest

from linli.testing.platform import Running, running_platform

if TYPE_CHECKING:
    from pathlib import Path

    from linli.testing.postgres import PostgresServer

__all__ = [
    "any_database",
    "database_url",
    "postgres_server",
    "postgres_url",
    "start_platform",
]

StartPlatform = Callable[..., AbstractAsyncContextManager[Running]]

_POSTGRES_FIXTURES = frozenset({"postgres_server", "postgres_url"})


def on_ci() -> bool:
    """Whether the ``CI`` environment variable says this run is on CI."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no", "off"}


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers this plugin sets."""
    config.addinivalue_line("markers", "postgres: needs a PostgreSQL server (linli.testing)")
    config.addinivalue_line("markers", "slow: long-running tests")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Add the ``postgres`` marker to every test that uses a PostgreSQL fixture."""
    for item in items:
        if _POSTGRES_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop any SQLite connection a test left open, so its thread cannot hold up the exit.

    aiosqlite runs each connection in a non-daemon thread; one never closed (an engine a test
    did not stop) would keep the interpreter waiting after the last test.
    """
    import gc
    import sys

    if "aiosqlite" not in sys.modules:
        return
    import aiosqlite

    for thing in gc.get_objects():
        if isinstance(thing, aiosqlite.Connection) and thing._running:
            thing.stop()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh SQLite file (the embedded default)."""
    return f"sqlite:///{tmp_path / 'linli.db'}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's throwaway PostgreSQL server (skipped without binaries, failed on CI)."""
    from linli.testing.postgres import PostgresNotFoundError, temporary_postgres

    try:
        with temporary_postgres() as server:
            yield server
    except PostgresNotFoundError as exc:
        if on_ci():
            pytest.fail(f"{exc} (CI is set, so this fails instead of skipping)", pytrace=False)
        pytest.skip(str(exc))


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database of this test's own on the session's server; dropped after."""
    from linli.testing.databases import drop_database

    url = postgres_server.new_database(request.node.name)
    yield url
    drop_database(postgres_server.admin_url, url.rsplit("/", 1)[1])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def any_database(request: pytest.FixtureRequest, database_url: str) -> str:
    """The URL of a fresh SQLite file, then of a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return database_url
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def start_platform(database_url: str) -> StartPlatform:
    """Start a platform per ``async with``: migrate, seed, enable modules, serve.

    Use as ``async with start_platform(modules=[...], **settings) as running``.
    ``database_url=`` picks another database (``any_database``, ``postgres_url``);
    ``modules`` are enabled in ``home``; ``gateway=`` and ``sms=`` replace the payment
    gateway or SMS sender; other keywords are :class:`~linli.settings.Settings` fields.
    """

    def start(**overrides: Any) -> AbstractAsyncContextManager[Running]:
        return running_platform(overrides.pop("database_url", database_url), **overrides)

    return start
