"""The kit's database: a module's own tables on a temporary SQLite file, migrated as shipped.

Piccolo is imported only here, and only when a module database is made: the SDK itself does
not depend on it (a module that keeps tables does).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import io
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..manifest import Manifest

if TYPE_CHECKING:
    from piccolo.engine.base import Engine
    from piccolo.table import Table

__all__ = ["ModuleDatabase", "linli_module_db", "module_database", "module_engine"]

_CONF = "linli_sdk._kit.piccolo_conf"
"""The Piccolo configuration module the kit points ``PICCOLO_CONF`` at while it migrates."""


def _app_config(manifest: Manifest) -> Any:
    if manifest.piccolo_app is None:
        raise ValueError(f"module {manifest.name} declares no piccolo_app: it has no tables")
    return importlib.import_module(manifest.piccolo_app).APP_CONFIG


_BOUND: list[Any] = []
"""The engines of the module databases bound now (a platform's engine is never among them)."""


def module_engine(manifest: Manifest) -> Engine | None:  # type: ignore[type-arg]
    """The engine of the :class:`ModuleDatabase` the module's tables are bound to, or ``None``.

    ``None`` when the module has no tables, or they are bound to no module database (a
    platform a previous test started may have left them on its engine, long closed).
    """
    if manifest.piccolo_app is None:
        return None
    tables: list[type[Table]] = _app_config(manifest).table_classes
    engine = tables[0]._meta._db if tables else None
    return engine if any(engine is bound for bound in _BOUND) else None


class ModuleDatabase:
    """A module's tables bound to a SQLite file, with its shipped migrations applied.

    ``engine`` is the Piccolo engine the tables use; ``tables`` are the Piccolo app's tables;
    ``report`` is what the migrations printed.
    """

    def __init__(self, plugin: object, path: Path | str) -> None:
        from piccolo.engine.sqlite import SQLiteEngine

        self.manifest = _manifest_of(plugin)
        self.app = _app_config(self.manifest)
        self.tables: list[type[Table]] = list(self.app.table_classes)
        self.engine = SQLiteEngine(path=str(path))
        self.report = ""
        self._previous: list[Any] = []

    def bind(self) -> None:
        """Point the module's tables at this database (remembering the engines they had)."""
        self._previous = [table._meta._db for table in self.tables]
        for table in self.tables:
            table._meta.db = self.engine
        _BOUND.append(self.engine)

    def restore(self) -> None:
        """Put back the engines the tables had before :meth:`bind`."""
        for table, engine in zip(self.tables, self._previous, strict=True):
            table._meta._db = engine
        _BOUND[:] = [engine for engine in _BOUND if engine is not self.engine]

    async def migrate(self) -> str:
        """Apply the module's migrations to this database (those not applied yet)."""
        from piccolo.apps.migrations.commands.forwards import run_forwards
        from piccolo.apps.migrations.tables import Migration
        from piccolo.conf.apps import AppRegistry

        from . import piccolo_conf

        piccolo_conf.DB = self.engine
        piccolo_conf.APP_REGISTRY = AppRegistry(apps=[self.manifest.piccolo_app or ""])
        previous_engine, previous_conf = Migration._meta._db, os.environ.get("PICCOLO_CONF")
        Migration._meta.db = self.engine
        os.environ["PICCOLO_CONF"] = _CONF
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                result = await run_forwards(self.app.app_name)
        finally:
            Migration._meta._db = previous_engine
            if previous_conf is None:
                os.environ.pop("PICCOLO_CONF", None)
            else:
                os.environ["PICCOLO_CONF"] = previous_conf
        if not result.success:
            raise RuntimeError(f"the migrations of {self.manifest.name} failed: {result.message}")
        self.report = out.getvalue()
        return self.report


def _manifest_of(plugin: object) -> Manifest:
    manifest = getattr(plugin, "manifest", None)
    if not isinstance(manifest, Manifest):
        raise TypeError(f"{plugin!r} has no 'manifest' attribute of type linli_sdk.Manifest")
    return manifest


def _in_a_thread(database: ModuleDatabase) -> None:
    """Migrate on a private event loop in a worker thread: safe inside a running loop too."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(database.migrate())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target, name="linli-kit-migrate")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


@contextlib.contextmanager
def module_database(plugin: object, path: Path | str) -> Iterator[ModuleDatabase]:
    """Bind a module's tables to the SQLite file ``path`` and run its migrations there.

    Usable from sync and async code alike (the migrations run on a private event loop); on
    exit the tables get back the engines they had. Raises ``RuntimeError`` if a migration
    fails, so a broken migration fails the tests rather than the first deployment.
    """
    database = ModuleDatabase(plugin, path)
    database.bind()
    try:
        _in_a_thread(database)
        yield database
    finally:
        database.restore()


@pytest.fixture
def linli_module_db(tmp_path: Path) -> Iterator[Callable[[object], ModuleDatabase]]:
    """Provide ``linli_module_db(plugin)``: the module's tables on a fresh, migrated SQLite file.

    The module's Piccolo app (``manifest.piccolo_app``) is bound to a file in the test's
    temporary directory and its shipped migrations run there; the tables get their engines
    back after the test. Returns the :class:`ModuleDatabase`.
    """
    with contextlib.ExitStack() as stack:

        def make(plugin: object) -> ModuleDatabase:
            name = _manifest_of(plugin).name
            return stack.enter_context(module_database(plugin, tmp_path / f"{name}.sqlite"))

        yield make
