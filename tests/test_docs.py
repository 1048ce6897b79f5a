"""The documentation is tested like code.

Every hook is documented with its real signature, every public SDK name appears in the docs,
every example under docs/examples/ runs (and the plugin example works through the kit and on
the platform), every snippet include resolves, and the README's commands are the ones the
getting-started page gives.

The site build itself (`uv run mkdocs build --strict`) is not a test here: CI runs it as its
own step (see .ci/run), and it fails on any warning, e.g. a broken link or cross-reference.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import click
import linli_sdk
import pytest
from click.testing import CliRunner
from linli.cli import main as linli_cli
from linli.errors import Unauthorized
from linli.modules.calls import OperationFailed
from linli.modules.hooks import PluginHooks
from linli.settings import Settings
from linli.testing import write_distribution
from linli_sdk import LinliError, Role, hookspecs

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
PAGES = sorted(DOCS.rglob("*.md"))
SNIPPET = re.compile(r'^\s*--8<--\s+"([^"]+)"', re.MULTILINE)
RENDERED = re.compile(r"^:::\s+(linli_sdk\.[a-z_]+)\s*$", re.MULTILINE)


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def all_pages() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in PAGES)


def mentioned(name: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def import_example(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    return importlib.import_module(name)


# --- hooks -----------------------------------------------------------------------------------


HOOKS = sorted(
    (name, spec)
    for name, spec in vars(hookspecs).items()
    if name.startswith("linli_") and inspect.isfunction(spec)
)


def spec_signature(name: str, spec: object) -> str:
    """The signature as hooks.md spells it, from the specification's own annotations."""
    annotations = dict(inspect.get_annotations(spec))  # strings: hookspecs uses __future__
    returns = annotations.pop("return")
    params = ", ".join(f"{arg}: {annotation}" for arg, annotation in annotations.items())
    return f"def {name}({params}) -> {returns}"


def test_there_are_hooks_to_document():
    assert len(HOOKS) >= 5


@pytest.mark.parametrize(("name", "spec"), HOOKS, ids=[name for name, _ in HOOKS])
def test_every_hook_is_documented_with_its_signature(name, spec):
    hooks_page = page("hooks.md")
    assert f"### `{name}`" in hooks_page, f"docs/hooks.md has no section for {name}"
    assert spec_signature(name, spec) in hooks_page, (
        f"docs/hooks.md does not show the signature of {name}: {spec_signature(name, spec)}"
    )


def test_the_hooks_page_documents_no_hook_that_does_not_exist():
    documented = set(re.findall(r"^### `(linli_\w+)`", page("hooks.md"), re.MULTILINE))
    assert documented == {name for name, _ in HOOKS}


# --- public names ------------------------------------------------------------------------------


def test_every_public_sdk_module_has_a_reference_page():
    package = Path(linli_sdk.__file__).parent
    public = {p.stem for p in package.glob("*.py") if not p.stem.startswith("_")}
    rendered = {m.removeprefix("linli_sdk.") for m in RENDERED.findall(all_pages())}
    assert public <= rendered, f"no '::: linli_sdk.<module>' page for {sorted(public - rendered)}"


def test_every_name_the_sdk_exports_appears_in_the_docs():
    text = all_pages()
    rendered: set[str] = set()
    for module in RENDERED.findall(text):
        rendered |= set(getattr(importlib.import_module(module), "__all__", ()))
    missing = [
        name for name in linli_sdk.__all__ if not mentioned(name, text) and name not in rendered
    ]
    assert missing == []


def test_every_problem_type_is_listed_on_the_http_page():
    importlib.import_module("linli_sdk.revenue_share")  # defines the money rules' errors

    def subclasses(cls: type[LinliError]) -> set[type[LinliError]]:
        found = set(cls.__subclasses__())
        return found.union(*(subclasses(sub) for sub in found))

    errors = {LinliError, Unauthorized, OperationFailed} | subclasses(LinliError)
    http = page("http.md")
    ours = [e for e in errors if e.__module__.startswith(("linli_sdk.", "linli."))]
    missing = sorted(e.slug for e in ours if f"urn:linli:problem:{e.slug}" not in http)
    assert missing == []


def test_every_setting_is_on_the_operating_page():
    operating = page("operating.md")
    missing = [
        f"LINLI_{field.upper()}"
        for field in Settings.model_fields
        if f"`LINLI_{field.upper()}`" not in operating
    ]
    assert missing == []


def cli_help(*args: str) -> str:
    # 78 columns: what click uses when the output is not a terminal (80 minus its margin)
    result = CliRunner().invoke(linli_cli, [*args, "--help"], prog_name="linli", terminal_width=78)
    assert result.exit_code == 0, result.output
    return result.output.strip()


def cli_commands(group: click.Group = linli_cli, prefix: tuple[str, ...] = ()) -> list[tuple]:
    found: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += cli_commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("command", [(), *cli_commands()], ids=lambda c: " ".join(("linli", *c)))
def test_the_operating_page_shows_each_commands_real_help(command):
    assert cli_help(*command) in page("operating.md")


# --- examples ----------------------------------------------------------------------------------


