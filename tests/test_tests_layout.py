"""Tests live with their code: core tests import no plugin, plugin tests import nothing of tests/.

The core's tests exercise it through the fixture plugins in tests/fixture_plugins (or a real
module enabled by name over HTTP), never a plugin package; each plugin's tests use the public
``linli.testing`` fixtures and their own helpers, so ``pytest plugins/<name>`` runs alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
PLUGINS = ROOT / "plugins"


def imported_roots(source: str) -> set[str]:
    """The top-level package of every module ``source`` imports (absolute imports only)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def offenders(files: Iterable[Path], forbidden: set[str]) -> dict[str, set[str]]:
    """Each file (relative to the checkout) that imports a forbidden package, and which."""
    hits = {}
    for path in files:
        names = imported_roots(path.read_text(encoding="utf-8")) & forbidden
        if names:
            hits[str(path.relative_to(ROOT))] = names
    return hits


def plugin_packages() -> set[str]:
    """The import names of the plugins in this checkout (``plugins/*/src/<package>``)."""
    return {path.parent.name for path in PLUGINS.glob("*/src/*/__init__.py")}


def test_the_checkout_has_plugins_to_check() -> None:
    assert {"linli_noticeboard", "linli_group_buying"} <= plugin_packages()


def test_the_scanner_finds_every_form_of_import() -> None:
    source = "import linli_a.x\nfrom linli_b import c\nfrom . import linli_c\nimport os as linli\n"
    assert imported_roots(source) == {"linli_a", "linli_b", "os"}


def test_no_core_test_imports_a_plugin_package() -> None:
    assert offenders(TESTS.rglob("*.py"), plugin_packages()) == {}


def test_no_plugin_test_imports_a_module_of_the_core_tests() -> None:
    core_test_modules = {path.stem for path in TESTS.rglob("*.py")} - {"conftest", "__init__"}
    plugin_tests = PLUGINS.glob("*/tests/**/*.py")
    assert offenders(plugin_tests, core_test_modules) == {}
