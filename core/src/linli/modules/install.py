"""Modules installed from outside the workspace, into a directory of their own.

``uv sync`` makes the platform's environment exactly what ``uv.lock`` says, so a module
installed into it by hand (``uv pip install -e ../my-module``) is removed by the next sync.
Modules the operator installs with ``linli plugin install PATH`` go instead into the modules
directory (``LINLI_MODULES_DIR``, ``linli-modules`` by default), which no sync touches; the
platform puts that directory on its import path at start-up, before it discovers modules by
entry point. A module there uses the platform's own packages (the SDK, Piccolo, pydantic…):
it is installed without its dependencies, and refused at install time if the platform lacks
one of them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from importlib.metadata import Distribution, PackageNotFoundError, distributions, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from linli.modules.registry import ENTRY_POINT_GROUP, activate

__all__ = ["InstallFailed", "InstalledModule", "activate", "install", "uninstall", "unmet"]


class InstallFailed(RuntimeError):
    """A module could not be installed into the modules directory; the message says why."""


@dataclass(frozen=True, slots=True)
class InstalledModule:
    """A distribution installed into the modules directory and the modules it declares."""

    distribution: str
    version: str
    modules: tuple[str, ...]


def _uv(*args: str) -> subprocess.CompletedProcess[str]:
    uv = shutil.which("uv")
    if uv is None:
        raise InstallFailed("installing a module needs uv on PATH (pip install uv)")
    return subprocess.run([uv, *args], capture_output=True, text=True, check=False)


def _project_name(source: Path) -> str:
    pyproject = source / "pyproject.toml"
    if not pyproject.is_file():
        raise InstallFailed(f"{source} has no pyproject.toml: give a module's project directory")
    project = tomllib.loads(pyproject.read_text()).get("project", {})
    points = project.get("entry-points", {}).get(ENTRY_POINT_GROUP, {})
    if not points:
        raise InstallFailed(
            f'{source} declares no [project.entry-points."{ENTRY_POINT_GROUP}"]: '
            "it is not a Linli module"
        )
    return str(project["name"])


def _installed(directory: Path, name: str) -> Distribution | None:
    wanted = canonicalize_name(name)
    found = distributions(path=[str(directory)])
    return next((d for d in found if canonicalize_name(d.metadata["Name"]) == wanted), None)


def unmet(dist: Distribution, directory: Path) -> list[str]:
    """The requirements of ``dist`` that neither the platform nor the modules directory meets."""
    missing = []
    for line in dist.requires or ():
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        found: str | None
        try:
            found = version(requirement.name)
        except PackageNotFoundError:
            there = _installed(directory, requirement.name)
            found = there.version if there is not None else None
        if found is None or not requirement.specifier.contains(found, prereleases=True):
            have = f" (the platform has {found})" if found else ""
            missing.append(f"{requirement}{have}")
    return missing


def uninstall(name: str, directory: Path) -> None:
    """Remove the distribution ``name`` from the modules directory."""
    done = _uv("pip", "uninstall", "--python", sys.executable, "--target", str(directory), name)
    if done.returncode != 0:
        raise InstallFailed(f"uv could not remove {name}:\n{done.stderr.strip()}")


def install(source: Path, directory: Path, *, editable: bool = False) -> InstalledModule:
    """Install the module project at ``source`` into ``directory``, replacing an older copy.

    Args:
        source: The module's project directory (with its ``pyproject.toml``).
        directory: The modules directory (created if missing).
        editable: Install in development mode: the platform runs the sources in ``source``.

    Raises:
        InstallFailed: ``source`` is not a module, uv failed, or the module needs a package
            (or a version of one) the platform's environment lacks; nothing stays installed.

    """
    source = source.resolve()
    name = _project_name(source)
    directory.mkdir(parents=True, exist_ok=True)
    args = ["pip", "install", "--python", sys.executable, "--target", str(directory)]
    args += ["--no-deps", "--reinstall", *(["-e"] if editable else []), str(source)]
    done = _uv(*args)
    if done.returncode != 0:
        raise InstallFailed(f"uv could not install {source}:\n{done.stderr.strip()}")
    dist = _installed(directory, name)
    if dist is None:
        raise InstallFailed(f"uv installed {source}, but {name} is not in {directory}")
    missing = unmet(dist, directory)
    if missing:
        uninstall(name, directory)
        raise InstallFailed(
            f"{name} needs what the platform's environment lacks: {'; '.join(missing)}. "
            "Add it to the platform's dependencies, then install the module again."
        )
    modules = tuple(sorted(p.name for p in dist.entry_points if p.group == ENTRY_POINT_GROUP))
    return InstalledModule(dist.metadata["Name"], dist.version, modules)
