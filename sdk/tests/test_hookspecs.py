"""The SDK's published surface: hook specs, docstrings, dependencies and version."""

from __future__ import annotations

import ast
import inspect
import itertools
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import get_type_hints

import linli_sdk
import pluggy
import pytest
from linli_sdk import hookspecs

SDK_ROOT = Path(__file__).resolve().parents[1]
SDK_SOURCES = SDK_ROOT / "src" / "linli_sdk"

HOOK_SPECS = sorted(
    name
    for name, obj in vars(hookspecs).items()
    if inspect.isfunction(obj) and hasattr(obj, f"{hookspecs.NAME}_spec")
)


def test_the_sdk_declares_its_hooks() -> None:
    assert set(HOOK_SPECS) >= {
        "linli_module_enabled",
        "linli_module_disabled",
        "linli_event",
        "linli_deadline_reached",
        "linli_seed_demo",
    }


def test_every_public_function_of_hookspecs_is_a_spec() -> None:
    functions = [
        name
        for name, obj in vars(hookspecs).items()
        if inspect.isfunction(obj) and obj.__module__ == hookspecs.__name__
    ]
    assert sorted(functions) == HOOK_SPECS


@pytest.mark.parametrize("name", HOOK_SPECS)
def test_a_hook_spec_is_prefixed(name: str) -> None:
    assert name.startswith("linli_")


@pytest.mark.parametrize("name", HOOK_SPECS)
def test_a_hook_spec_says_when_it_fires_and_what_its_result_means(name: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, name))
    assert doc, f"{name} has no docstring"
    assert "Fires" in doc, f"{name}: the docstring does not say when it fires"
    assert "result" in doc.lower(), f"{name}: the docstring does not say what its result means"


@pytest.mark.parametrize("name", HOOK_SPECS)
def test_a_hook_spec_is_fully_annotated(name: str) -> None:
    spec = getattr(hookspecs, name)
    hints = get_type_hints(spec)  # resolves every annotation, or raises
    params = inspect.signature(spec).parameters
    assert params, f"{name} takes no arguments"
    for param in params.values():
        assert param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD, (name, param.name)
        assert param.name in hints, f"{name}: parameter {param.name} is not annotated"
    assert "return" in hints, f"{name}: the return is not annotated"


@pytest.mark.parametrize("name", HOOK_SPECS)
def test_every_hook_receives_the_host(name: str) -> None:
    spec = getattr(hookspecs, name)
    assert next(iter(inspect.signature(spec).parameters)) == "host"
    assert get_type_hints(spec)["host"] is linli_sdk.Host


def test_the_specs_load_into_a_plugin_manager() -> None:
    pm = pluggy.PluginManager(hookspecs.NAME)
    pm.add_hookspecs(hookspecs)
    for name in HOOK_SPECS:
        assert getattr(pm.hook, name).spec is not None


def _attribute_docstrings() -> dict[str, str]:
    """Module-level ``NAME = value`` followed by a string literal, across the SDK's sources."""
    found: dict[str, str] = {}
    for path in SDK_SOURCES.glob("*.py"):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        for node, following in itertools.pairwise(body):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = list(node.targets)
            elif isinstance(node, ast.AnnAssign):
                targets = [node.target]
            if not (
                isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                continue
            for target in targets:
                if isinstance(target, ast.Name):
                    found[target.id] = following.value.value
    return found


@pytest.mark.parametrize("name", sorted(linli_sdk.__all__))
def test_every_public_name_is_documented(name: str) -> None:
    obj = getattr(linli_sdk, name)
    if inspect.isclass(obj) or inspect.isfunction(obj):
        doc = obj.__doc__ or ""
        assert doc.strip(), f"linli_sdk.{name} has no docstring"
        if inspect.isclass(obj) and "__dataclass_fields__" in vars(obj):
            assert not doc.startswith(f"{name}("), f"{name}: only the generated dataclass doc"
    else:  # hookimpl, __version__: a docstring right after the assignment
        assert _attribute_docstrings().get(name, "").strip(), f"linli_sdk.{name} is undocumented"


def test_all_names_exist() -> None:
    missing = [name for name in linli_sdk.__all__ if not hasattr(linli_sdk, name)]
    assert missing == []
    assert len(set(linli_sdk.__all__)) == len(linli_sdk.__all__)


def test_public_methods_of_public_classes_are_documented() -> None:
    undocumented = []
    for name in linli_sdk.__all__:
        obj = getattr(linli_sdk, name)
        if not inspect.isclass(obj):
            continue
        for attr, member in vars(obj).items():
            if isinstance(member, classmethod | staticmethod):
                member = member.__func__
            if attr.startswith("_") or not (
                inspect.isfunction(member) or isinstance(member, property)
            ):
                continue
            if not (member.__doc__ or "").strip():
                undocumented.append(f"{name}.{attr}")
    assert undocumented == []


def test_the_sdk_imports_no_web_framework() -> None:
    code = (
        "import json, sys; import linli_sdk; "
        "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(json.loads(result.stdout))
    assert "linli_sdk" in loaded
    for framework in ("litestar", "piccolo", "starlette", "fastapi", "uvicorn", "linli"):
        assert framework not in loaded, f"importing linli_sdk loads {framework}"


def test_the_version_matches_the_distribution() -> None:
    project = tomllib.loads((SDK_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert linli_sdk.__version__ == project["project"]["version"]
