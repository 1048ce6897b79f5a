"""Running the migrations of the core and of every loaded plugin's Piccolo app."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Sequence

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine.base import Engine

from .runtime import activate

__all__ = ["MigrationFailed", "migrate"]


class MigrationFailed(RuntimeError):
    """A migration did not apply; the message says which and why."""


async def migrate(engine: Engine, plugin_apps: Sequence[str] = (), *, verbose: bool = False) -> str:  # type: ignore[type-arg]
    """Apply every pending migration of the core and ``plugin_apps``; return Piccolo's report."""
    os.environ["PICCOLO_CONF"] = "linli.piccolo_conf"
    activate(engine, plugin_apps)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = await run_forwards("all")
    if verbose:
        print(out.getvalue(), end="")
    if not result.success:
        raise MigrationFailed(result.message or out.getvalue())
    return out.getvalue()
