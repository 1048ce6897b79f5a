"""The typed facade through which the core calls plugin hooks (never ``pm.hook.x`` elsewhere).

Every call goes to one module's own implementation, with the host bound to that module, and
awaits it if it is a coroutine. No result depends on registration order.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

import pluggy
from linli_sdk import Deadline, Event, Host, Manifest, MemberErasure, export_records
from pydantic import BaseModel

__all__ = ["PluginHooks"]

log = logging.getLogger(__name__)


class PluginHooks:
    """Calls the ``linli_*`` hooks of one module at a time."""

    def __init__(self, manager: pluggy.PluginManager) -> None:
        self.manager = manager

    async def _call(self, hook: str, module: str, **kwargs: Any) -> list[Any]:
        caller = getattr(self.manager.hook, hook)
        results = []
        for impl in caller.get_hookimpls():
            if impl.plugin_name != module:
                continue
            result = impl.function(**{name: kwargs[name] for name in impl.argnames})
            results.append(await result if inspect.isawaitable(result) else result)
        return results

    async def _contained(self, hook: str, module: str, **kwargs: Any) -> bool:
        try:
            await self._call(hook, module, **kwargs)
        except Exception:
            log.exception("hook %s of module %s failed", hook, module)
            return False
        return True

    def implements(self, hook: str, module: str) -> bool:
        """Whether ``module`` implements ``hook``."""
        return module in self.implementers(hook)

    def implementers(self, hook: str) -> set[str]:
        """The names of the modules that implement ``hook``."""
        return {impl.plugin_name for impl in getattr(self.manager.hook, hook).get_hookimpls()}

    async def module_enabled(self, module: str, host: Host, settings: BaseModel) -> bool:
        """Fire ``linli_module_enabled``; ``False`` if the plugin raised (logged)."""
        return await self._contained("linli_module_enabled", module, host=host, settings=settings)

    async def module_disabled(self, module: str, host: Host) -> bool:
        """Fire ``linli_module_disabled``; ``False`` if the plugin raised (logged)."""
        return await self._contained("linli_module_disabled", module, host=host)

    async def event(self, module: str, host: Host, event: Event) -> bool:
        """Fire ``linli_event``; ``False`` if the plugin raised (logged)."""
        return await self._contained("linli_event", module, host=host, event=event)

    async def deadline_reached(
        self, module: str, host: Host, deadline: Deadline, manifest: Manifest | None = None
    ) -> bool:
        """Hand a due deadline to the module; ``False`` if the plugin raised (logged).

        A module whose ``manifest`` declares deadline handlers gets it through the one its key
        matches, with the key's fields; any other module through ``linli_deadline_reached``.
        """
        try:
            handler = manifest.deadline_handler(deadline.key) if manifest is not None else None
            if handler is None:
                await self._call("linli_deadline_reached", module, host=host, deadline=deadline)
            else:
                await handler(host, deadline)
        except Exception:
            log.exception("deadline %s of module %s failed", deadline.key, module)
            return False
        return True

    async def seed_demo(self, module: str, host: Host) -> bool:
        """Fire ``linli_seed_demo``; ``False`` if the plugin raised (logged)."""
        return await self._contained("linli_seed_demo", module, host=host)

    async def member_data(self, module: str, host: Host, member_id: int) -> list[dict[str, Any]]:
        """The module's section of a member's export (``linli_member_data``); raises as it does."""
        found = await self._call("linli_member_data", module, host=host, member_id=member_id)
        return export_records(module, [records for result in found for records in result])

    async def member_erased(self, module: str, host: Host, member_id: int) -> MemberErasure:
        """Fire ``linli_member_erased``; raises as the plugin does."""
        done = await self._call("linli_member_erased", module, host=host, member_id=member_id)
        for erasure in done:
            if not isinstance(erasure, MemberErasure):
                raise TypeError(f"linli_member_erased of {module} must return MemberErasure")
        return done[-1] if done else MemberErasure(erased=0)
