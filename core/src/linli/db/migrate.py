"""Running the migrations of the core and of every loaded plugin's Piccolo app."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Sequence

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine.base import Engine
from piccolo.utils.printing import print_heading

from .runtime import activate

__all__ = ["MigrationFailed", "migrate"]


class MigrationFailed(RuntimeError):
    """A migration did not apply; the message says which and why."""


async def migrate(
    engine: Engine,  # type: ignore[type-arg]
    plugin_apps: Sequence[str] = (),
    *,
    verbose: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> str:
    """Apply every pending migration of the core and ``plugin_apps``; return Piccolo's report.

    Apps are migrated one by one in dependency order; ``progress(done, total)`` is told after
    each (a CLI draws a bar with it).
    """
    os.environ["PICCOLO_CONF"] = "linli.piccolo_conf"
    activate(engine, plugin_apps)
    names = BaseMigrationManager().get_sorted_app_names()  # the order "all" would take
    out = io.StringIO()
    for done, name in enumerate(names, start=1):
        with contextlib.redirect_stdout(out):
            print_heading(name)
            result = await run_forwards(name)
        if not result.success:
            if verbose:
                print(out.getvalue(), end="")
            raise MigrationFailed(result.message or out.getvalue())
        if progress is not None:
            progress(done, len(names))
    if verbose:
        print(out.getvalue(), end="")
    return out.getvalue()
