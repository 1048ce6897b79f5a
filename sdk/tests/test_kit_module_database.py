"""The kit's module database: a module's tables on a temporary SQLite file, by its migrations.

``linli_module_db`` runs the module's shipped migrations (every one, in order) on a fresh
file; while the tables are bound there, each unit of work the kit runs is a transaction, so
one that raises leaves none of its rows, as on the platform.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("piccolo")

from kit_ledger_module import plugin
from kit_ledger_module.tables import LineRow
from linli_sdk import Conflict, Manifest, Role
from linli_sdk.testing import ModuleDatabase, PluginKit, module_database

Db = Callable[[object], ModuleDatabase]


async def test_the_module_tables_are_made_by_its_own_migrations(
    linli_module_db: Db, linli_kit: Callable[..., PluginKit]
) -> None:
    database = linli_module_db(plugin)
    kit = linli_kit(plugin)
    member = kit.add_member("Wang", Role.RESIDENT)

    written = await kit.call("write", {"note": "the second migration's column"}, as_=member)

    assert written.lines == 1  # the hook writes its echo after the call  # type: ignore[attr-defined]
    assert database.tables == [LineRow]
    assert "2026-12-02T00:00:00:000000" in database.report  # the second migration ran too
    notes = await LineRow.select(LineRow.note).order_by(LineRow.id)
    assert [row["note"] for row in notes] == ["the second migration's column", "echo"]


async def test_a_call_that_raises_leaves_none_of_its_rows(
    linli_module_db: Db, linli_kit: Callable[..., PluginKit]
) -> None:
    linli_module_db(plugin)
    kit = linli_kit(plugin)
    member = kit.add_member("Wang", Role.RESIDENT)

    with pytest.raises(Conflict):
        await kit.call("write", {"note": "x", "fail_after": True}, as_=member)

    assert await LineRow.count() == 0
    assert kit.host.events.published == []


async def test_an_event_hook_that_raises_leaves_none_of_its_rows(
    linli_module_db: Db, linli_kit: Callable[..., PluginKit]
) -> None:
    linli_module_db(plugin)
    kit = linli_kit(plugin)
    member = kit.add_member("Wang", Role.RESIDENT)

    with pytest.raises(RuntimeError, match="hook failed"):
        await kit.call("write", {"note": "boom"}, as_=member)

    notes = await LineRow.select(LineRow.note)
    assert [row["note"] for row in notes] == ["boom"]  # the call's row; not the hook's echo


def test_the_tables_get_their_engines_back(tmp_path: Path) -> None:
    before = LineRow._meta._db
    with module_database(plugin, tmp_path / "a.sqlite") as database:
        assert LineRow._meta._db is database.engine
    assert LineRow._meta._db is before


def test_migrating_a_database_twice_applies_nothing_new(tmp_path: Path) -> None:
    with module_database(plugin, tmp_path / "a.sqlite"):
        pass
    with module_database(plugin, tmp_path / "a.sqlite") as again:
        assert "No migrations need to be run" in again.report


def test_a_module_without_tables_has_no_database(tmp_path: Path) -> None:
    bare = type(
        "Bare", (), {"manifest": Manifest(name="bare", version="1.0", sdk=">=0.1", title="B")}
    )
    with pytest.raises(ValueError, match="no piccolo_app"):
        with module_database(bare, tmp_path / "a.sqlite"):
            pass


async def test_a_kit_whose_tables_are_bound_elsewhere_runs_no_transaction_on_them(
    linli_kit: Callable[..., PluginKit], tmp_path: Path
) -> None:
    from piccolo.engine.sqlite import SQLiteEngine

    before = LineRow._meta._db
    foreign = SQLiteEngine(path=str(tmp_path / "foreign.sqlite"))  # say a stopped platform's
    LineRow._meta.db = foreign
    try:
        await LineRow.create_table(if_not_exists=True)
        kit = linli_kit(plugin)
        member = kit.add_member("Wang", Role.RESIDENT)
        with pytest.raises(Conflict):
            await kit.call("write", {"note": "x", "fail_after": True}, as_=member)
        assert await LineRow.count() == 1  # not the kit's database: nothing rolled it back
    finally:
        LineRow._meta._db = before
