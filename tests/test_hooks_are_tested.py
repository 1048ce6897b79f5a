"""Every hook the SDK specifies is exercised by at least one test (datasette's rule)."""

from __future__ import annotations

from pathlib import Path

from linli_sdk import hookspecs

ROOT = Path(__file__).resolve().parents[1]


def test_every_hook_is_exercised_by_a_test():
    hooks = sorted(name for name in vars(hookspecs) if name.startswith("linli_"))
    sources = [
        path.read_text()
        for pattern in ("tests/**/*.py", "sdk/tests/**/*.py", "plugins/*/tests/**/*.py")
        for path in ROOT.glob(pattern)
        if path.name != Path(__file__).name
    ]
    untested = [hook for hook in hooks if not any(hook in text for text in sources)]
    assert hooks, "no hooks found"
    assert untested == [], f"hooks no test mentions: {untested}"
