"""``linli plugin install``: a module from outside the workspace, in a directory uv sync leaves be.

The shared toolbox (``examples/toolbox``) is such a module: installed the documented way, it is
loaded by the registry and lends a drill over HTTP, deposit held and released.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from linli.cli import main as linli_cli
from linli.modules.registry import load_modules
from linli.settings import Settings
from uv_env import ROOT

TOOLBOX = ROOT / "examples" / "toolbox"


@pytest.fixture(autouse=True)
def own_import_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a test puts on the import path (a modules directory) is gone after it."""
    monkeypatch.setattr(sys, "path", list(sys.path))


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UV_OFFLINE", "1")  # building a local project needs only uv's cache
    monkeypatch.setenv("UV_LINK_MODE", "copy")


def plugin_install(modules: Path, *args: str) -> Any:
    return CliRunner().invoke(
        linli_cli, ["plugin", "install", *args], env={"LINLI_MODULES_DIR": str(modules)}
    )


@pytest.mark.usefixtures("offline")
def test_an_installed_module_is_loaded_from_the_modules_directory(tmp_path):
    modules = tmp_path / "linli-modules"
    assert "toolbox" not in load_modules(Settings(modules_dir=modules)).modules
    result = plugin_install(modules, str(TOOLBOX))
    assert result.exit_code == 0, result.output
    assert f"installed linli-toolbox 0.1.0 into {modules}: toolbox" in result.output
    assert (modules / "linli_toolbox-0.1.0.dist-info").is_dir()
    loaded = load_modules(Settings(modules_dir=modules)).modules["toolbox"]
    assert loaded.distribution == "linli-toolbox 0.1.0"
    assert [op.name for op in loaded.manifest.operations] == [
        "borrow-tool",
        "return-tool",
        "my-loans",
    ]


@pytest.mark.usefixtures("offline")
def test_without_its_modules_directory_the_platform_does_not_see_the_module(tmp_path):
    modules = tmp_path / "linli-modules"
    assert plugin_install(modules, str(TOOLBOX)).exit_code == 0
    assert "toolbox" not in load_modules(Settings(modules_dir=None)).modules
    assert "toolbox" not in load_modules(Settings(modules_dir=tmp_path / "elsewhere")).modules


@pytest.mark.usefixtures("offline")
def test_an_editable_install_runs_the_sources_in_place(tmp_path):
    modules = tmp_path / "linli-modules"
    result = plugin_install(modules, "--editable", str(TOOLBOX))
    assert result.exit_code == 0, result.output
    assert not (modules / "linli_toolbox").exists()  # the code stays where it is
    (pth,) = modules.glob("*.pth")
    assert pth.read_text().strip() == str(TOOLBOX / "src")
    assert "toolbox" in load_modules(Settings(modules_dir=modules)).modules


def test_a_project_that_is_not_a_module_is_refused(tmp_path):
    modules = tmp_path / "linli-modules"
    result = plugin_install(modules, str(ROOT / "sdk"))
    assert result.exit_code == 1
    assert 'declares no [project.entry-points."linli.plugins"]' in result.output
    assert not any(modules.glob("*.dist-info"))


@pytest.mark.usefixtures("offline")
def test_a_module_needing_what_the_platform_lacks_is_refused_and_removed(tmp_path):
    project = tmp_path / "needy"
    (project / "src" / "linli_needy").mkdir(parents=True)
    (project / "src" / "linli_needy" / "__init__.py").write_text("")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "linli-needy"\nversion = "0.1.0"\n'
        'dependencies = ["linli-sdk>=0.1", "no-such-distribution-here>=1"]\n'
        '[project.entry-points."linli.plugins"]\nneedy = "linli_needy"\n'
        '[build-system]\nrequires = ["hatchling>=1.26"]\nbuild-backend = "hatchling.build"\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["src/linli_needy"]\n'
    )
    modules = tmp_path / "linli-modules"
    result = plugin_install(modules, str(project))
    assert result.exit_code == 1
    assert "needs what the platform's environment lacks: no-such-distribution-here>=1" in (
        result.output
    )
    assert not any(modules.glob("linli_needy*"))


@pytest.mark.usefixtures("offline")
async def test_the_installed_toolbox_lends_a_drill_over_http(start_platform, tmp_path):
    modules = tmp_path / "linli-modules"
    assert plugin_install(modules, str(TOOLBOX)).exit_code == 0
    async with start_platform(modules_dir=modules, modules=["toolbox"]) as running:
        url = "/v1/communities/home/modules/toolbox"
        lender = running.people["leader"]
        fee = {"amount": 1_000, "currency": "CNY"}
        borrowed = await running.client.post(
            f"{url}/borrow-tool",
            json={"tool": "电钻 drill", "lender_id": lender.id, "fee": fee},
            headers=running.auth("resident"),
        )
        assert borrowed.status_code == 200, borrowed.text
        loan = borrowed.json()
        await running.platform.settlement.idle()  # the gateway takes the fee, holds the deposit
        returned = await running.client.post(
            f"{url}/return-tool", json={"loan_id": loan["id"]}, headers=running.auth("leader")
        )
        assert returned.status_code == 200, returned.text
        assert returned.json()["on_time"] is True
        await running.platform.settlement.idle()
        charges = "/v1/communities/home/settlement/charges"
        deposit = await running.client.get(
            f"{charges}/{loan['deposit_charge_id']}", headers=running.auth("operator")
        )
        taken = await running.client.get(
            f"{charges}/{loan['fee_charge_id']}", headers=running.auth("operator")
        )
    assert deposit.status_code == 200, deposit.text
    assert (deposit.json()["status"], deposit.json()["amount"]["amount"]) == ("voided", 20_000)
    assert taken.json()["status"] == "captured"
    assert taken.json()["parts"]["lender"] == {"amount": 950, "currency": "CNY"}


@pytest.mark.usefixtures("offline")
def test_the_demo_enables_the_installed_toolbox(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the defaults: ./linli.db and ./linli-modules
    monkeypatch.delenv("LINLI_MODULES_DIR", raising=False)
    monkeypatch.delenv("LINLI_DATABASE_URL", raising=False)
    runner = CliRunner()
    installed = runner.invoke(linli_cli, ["plugin", "install", str(TOOLBOX)])
    assert installed.exit_code == 0, installed.output
    assert (tmp_path / "linli-modules" / "linli_toolbox-0.1.0.dist-info").is_dir()
    demo = runner.invoke(linli_cli, ["demo", "--no-serve"])
    assert demo.exit_code == 0, demo.output
    listed = runner.invoke(linli_cli, ["modules", "list", "--community", "sunny-garden"])
    (toolbox,) = [line for line in listed.output.splitlines() if line.startswith("toolbox ")]
    assert "Shared toolbox (共享工具箱)" in toolbox
    assert toolbox.endswith("enabled=True")
