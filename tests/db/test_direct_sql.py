"""The platform's engines run a module's written SQL themselves (``linli_sdk.sql.DirectSQL``).

A module's ``sql.fetch`` on the platform must not fall back to Piccolo's ``Table.raw`` (its
per-argument query building is what the written SQL is there to skip).
"""

from __future__ import annotations

from linli.db.engines import make_engine
from linli_sdk.sql import DirectSQL


def test_both_platform_engines_run_written_sql_directly(tmp_path) -> None:
    for url in (f"sqlite:///{tmp_path / 'x.db'}", "postgresql://u@127.0.0.1:1/x"):
        assert isinstance(make_engine(url), DirectSQL), url
