"""Piccolo's configuration while the kit migrates a module's tables (``PICCOLO_CONF``).

:class:`~linli_sdk._kit.database.ModuleDatabase` sets ``DB`` and ``APP_REGISTRY`` before it
runs the module's migrations.
"""

from __future__ import annotations

from typing import Any

DB: Any = None
APP_REGISTRY: Any = None
