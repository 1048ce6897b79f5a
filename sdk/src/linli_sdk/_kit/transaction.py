"""The kit's ``host.transaction()``: savepoints on the engines the module's tables are bound to.

The SDK does not import Piccolo: the module's Piccolo app (``Manifest.piccolo_app``) names its
tables, and each bound table's engine is used through the methods every Piccolo engine has
(``current_transaction``, ``transaction()``, and a transaction's ``savepoint()``).
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from ..manifest import Manifest

__all__ = ["module_engines", "savepoints"]


def module_engines(manifest: Manifest) -> list[Any]:
    """The engines the module's tables are bound to now, each once (none without an app)."""
    if manifest.piccolo_app is None:
        return []
    app = importlib.import_module(manifest.piccolo_app)
    tables = getattr(getattr(app, "APP_CONFIG", None), "table_classes", ())
    engines: dict[int, Any] = {}
    for table in tables:
        # Only a table bound to an engine can hold rows the test wrote; an unbound one would
        # make Piccolo look for a configuration file.
        engine = getattr(table._meta, "_db", None)
        if engine is not None:
            engines.setdefault(id(engine), engine)
    return list(engines.values())


@asynccontextmanager
async def _savepoint(engine: Any) -> AsyncIterator[None]:
    """A savepoint in the engine's current transaction, or a transaction if there is none."""
    current = engine.current_transaction.get()
    if current is None:
        async with engine.transaction():
            yield
    else:
        point = await current.savepoint()
        try:
            yield
        except BaseException:
            await point.rollback_to()
            raise
        finally:
            await point.release()


@asynccontextmanager
async def savepoints(manifest: Manifest) -> AsyncIterator[None]:
    """Run the block in a savepoint on every engine the module's tables use."""
    async with AsyncExitStack() as stack:
        for engine in module_engines(manifest):
            await stack.enter_async_context(_savepoint(engine))
        yield
