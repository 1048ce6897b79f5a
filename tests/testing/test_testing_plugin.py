"""The core's pytest plugin, ``linli.testing``: its fixtures work anywhere, as documented."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

SAY = "/v1/communities/{c}/modules/probe/say"


async def say(running, community: str = "home", who: str = "resident"):
    return await running.client.post(
        SAY.format(c=community), json={"text": "hi"}, headers=running.auth(who)
    )


@pytest.mark.usefixtures("fixture_plugins")
async def test_start_platform_enables_the_named_modules_in_home_with_their_settings(
    start_platform,
):
    async with start_platform(modules={"probe": {"greeting": "ni hao"}}) as running:
        home = await say(running)
        other = await say(running, "other", "stranger")
        await running.enable("probe", community=running.other)
        other_after = await say(running, "other", "stranger")

    assert home.status_code == 200, home.text
    assert home.json()["greeting"] == "ni hao"
    assert other.status_code == 404  # enabled in home only
    assert other_after.status_code == 200
    assert other_after.json()["greeting"] == "hello"  # the module's default settings


@pytest.mark.usefixtures("fixture_plugins")
async def test_a_list_of_modules_enables_each_with_its_defaults(start_platform):
    async with start_platform(modules=["probe"]) as running:
        answer = await say(running)
    assert answer.status_code == 200, answer.text
    assert answer.json()["greeting"] == "hello"


async def test_any_database_is_a_fresh_sqlite_file_then_a_postgresql_database(
    any_database: str, request: pytest.FixtureRequest
):
    kind = request.node.callspec.id
    assert any_database.startswith({"sqlite": "sqlite:///", "postgresql": "postgresql://"}[kind])
    slow = request.node.get_closest_marker("slow") is not None
    assert slow == (kind == "postgresql")


def configure(pytester: pytest.Pytester) -> None:
    """An ini of the inner run's own, as a plugin's package would have (no conftest.py)."""
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )


def test_a_test_tree_without_a_conftest_gets_the_fixtures(pytester: pytest.Pytester) -> None:
    configure(pytester)
    pytester.makepyfile(
        test_alone="""
        def test_fixtures(database_url, start_platform, request):
            assert database_url.startswith("sqlite:///")
            assert callable(start_platform)
            assert request.config.pluginmanager.has_plugin("linli")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


NEEDS_POSTGRES = """
def test_needs_postgres(postgres_url):
    pass
"""


def run_without_postgres(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str
) -> pytest.RunResult:
    """Run a test that asks for ``postgres_url`` where no PostgreSQL binaries are found."""
    import linli.testing.postgres

    monkeypatch.setattr(linli.testing.postgres, "find_binaries", lambda: None)
    monkeypatch.setenv("CI", ci)
    configure(pytester)
    pytester.makepyfile(test_pg=NEEDS_POSTGRES)
    return pytester.runpytest("-p", "no:cacheprovider", "-rs")


def test_without_postgresql_a_test_needing_it_is_skipped_with_the_reason(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_without_postgres(pytester, monkeypatch, ci="")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*PostgreSQL server binaries (initdb, pg_ctl) not found*"])


def test_without_postgresql_on_ci_a_test_needing_it_fails(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_without_postgres(pytester, monkeypatch, ci="true")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*CI is set, so this fails instead of skipping*"])
