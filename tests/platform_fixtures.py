"""Fixtures that install test plugins through real entry points and run the platform on them."""

from __future__ import annotations

import importlib
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from linli.http.app import create_app
from linli.identity.members import NewMember, add_member, create_community
from linli.platform import Platform
from linli.settings import Settings
from linli_sdk import Community, Role

FIXTURE_PLUGINS = Path(__file__).parent / "fixture_plugins"

ENTRY_POINTS = {
    "probe": "linli_fixture_probe",
    "future": "linli_fixture_future",
    "broken": "linli_fixture_broken",
    "typo": "linli_fixture_typo",
}


def write_distribution(site: Path, name: str, version: str, entry_points: dict[str, str]) -> None:
    """Write the ``.dist-info`` an installer would, registering ``linli.plugins`` entry points."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = "\n".join(f"{key} = {value}" for key, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[linli.plugins]\n{lines}\n")


@pytest.fixture
def fixture_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Install the test plugins (probe, future, broken) as a distribution on ``sys.path``."""
    site = tmp_path / "site-packages"
    write_distribution(site, "linli-fixture-plugins", "1.0.0", ENTRY_POINTS)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(FIXTURE_PLUGINS))
    importlib.invalidate_caches()
    import linli_fixture_probe

    linli_fixture_probe.CALLS.clear()
    linli_fixture_probe.HOOKS.clear()
    yield site
    for module in [m for m in sys.modules if m.startswith("linli_fixture_")]:
        del sys.modules[module]


@dataclass
class Running:
    """A running platform with an HTTP client, two communities and their members."""

    client: httpx.AsyncClient
    platform: Platform
    home: Community
    other: Community
    people: dict[str, NewMember]

    def auth(self, who: str) -> dict[str, str]:
        """Headers that authenticate as the member called ``who``."""
        return {"Authorization": f"Bearer {self.people[who].token}"}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh SQLite file (the embedded default)."""
    return f"sqlite:///{tmp_path / 'linli.db'}"


@pytest.fixture
def start_platform(
    database_url: str,
) -> Callable[..., Any]:
    """``async with start_platform(**settings) as running``: migrate, seed, serve.

    ``gateway=`` and ``sms=`` build the platform with that payment gateway or SMS sender.
    """

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Running]:
        parts = {name: overrides.pop(name) for name in ("gateway", "sms") if name in overrides}
        settings = Settings(database_url=overrides.pop("database_url", database_url), **overrides)
        platform = Platform.from_settings(settings, **parts)
        app = create_app(platform=platform)
        # The platform starts in the test's own event loop (the lifespan's job in production),
        # so PostgreSQL's pool and the SQLite connection belong to the loop requests run on.
        await platform.start(migrate_first=True)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://linli.test") as client:
            home = await create_community("home", "Home Garden")
            other = await create_community("other", "Other Court")
            people = {
                "operator": await add_member(home, "Op", Role.OPERATOR),
                "leader": await add_member(home, "Lead", Role.LEADER, Role.RESIDENT),
                "resident": await add_member(home, "Res", Role.RESIDENT),
                "newcomer": await add_member(home, "New"),
                "stranger": await add_member(other, "Str", Role.RESIDENT, Role.OPERATOR),
            }
            try:
                yield Running(client, platform, home, other, people)
            finally:
                await platform.stop()

    return start
