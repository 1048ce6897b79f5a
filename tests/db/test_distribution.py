"""The plan past one machine, checked against the table definitions.

Every Piccolo table of the core and of every installed module is either distributed by its
community (and has a community column) or a reference table; the lists in
``linli.db.distribution`` and the table in ``docs/deploying.md`` are the same.
"""

from __future__ import annotations

import re
from pathlib import Path

from linli.db.distribution import (
    COMMUNITY_COLUMNS,
    DISTRIBUTED_BY_COMMUNITY,
    REFERENCE_TABLES,
    classify,
)
from linli.db.runtime import CORE_APPS
from linli.modules.registry import load_modules
from linli.settings import Settings
from piccolo.apps.migrations.tables import Migration
from piccolo.columns import ForeignKey, Integer
from piccolo.conf.apps import AppRegistry
from piccolo.table import Table

DOCS = Path(__file__).resolve().parents[2] / "docs" / "deploying.md"


def _tables_by_app() -> dict[str, list[type[Table]]]:
    """Every table of the core's Piccolo apps and of every installed module's, by app."""
    registry = load_modules(Settings(database_url="sqlite:///unused.db", modules_dir=None))
    assert registry.piccolo_apps, "no module with tables is installed"
    apps = AppRegistry(apps=[*CORE_APPS, *registry.piccolo_apps])
    tables = {name: list(config.table_classes) for name, config in apps.app_configs.items()}
    tables["piccolo"] = [Migration]
    return tables


def _community_column(table: type[Table]) -> ForeignKey | Integer | None:  # type: ignore[type-arg]
    for column in table._meta.columns:
        if column._meta.name in COMMUNITY_COLUMNS and isinstance(column, ForeignKey | Integer):
            return column
    return None


def test_every_table_is_distributed_or_a_reference_table_and_no_listed_table_is_gone():
    found = {t._meta.tablename for tables in _tables_by_app().values() for t in tables}
    unclassified = sorted(name for name in found if classify(name) is None)
    assert unclassified == [], "classify these in linli/db/distribution.py and the docs"
    listed = {t for tables in DISTRIBUTED_BY_COMMUNITY.values() for t in tables}
    assert listed.isdisjoint(REFERENCE_TABLES)
    assert sorted((listed | set(REFERENCE_TABLES)) - found) == []


def test_distributed_tables_carry_the_community_id_under_their_own_app():
    for app, tables in _tables_by_app().items():
        for table in tables:
            name = table._meta.tablename
            if classify(name) != "distributed":
                continue
            assert name in DISTRIBUTED_BY_COMMUNITY.get(app, ()), (
                f"{name} is listed under another app"
            )
            column = _community_column(table)
            assert column is not None, f"{name} has no community column {COMMUNITY_COLUMNS}"
            if isinstance(column, ForeignKey):  # one distribution type: the community's id
                assert column._foreign_key_meta.resolved_references._meta.tablename == (
                    "linli_community"
                )


def test_no_reference_table_points_at_a_distributed_table():
    """Citus refuses a foreign key from a reference table to a distributed one."""
    for tables in _tables_by_app().values():
        for table in tables:
            if classify(table._meta.tablename) != "reference":
                continue
            for fk in table._meta.foreign_key_columns:
                target = fk._foreign_key_meta.resolved_references._meta.tablename
                assert classify(target) == "reference", f"{table._meta.tablename} -> {target}"


def test_the_docs_table_is_the_lists():
    rows = re.findall(r"^\| `(\w+)` \| (distributed|reference) \|", DOCS.read_text(), re.M)
    documented = dict(rows)
    assert len(documented) == len(rows), "a table is in the docs twice"
    expected = {t: "distributed" for ts in DISTRIBUTED_BY_COMMUNITY.values() for t in ts}
    expected |= dict.fromkeys(REFERENCE_TABLES, "reference")
    assert documented == expected
