"""Generate a Piccolo migration for one app of the core or of an installed plugin.

    uv run python scripts/new-migration.py linli_settlement "ledger tables"

Piccolo compares the app's tables with what its earlier migrations describe and writes the
difference as a new file in the app's piccolo_migrations folder. Review it before committing.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile

from linli.db.engines import make_engine
from linli.db.runtime import activate
from linli.modules.registry import load_modules
from linli.settings import Settings
from piccolo.apps.migrations.commands.new import new


def main() -> None:
    """Generate the migration named on the command line."""
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    app, description = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "")
    os.environ["PICCOLO_CONF"] = "linli.piccolo_conf"
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{scratch}/scratch.db")
        activate(engine, load_modules(Settings()).piccolo_apps)
        asyncio.run(new(app_name=app, auto=True, desc=description))


if __name__ == "__main__":
    main()
