"""Pytest fixtures for tests that need a real PostgreSQL server.

Ask for ``postgres_url`` to get a fresh, empty database of your own::

    async def test_something(postgres_url: str) -> None:
        conn = await asyncpg.connect(postgres_url)

``postgres_server`` is the session-wide :class:`postgres_server.PostgresServer`
(one throwaway cluster per test session, started on first use). Without
PostgreSQL binaries these tests are skipped, except on CI (``CI=true``) where
that is an error, so a missing install step cannot hide behind skips.
Tests using either fixture get the ``postgres`` marker (``mark_postgres_tests``,
called from the ``pytest_collection_modifyitems`` hook in tests/conftest.py), so
``pytest -m "not postgres"`` leaves them out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from postgres_server import (
    PostgresNotFoundError,
    PostgresServer,
    drop_database,
    temporary_postgres,
)

__all__ = ["mark_postgres_tests", "postgres_server", "postgres_url"]

_FIXTURES = frozenset({"postgres_server", "postgres_url"})


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no", "off"}


def mark_postgres_tests(items: list[pytest.Item]) -> None:
    """Add the ``postgres`` marker to every test that uses a PostgreSQL fixture."""
    for item in items:
        if _FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        with temporary_postgres() as server:
            yield server
    except PostgresNotFoundError as exc:
        if _on_ci():
            pytest.fail(f"{exc} (CI is set, so this fails instead of skipping)", pytrace=False)
        pytest.skip(str(exc))


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> Iterator[str]:
    url = postgres_server.new_database(request.node.name)
    yield url
    drop_database(postgres_server.admin_url, url.rsplit("/", 1)[1])
