"""Modules' part in a person's data export and erasure (PIPL art. 45 and 47).

For every community the person belongs to, each loaded module that implements the hooks gives
its section of the export (``linli_member_data``) and erases what it holds
(``linli_member_erased``), enabled there or not (a disabled module keeps its data). Each
module's erasure runs in its own transaction: one that raises rolls back alone and is reported
as failed; the others stay erased, and running the erasure again retries it. Call it outside
any transaction, so that each module's erasure commits on its own (inside one, each is a
savepoint and its events are delivered before that transaction commits).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from linli_sdk import Community

from linli.db.runtime import current_engine
from linli.db.savepoint import savepoint
from linli.modules.host import CoreHost
from linli.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from linli.platform import Platform

__all__ = ["erase_modules", "export_modules"]

log = logging.getLogger(__name__)

Membership = tuple[Community, int]
"""One community the person belongs to and their member id there."""


def _modules(platform: Platform, hook: str) -> list[str]:
    hooks = platform.registry.hooks
    return sorted(name for name in platform.registry.modules if hooks.implements(hook, name))


async def export_modules(platform: Platform, memberships: list[Membership]) -> list[dict[str, Any]]:
    """Each module's section, per community: ``{"community", "module", "records"}``."""
    sections = []
    for community, member_id in memberships:
        for name in _modules(platform, "linli_member_data"):
            host = CoreHost(platform, community, name)
            records = await platform.registry.hooks.member_data(name, host, member_id)
            sections.append({"community": community.slug, "module": name, "records": records})
    return sections


async def erase_modules(platform: Platform, memberships: list[Membership]) -> list[dict[str, Any]]:
    """Erase the person from every module, each in its own transaction; what each did.

    Each entry is ``{"community", "module", "erased", "kept"}``, or ``{"community", "module",
    "failed"}`` when the module raised (its writes rolled back; logged).
    """
    outcomes: list[dict[str, Any]] = []
    for community, member_id in memberships:
        for name in _modules(platform, "linli_member_erased"):
            where = {"community": community.slug, "module": name}
            unit = UnitOfWork(platform, community)
            host = CoreHost(platform, community, name, unit)
            try:
                async with savepoint(current_engine()):
                    done = await platform.registry.hooks.member_erased(name, host, member_id)
            except Exception as exc:
                log.exception("erasing member %s from module %s failed", member_id, name)
                outcomes.append({**where, "failed": f"{type(exc).__name__}: {exc}"})
                continue
            await unit.deliver()
            outcomes.append({**where, **done.model_dump()})
    return outcomes
