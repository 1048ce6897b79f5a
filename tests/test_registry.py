"""The module registry: discovery through entry points, SDK-range refusal, allow and deny lists."""

from __future__ import annotations

import linli_sdk
from linli.modules.registry import load_modules
from linli.settings import Settings


def test_installed_plugins_are_discovered_through_their_entry_points(fixture_plugins):
    registry = load_modules(Settings())

    assert "probe" in registry.modules
    assert "noticeboard" in registry.modules  # installed in the workspace like any package
    probe = registry.modules["probe"]
    assert probe.distribution == "linli-fixture-plugins 1.0.0"
    assert [op.name for op in probe.manifest.operations] == [
        "say",
        "boom",
        "ping",
        "whoami",
        "countdown",
        "staff-only",
    ]


def test_a_plugin_for_another_sdk_is_refused_naming_both_versions(fixture_plugins):
    registry = load_modules(Settings())

    assert "future" not in registry.modules
    (refusal,) = [r for r in registry.refused if r.name == "future"]
    assert ">=9.0,<10" in refusal.reason
    assert f"linli-sdk {linli_sdk.__version__}" in refusal.reason


def test_a_plugin_that_fails_to_import_is_refused_and_the_rest_load(fixture_plugins):
    registry = load_modules(Settings())

    (refusal,) = [r for r in registry.refused if r.name == "broken"]
    assert "needs a library that is not installed" in refusal.reason
    assert "probe" in registry.modules


def test_the_deny_list_keeps_a_module_out(fixture_plugins, monkeypatch):
    monkeypatch.setenv("LINLI_PLUGINS_DENY", "probe, noticeboard")
    registry = load_modules(Settings())

    assert not {"probe", "noticeboard"} & set(registry.modules)
    assert "group_buying" in registry.modules  # what is not denied still loads
    assert {r.name for r in registry.refused} >= {"probe", "noticeboard"}


def test_the_allow_list_loads_only_what_it_names(fixture_plugins, monkeypatch):
    monkeypatch.setenv("LINLI_PLUGINS_ALLOW", "probe")
    registry = load_modules(Settings())

    assert list(registry.modules) == ["probe"]
    reasons = {r.name: r.reason for r in registry.refused}
    assert reasons["noticeboard"] == "excluded by the platform's settings"


def test_a_plugin_implementing_an_unknown_hook_is_refused_and_the_rest_load(fixture_plugins):
    registry = load_modules(Settings())

    (refusal,) = [r for r in registry.refused if r.name == "typo"]
    assert "linli_module_enabeld" in refusal.reason
    assert {"probe", "noticeboard"} <= set(registry.modules)
