"""Testing Linli modules and the core: a started platform on a fresh database, as pytest fixtures.

The pytest plugin (:mod:`linli.testing.plugin`, loaded by pytest through the core's
``pytest11`` entry point) provides ``start_platform``, ``database_url``, ``postgres_url``,
``postgres_server`` and ``any_database``. This package holds what the fixtures are made of,
for tests and benchmarks to use directly:

- :class:`Running` and :func:`running_platform`: the platform, an httpx client on its ASGI
  app, two communities and their people with tokens;
- :func:`write_distribution`: install a plugin by entry point from a directory of sources;
- :func:`temporary_postgres` and :class:`PostgresServer`: a throwaway PostgreSQL server
  (:mod:`linli.testing.databases` creates and drops databases on one);
- :func:`resident_token` and :func:`captured_logs`: sign a resident in over OAuth;
- :func:`sqlite_statements`: the SQL statements a piece of work runs on SQLite.
"""

from linli.testing.platform import BASE_URL, Running, running_platform, write_distribution
from linli.testing.postgres import PostgresNotFoundError, PostgresServer, temporary_postgres
from linli.testing.sign_in import captured_logs, resident_token
from linli.testing.statements import sqlite_statements

__all__ = [
    "BASE_URL",
    "PostgresNotFoundError",
    "PostgresServer",
    "Running",
    "captured_logs",
    "resident_token",
    "running_platform",
    "sqlite_statements",
    "temporary_postgres",
    "write_distribution",
]
