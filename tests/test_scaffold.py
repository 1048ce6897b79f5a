"""``linli plugin new``: the package the SDK's template writes, and its tests passing as written."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import linli_sdk
import pytest
from click.testing import CliRunner
from linli.cli import main as linli_cli
from linli_sdk.scaffold import TEMPLATE, migration_id, new_module, sdk_range
from packaging.requirements import Requirement
from uv_env import ROOT, uv_run


def new(tmp_path: Path, *args: str) -> tuple[Path, str]:
    where = tmp_path / "linli-shelf"
    result = CliRunner().invoke(linli_cli, ["plugin", "new", "shelf", "--dir", str(where), *args])
    assert result.exit_code == 0, result.output
    return where, result.output


def run_tests(python: Path | str, project: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:linli", "tests"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", **env},
        check=False,
    )


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.1.0", ">=0.1,<0.2"),
        ("0.7.3", ">=0.7,<0.8"),
        ("1.0.0", ">=1.0,<2"),
        ("2.3.1", ">=2.3,<3"),
    ],
)
def test_a_new_module_declares_the_releases_compatible_with_its_sdk(version, expected):
    assert sdk_range(version) == expected


def test_the_template_defaults_to_the_range_of_the_running_sdk():
    # copier run by hand on TEMPLATE gets this default; `linli plugin new` passes it anyway
    copier_yml = (TEMPLATE / "copier.yml").read_text()
    assert f'default: "{sdk_range()}"' in copier_yml


def test_linli_plugin_new_writes_an_installable_module_package(tmp_path):
    made = datetime(2026, 12, 4, 20, 34, 36, 82490, tzinfo=UTC)
    where = new_module("shelf", tmp_path / "shelf", title="Book shelf (图书角)", now=made)
    project = tomllib.loads((where / "pyproject.toml").read_text())["project"]
    assert project["name"] == "linli-shelf"
    assert project["entry-points"]["linli.plugins"] == {"shelf": "linli_shelf.plugin"}
    (sdk,) = [Requirement(r) for r in project["dependencies"] if r.startswith("linli-sdk")]
    assert sdk.specifier.contains(linli_sdk.__version__)
    package = where / "src" / "linli_shelf"
    migration = package / "piccolo_migrations" / "shelf_2026_12_04t20_34_36_082490.py"
    assert f'ID = "{migration_id(made)}"' in migration.read_text()
    assert 'tablename="shelf_order"' in migration.read_text()
    plugin = (package / "plugin.py").read_text()
    assert 'title="Book shelf (图书角)"' in plugin
    assert f'sdk="{sdk_range()}"' in plugin
    for name in ("tables.py", "piccolo_app.py", "py.typed", "__init__.py"):
        assert (package / name).is_file()
    assert (where / "tests" / "test_shelf_kit.py").is_file()
    assert "linli plugin install" in (where / "README.md").read_text()


def test_the_new_modules_tests_pass_as_written(tmp_path):
    where, output = new(tmp_path)
    assert f"wrote {where}" in output
    done = run_tests(sys.executable, where, PYTHONPATH=str(where / "src"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "9 passed" in done.stdout


@pytest.mark.parametrize(
    ("name", "message"), [("Shelf", "invalid module name"), ("x", "invalid module name")]
)
def test_a_bad_module_name_is_refused_and_nothing_written(tmp_path, name, message):
    result = CliRunner().invoke(linli_cli, ["plugin", "new", name, "--dir", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "m").exists()


def test_a_directory_that_is_not_empty_is_left_alone(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    result = CliRunner().invoke(linli_cli, ["plugin", "new", "shelf", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_the_template_ships_inside_the_sdk_wheel(tmp_path):
    uv_run("build", "--wheel", "--quiet", "--out-dir", str(tmp_path), str(ROOT / "sdk"))
    (wheel,) = tmp_path.glob("linli_sdk-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n.split("module_template/", 1)[1] for n in names if "module_template/" in n}
    written = {str(p.relative_to(TEMPLATE)) for p in TEMPLATE.rglob("*") if p.is_file()}
    assert shipped == written
    assert "linli_sdk/scaffold.py" in names


@pytest.mark.slow
def test_a_new_modules_tests_pass_where_only_the_sdk_is_installed(tmp_path, sdk_venv):
    where, _ = new(tmp_path)
    assert subprocess.run([sdk_venv, "-c", "import linli"], check=False).returncode != 0
    uv_run("pip", "install", "--quiet", "--python", str(sdk_venv), "--no-deps", str(where))
    done = run_tests(sdk_venv, where)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "9 passed" in done.stdout


def test_an_sdk_only_author_scaffolds_with_python_dash_m(tmp_path, capsys):
    from linli_sdk.scaffold import main

    main(["shelf", "--dir", str(tmp_path / "shelf")])
    assert f"wrote {tmp_path / 'shelf'}" in capsys.readouterr().out
    assert (tmp_path / "shelf" / "src" / "linli_shelf" / "plugin.py").is_file()
    with pytest.raises(SystemExit):  # a bad name is a usage error
        main(["Shelf", "--dir", str(tmp_path / "other")])
    assert "invalid module name" in capsys.readouterr().err
