"""A started platform for tests: migrated, seeded with two communities and their people, served.

:func:`running_platform` is what the ``start_platform`` fixture runs; it is usable on its own
(a benchmark, a script) with any database URL. Core modules are imported when a platform
starts, not when this module is imported, so loading the pytest plugin stays cheap.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx
    from linli_sdk import Community

    from linli.identity.members import NewMember
    from linli.platform import Platform

__all__ = ["BASE_URL", "Running", "running_platform", "write_distribution"]

BASE_URL = "http://linli.test"
"""Base URL of the test client; requests never leave the process."""


@dataclass
class Running:
    """A running platform with an HTTP client, two communities and their members.

    ``home`` holds ``operator``, ``leader`` (leader and resident), ``resident`` and ``newcomer``
    (no role); ``other`` holds ``stranger`` (resident and operator there, nobody in ``home``).
    """

    client: httpx.AsyncClient
    platform: Platform
    home: Community
    other: Community
    people: dict[str, NewMember]

    def auth(self, who: str) -> dict[str, str]:
        """Headers that authenticate as the member called ``who``."""
        return {"Authorization": f"Bearer {self.people[who].token}"}

    async def enable(
        self,
        module: str,
        settings: dict[str, Any] | None = None,
        community: Community | None = None,
    ) -> None:
        """Enable ``module`` in ``community`` (``home`` by default) with ``settings``."""
        from linli.modules.enablement import set_module

        target = self.home if community is None else community
        await set_module(self.platform, target, module, enabled=True, settings=settings)


ModuleChoice = Iterable[str] | Mapping[str, dict[str, Any] | None]


@asynccontextmanager
async def running_platform(
    database_url: str, *, modules: ModuleChoice = (), **overrides: Any
) -> AsyncIterator[Running]:
    """Migrate ``database_url``, seed the communities and people, and serve the platform.

    ``modules`` names the installed modules to enable in ``home`` (a mapping gives each its
    settings); ``gateway=`` and ``sms=`` build the platform with that payment gateway or SMS
    sender; every other keyword is a :class:`~linli.settings.Settings` field (``modules_dir`` is
    off unless given: a ``linli-modules`` in the working directory stays out of tests). The platform
    starts in the caller's event loop (the lifespan's job in production), so the database
    connections belong to the loop the requests run on; it is stopped on exit.
    """
    import httpx
    from linli_sdk import Role

    from linli.http.app import create_app
    from linli.identity.members import add_member, create_community
    from linli.platform import Platform
    from linli.settings import Settings

    parts = {name: overrides.pop(name) for name in ("gateway", "sms") if name in overrides}
    overrides.setdefault("modules_dir", None)  # a test loads a modules directory it names only
    settings = Settings(database_url=database_url, **overrides)
    platform = Platform.from_settings(settings, **parts)
    app = create_app(platform=platform)
    await platform.start(migrate_first=True)
    try:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            home = await create_community("home", "Home Garden")
            other = await create_community("other", "Other Court")
            people = {
                "operator": await add_member(home, "Op", Role.OPERATOR),
                "leader": await add_member(home, "Lead", Role.LEADER, Role.RESIDENT),
                "resident": await add_member(home, "Res", Role.RESIDENT),
                "newcomer": await add_member(home, "New"),
                "stranger": await add_member(other, "Str", Role.RESIDENT, Role.OPERATOR),
            }
            running = Running(client, platform, home, other, people)
            chosen = modules if isinstance(modules, Mapping) else dict.fromkeys(modules)
            for name, module_settings in chosen.items():
                await running.enable(name, module_settings)
            yield running
    finally:
        await platform.stop()


def write_distribution(site: Path, name: str, version: str, entry_points: dict[str, str]) -> None:
    """Write the ``.dist-info`` an installer would, registering ``linli.plugins`` entry points.

    Put ``site`` on ``sys.path`` (``monkeypatch.syspath_prepend``) and the platform discovers
    the plugins named in ``entry_points`` (``{"name": "importable.module"}``) as if installed.
    """
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = "\n".join(f"{key} = {value}" for key, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[linli.plugins]\n{lines}\n")