EXAMPLE_FILES = sorted(EXAMPLES.glob("*.py"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=[p.name for p in EXAMPLE_FILES])
def test_every_example_runs(example):
    done = run(str(example))
    assert done.returncode == 0, done.stdout + done.stderr


TEST_EXAMPLES = [p for p in EXAMPLE_FILES if p.name.endswith("_test.py")]


@pytest.mark.parametrize("example", TEST_EXAMPLES, ids=[p.name for p in TEST_EXAMPLES])
def test_every_example_test_file_passes(example):
    done = run("-m", "pytest", "-q", str(example))
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b\d+ passed\b", done.stdout), done.stdout


def test_every_example_is_shown_on_a_page():
    included = set(SNIPPET.findall(all_pages()))
    orphans = [p.name for p in EXAMPLE_FILES if f"docs/examples/{p.name}" not in included]
    assert orphans == []


async def test_the_plugin_example_works_through_the_kit(linli_kit, monkeypatch):
    thanks = import_example("plugin_minimal", monkeypatch)
    kit = linli_kit(thanks)
    chen = kit.add_member("Resident Chen", Role.RESIDENT)
    liu = kit.add_member("Resident Liu", Role.RESIDENT)

    said = await kit.call("say-thanks", {"to_member_id": liu.id, "message": "谢谢"}, as_=chen)

    assert said.to == "Resident Liu"
    (event,) = kit.host.events.published
    assert kit.host.credit.events == {event.id: (liu.id, "thanked", 1)}
    assert [op.name for op in thanks.manifest.operations] == [
        "say-thanks",
        "neighbour",
        "thank-you-card",
        "watch-neighbour",
    ]


async def test_the_plugin_example_loads_and_serves_on_the_platform(
    start_platform, tmp_path, monkeypatch, caplog
):
    site = tmp_path / "site-packages"
    write_distribution(site, "linli-thanks", "0.1.0", {"thanks": "plugin_minimal"})
    monkeypatch.syspath_prepend(str(site))
    import_example("plugin_minimal", monkeypatch)
    importlib.invalidate_caches()
    caplog.set_level(logging.INFO)
    delivered: list[tuple[str, str, bool]] = []
    deliver = PluginHooks.event

    async def spy(self, module, host, event):
        ok = await deliver(self, module, host, event)
        delivered.append((module, event.type, ok))
        return ok

    monkeypatch.setattr(PluginHooks, "event", spy)

    async with start_platform() as running:
        assert "thanks" in running.platform.registry.modules, running.platform.registry.refused
        base = "/v1/communities/home/modules/thanks"
        enabled = await running.client.put(
            "/v1/communities/home/modules/thanks",
            json={"enabled": True},
            headers=running.auth("operator"),
        )
        assert enabled.status_code == 200, enabled.text

        leader = running.people["leader"]
        said = await running.client.post(
            f"{base}/say-thanks",
            json={"to_member_id": leader.id, "message": "thank you for the group buy"},
            headers=running.auth("resident"),
        )
        assert said.status_code == 200, said.text
        assert said.json()["to"] == "Lead"

        looked_up = await running.client.get(
            f"{base}/neighbour", params={"member_id": leader.id}, headers=running.auth("newcomer")
        )
        assert looked_up.json() == {"id": leader.id, "display_name": "Lead", "verified": True}

        card = await running.client.get(
            f"{base}/thank-you-card",
            params={"member_id": leader.id},
            headers=running.auth("resident"),
        )
        assert card.status_code == 200
        assert card.headers["content-type"].startswith("text/plain")
        assert 'filename="thanks-' in card.headers["content-disposition"]

        watched = await running.client.get(
            f"{base}/watch-neighbour",
            params={"member_id": leader.id, "updates": 1},
            headers=running.auth("newcomer"),
        )
        assert watched.headers["content-type"].startswith("text/event-stream")
        assert "event: watch-neighbour" in watched.text
        assert f'data: {{"id":{leader.id},"display_name":"Lead","verified":true}}' in watched.text

        refused = await running.client.post(
            f"{base}/say-thanks",
            json={"to_member_id": leader.id, "message": "hi"},
            headers=running.auth("newcomer"),
        )
        assert refused.status_code == 403
        assert refused.json()["type"] == "urn:linli:problem:forbidden"

    # the event reached the plugin's linli_event hook, which did without community credit
    assert ("thanks", "thanks.thanked", True) in delivered
    assert not [r for r in caplog.records if "module thanks failed" in r.getMessage()]


# --- snippets and the README -------------------------------------------------------------------


def test_every_snippet_include_exists():
    for source in PAGES:
        for target in SNIPPET.findall(source.read_text(encoding="utf-8")):
            path = re.sub(r"(:-?\d+){1,2}$", "", target)  # "file.py:10:20" includes lines
            assert (ROOT / path).is_file(), f"{source.relative_to(ROOT)} includes {target}"


README_COMMANDS = ("uv run linli demo", "uv run pytest")


def fenced_lines(markdown: str) -> list[str]:
    """The lines inside fenced code blocks, without a shell prompt or a trailing comment."""
    lines, fence = [], None
    for line in markdown.splitlines():
        stripped = line.strip()
        if fence is None and stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif fence is not None and stripped.startswith(fence):
            fence = None
        elif fence is not None and stripped and not stripped.startswith("#"):
            lines.append(re.sub(r"\s+#.*$", "", stripped.removeprefix("$ ")))
    return lines


@pytest.mark.parametrize("marker", README_COMMANDS)
def test_the_readme_commands_are_the_getting_started_commands(marker):
    readme = ROOT / "README.md"
    if not readme.is_file():
        pytest.skip("there is no README.md at the repository root")
    commands = [line for line in fenced_lines(readme.read_text(encoding="utf-8")) if marker in line]
    assert commands, f"README.md shows no command with '{marker}' in a code block"
    getting_started = fenced_lines(page("getting-started.md"))
    for command in commands:
        assert command in getting_started, f"README.md's '{command}' is not in getting-started.md"


def test_ci_builds_the_site_strictly():
    ci = ROOT / ".ci" / "run"
    if not ci.is_file():
        pytest.skip("no .ci/run")
    assert "mkdocs build --strict" in ci.read_text(encoding="utf-8")
