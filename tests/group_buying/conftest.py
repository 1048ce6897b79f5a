"""Fixtures for the group buying platform tests."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def any_database(request: pytest.FixtureRequest, database_url: str) -> str:
    """The database URL of a fresh SQLite file, then of a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return database_url
    url: str = request.getfixturevalue("postgres_url")
    return url
