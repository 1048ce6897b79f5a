"""The files under deploy/ agree with the CLI and the settings, and the docs show them all.

Every ``linli`` command a systemd unit or the compose file runs exists and accepts its options
(``linli CMD --help`` answers, and the arguments parse); every ``LINLI_*`` name the env example
mentions is a setting, and its uncommented lines load as :class:`~linli.settings.Settings`.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner
from linli.cli import main
from linli.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
ENV_EXAMPLE = DEPLOY / "linli.env.example"


def _unit_commands() -> list[list[str]]:
    """The arguments after ``linli`` of every unit's ``ExecStart``."""
    commands = []
    for unit in UNITS:
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                argv = shlex.split(line.removeprefix("ExecStart="))
                assert Path(argv[0]).name == "linli", f"{unit.name} runs {argv[0]}"
                commands.append(argv[1:])
    return commands


def _compose_commands() -> list[list[str]]:
    """The ``command`` of every compose service built from the Linli image (entry point linli)."""
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return [
        service["command"]
        for service in compose["services"].values()
        if service.get("image") == "linli:latest"
    ]


def _check_command(args: list[str]) -> None:
    """``linli ARGS`` names a command whose options parse, and ``--help`` answers for it."""
    command: click.Command = main
    path: list[str] = []
    rest = list(args)
    while isinstance(command, click.Group):
        name = rest.pop(0)
        found = command.get_command(click.Context(command), name)
        assert found is not None, f"no command 'linli {' '.join([*path, name])}'"
        command, path = found, [*path, name]
    command.make_context(" ".join(path), list(rest))  # raises on an unknown option or argument
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output


def test_units_cover_migrate_serve_with_workers_and_dispatch_workers():
    commands = _unit_commands()
    assert ["migrate"] in commands
    assert ["dispatch", "work"] in commands
    assert any(c[0] == "serve" and "--workers" in c and "--no-migrate" in c for c in commands)


@pytest.mark.parametrize("source", ["systemd", "compose"])
def test_every_command_the_files_run_exists(source):
    commands = _unit_commands() if source == "systemd" else _compose_commands()
    assert commands
    for args in commands:
        _check_command(args)


def test_a_command_that_does_not_exist_is_caught():
    with pytest.raises(AssertionError, match="no command"):
        _check_command(["dispatch", "sweep"])
    with pytest.raises(click.UsageError):
        _check_command(["serve", "--threads", "4"])


def test_every_setting_the_env_example_names_is_a_setting(monkeypatch, tmp_path):
    text = ENV_EXAMPLE.read_text()
    named = set(re.findall(r"\bLINLI_([A-Z0-9_]+)=", text))
    assert named, "the env example names no setting"
    unknown = sorted(n for n in named if n.lower() not in Settings.model_fields)
    assert unknown == []
    for name in Settings.model_fields:  # only the file's values, not this machine's
        monkeypatch.delenv(f"LINLI_{name.upper()}", raising=False)
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=ENV_EXAMPLE)  # type: ignore[call-arg]
    assert settings.database_statement_cache_size == 0
    assert settings.dispatch_worker is False


def test_compose_declares_every_named_volume_and_the_services_it_waits_for():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert source.startswith(".") or source in compose["volumes"], source
        assert set(service.get("depends_on", {})) <= set(services)


def test_the_units_read_the_env_file_the_docs_install():
    for unit in UNITS:
        assert "EnvironmentFile=/etc/linli/linli.env\n" in unit.read_text(), unit.name


def test_the_docs_include_every_deploy_file():
    page = (ROOT / "docs" / "deploying.md").read_text()
    included = set(re.findall(r'--8<-- "(deploy/[^"]+)"', page))
    shipped = {str(p.relative_to(ROOT)) for p in DEPLOY.rglob("*") if p.is_file()} - {
        "deploy/Dockerfile.dockerignore"
    }
    assert sorted(shipped - included) == []
