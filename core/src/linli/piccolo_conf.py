"""Piccolo's configuration module (``PICCOLO_CONF=linli.piccolo_conf``).

``DB`` and ``APP_REGISTRY`` are whatever :func:`linli.db.runtime.activate` made current, so
Piccolo's migration machinery works on the platform's database and every plugin's app.
"""

from __future__ import annotations

from typing import Any

from linli.db import runtime


def __getattr__(name: str) -> Any:
    if name == "DB":
        return runtime.current_engine()
    if name == "APP_REGISTRY":
        return runtime.current_apps()
    raise AttributeError(name)
