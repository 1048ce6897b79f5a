"""The scaffold: a new module's package, written from the template shipped with the SDK.

``linli plugin new NAME`` calls :func:`new_module`; an author with the SDK alone runs
``python -m linli_sdk.scaffold NAME`` (after ``pip install 'linli-sdk[scaffold]'``), or copier
itself on :data:`TEMPLATE`. The package it writes has a pyproject with the entry point and the
SDK range, the manifest, a settings model, revenue-share rules, one command and one query, a
table with its first migration, kit tests that pass as written, and a README.
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime
from pathlib import Path

from packaging.version import Version

from . import __version__

__all__ = ["TEMPLATE", "migration_id", "new_module", "sdk_range"]

TEMPLATE = Path(__file__).parent / "module_template"
"""The copier template of a new module (its ``copier.yml`` lists the questions)."""

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def sdk_range(version: str = __version__) -> str:
    """The SDK range a module made for SDK ``version`` declares: the releases compatible with it.

    Before 1.0 each minor release may break modules (``0.1.3`` gives ``>=0.1,<0.2``); from 1.0
    on, each major release (``1.2.0`` gives ``>=1.2,<2``).

    Example:
        >>> sdk_range("0.1.3"), sdk_range("1.2.0")
        ('>=0.1,<0.2', '>=1.2,<2')

    """
    parsed = Version(version)
    major, minor = parsed.major, parsed.minor
    if major == 0:
        return f">=0.{minor},<0.{minor + 1}"
    return f">={major}.{minor},<{major + 1}"


def migration_id(when: datetime) -> str:
    """A Piccolo migration id for the moment ``when`` (UTC), e.g. ``2026-12-04T20:34:36:082490``."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S:%f")


def new_module(
    name: str,
    destination: Path,
    *,
    title: str | None = None,
    description: str | None = None,
    now: datetime | None = None,
) -> Path:
    """Write the package of a new module called ``name`` into ``destination`` and return it.

    Args:
        name: The module's name (lower-case letters, digits and ``_``), e.g. ``toolbox``; the
            package is ``linli_<name>``, the distribution ``linli-<name>``.
        destination: A directory that does not exist yet or is empty.
        title: The module's title for operators (default: made from the name).
        description: One sentence on what it does.
        now: When the first migration is made (default: now).

    Raises:
        ValueError: ``name`` is not a module name, or ``destination`` is not empty.
        ModuleNotFoundError: copier is not installed (``pip install 'linli-sdk[scaffold]'``).

    """
    if not _NAME.match(name):
        raise ValueError(
            f"invalid module name {name!r}: use 2-40 lower-case letters, digits and _, "
            "starting with a letter"
        )
    if destination.exists() and any(destination.iterdir()):
        raise ValueError(f"{destination} is not empty")
    try:
        from copier import run_copy
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            "the scaffold needs copier: pip install 'linli-sdk[scaffold]'"
        ) from exc
    data = {
        "module": name,
        "sdk_range": sdk_range(),
        "migration_id": migration_id(now or datetime.now(UTC)),
    }
    if title is not None:
        data["title"] = title
    if description is not None:
        data["description"] = description
    run_copy(str(TEMPLATE), destination, data=data, defaults=True, quiet=True)
    return destination


def main(argv: list[str] | None = None) -> None:
    """``python -m linli_sdk.scaffold NAME [--dir PATH]``: write a new module's package."""
    parser = argparse.ArgumentParser(prog="python -m linli_sdk.scaffold", description=__doc__)
    parser.add_argument("name", help="the module's name, e.g. toolbox")
    parser.add_argument("--dir", type=Path, help="where to write it (default: ./linli-NAME)")
    parser.add_argument("--title", help="the module's title for operators")
    parser.add_argument("--description", help="one sentence on what it does")
    args = parser.parse_args(argv)
    where = args.dir or Path(f"linli-{args.name.replace('_', '-')}")
    try:
        new_module(args.name, where, title=args.title, description=args.description)
    except ValueError as exc:
        parser.error(str(exc))
    print(f"wrote {where}: cd {where} && uv run pytest")


if __name__ == "__main__":  # pragma: no cover
    main()
