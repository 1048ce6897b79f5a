"""The core's layers contract covers every core service, so a new one cannot skip the shape."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core" / "src" / "linli"


def test_every_core_service_is_in_the_layers_contract() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"
    ]
    layered = next(c for c in contracts if c["name"].startswith("Each core service is layered"))
    services = sorted(f"linli.{path.parent.name}" for path in CORE.glob("*/tables.py"))
    assert "linli.settlement" in services
    assert sorted(layered["containers"]) == services
    assert layered["type"] == "layers"
    assert layered["layers"] == ["(routes)", "(service)", "(store)", "(tables)"]
