"""Tests for the thanks plugin on a running platform: HTTP, a real database, the core's checks.

In a package of your own this file would be ``tests/platform/test_thanks_http.py``. The
``start_platform`` and ``any_database`` fixtures come with ``linli`` (its pytest plugin,
``linli.testing``); the ``installed`` fixture is only here because this example is not an
installed package: yours is, once ``uv sync`` has run, and needs none of it.
"""

from __future__ import annotations

import importlib

import pytest
from linli.testing import write_distribution

THANKS = "/v1/communities/home/modules/thanks"


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """Install this example as the plugin ``thanks``, by entry point, for one test."""
    site = tmp_path / "site-packages"
    write_distribution(site, "linli-thanks", "0.1.0", {"thanks": "plugin_minimal"})
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()


@pytest.mark.usefixtures("installed")
async def test_a_resident_thanks_the_leader_on_sqlite_and_postgresql(start_platform, any_database):
    async with start_platform(database_url=any_database, modules=["thanks"]) as running:
        leader = running.people["leader"]
        said = await running.client.post(
            f"{THANKS}/say-thanks",
            json={"to_member_id": leader.id, "message": "thank you for the group buy"},
            headers=running.auth("resident"),
        )

    assert said.status_code == 200, said.text
    assert said.json()["to"] == "Lead"


@pytest.mark.usefixtures("installed")
async def test_a_newcomer_is_refused_with_a_problem_document(start_platform):
    async with start_platform(modules=["thanks"]) as running:
        refused = await running.client.post(
            f"{THANKS}/say-thanks",
            json={"to_member_id": running.people["leader"].id, "message": "hi"},
            headers=running.auth("newcomer"),
        )

    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"] == "urn:linli:problem:forbidden"


@pytest.mark.usefixtures("installed")
async def test_the_module_answers_only_where_it_is_enabled(start_platform):
    async with start_platform(modules=["thanks"]) as running:
        elsewhere = await running.client.get(
            "/v1/communities/other/modules/thanks/neighbour",
            params={"member_id": running.people["stranger"].id},
            headers=running.auth("stranger"),
        )

    assert elsewhere.status_code == 404
