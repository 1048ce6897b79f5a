"""The platform's own routes: health, readiness, installed modules, per-community enablement."""

from __future__ import annotations

from typing import Any

from linli_sdk import Role
from litestar import Request
from litestar.params import JSONBody
from pydantic import BaseModel, Field

from linli.http.handlers import get, put
from linli.modules.enablement import module_state, require_module, set_module

from ..platform import Platform
from .access import Access
from .community import Where, Who, community_router
from .problems import problem

__all__ = ["platform_routes"]


class OperationInfo(BaseModel):
    """One operation of a module, as listed by ``GET /v1/modules``."""

    name: str
    kind: str
    method: str
    roles: list[str]
    scope: str
    summary: str


class ModuleInfo(BaseModel):
    """An installed module."""

    name: str
    version: str
    title: str
    description: str
    sdk: str
    distribution: str
    operations: list[OperationInfo]
    settings_schema: dict[str, Any]
    credit_events: list[dict[str, Any]]


class RefusedInfo(BaseModel):
    """A module that was found but not loaded, and why."""

    name: str
    distribution: str
    reason: str


class ModuleList(BaseModel):
    """The platform's modules: the loaded ones and the refused ones."""

    sdk_version: str
    modules: list[ModuleInfo]
    refused: list[RefusedInfo]


class CommunityModule(BaseModel):
    """A module's state in one community."""

    name: str
    title: str
    enabled: bool
    settings: dict[str, Any] | None = Field(
        default=None, description="Shown to operators and auditors only."
    )


class CommunityModules(BaseModel):
    """Every installed module's state in one community."""

    community: str
    modules: list[CommunityModule]


class ModuleChange(BaseModel):
    """What an operator sets for a module in a community."""

    enabled: bool
    settings: dict[str, Any] | None = Field(
        default=None,
        description="New settings, validated against the module's model; omit to keep.",
    )


def _platform(request: Request[Any, Any, Any]) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


@get(
    "/v1/health",
    tags=["platform"],
    summary="Liveness: the process answers",
    opt=Access.public().opt,
)
async def health() -> dict[str, str]:
    """Answer as long as the process runs."""
    return {"status": "ok"}


@get(
    "/v1/ready",
    tags=["platform"],
    summary="Readiness: the database answers",
    opt=Access.public().opt,
)
async def ready(request: Request[Any, Any, Any]) -> Any:
    """Answer 200 when the database answers, 503 otherwise."""
    platform = _platform(request)
    try:
        await platform.engine.run_ddl("SELECT 1")
    except Exception as exc:
        return problem(503, f"the database does not answer: {type(exc).__name__}")
    return {
        "status": "ready",
        "database": platform.engine.engine_type,
        "modules": len(platform.registry.modules),
    }


@get(
    "/v1/modules",
    tags=["platform"],
    summary="The installed modules, and the refused ones",
    opt=Access.public().opt,
)
async def list_modules(request: Request[Any, Any, Any]) -> ModuleList:
    """List every module the platform loaded, with its operations and settings schema."""
    import linli_sdk

    registry = _platform(request).registry
    modules = [
        ModuleInfo(
            name=m.name,
            version=m.manifest.version,
            title=m.manifest.title,
            description=m.manifest.description,
            sdk=m.manifest.sdk,
            distribution=m.distribution,
            operations=[
                OperationInfo(
                    name=op.name,
                    kind=op.kind,
                    method="POST" if op.kind == "command" else "GET",
                    roles=sorted(op.roles),
                    scope=op.scope,
                    summary=op.summary,
                )
                for op in m.manifest.operations
            ],
            settings_schema=m.manifest.settings_schema(),
            credit_events=[e.model_dump() for e in m.manifest.credit_events],
        )
        for m in registry.modules.values()
    ]
    refused = [
        RefusedInfo(name=r.name, distribution=r.distribution, reason=r.reason)
        for r in registry.refused
    ]
    return ModuleList(sdk_version=linli_sdk.__version__, modules=modules, refused=refused)


@get(
    "/modules",
    summary="Modules in a community",
    opt=Access.member().opt,
)
async def community_modules(
    request: Request[Any, Any, Any], where: Where, caller: Who
) -> CommunityModules:
    """Every installed module and whether it is enabled here; settings for operators only."""
    staff = caller.has_role(Role.OPERATOR, Role.AUDITOR)
    items = []
    for loaded in _platform(request).registry.modules.values():
        state = await module_state(where, loaded)
        items.append(
            CommunityModule(
                name=loaded.name,
                title=loaded.manifest.title,
                enabled=state.enabled,
                settings=state.settings.model_dump(mode="json") if staff else None,
            )
        )
    return CommunityModules(community=where.slug, modules=items)


def _change_route(name: str) -> Any:
    async def change_module(
        request: Request[Any, Any, Any],
        where: Where,
        data: JSONBody[ModuleChange],
    ) -> CommunityModule:
        platform = _platform(request)
        loaded = require_module(platform.registry, name)
        state = await set_module(
            platform, where, name, enabled=data.enabled, settings=data.settings
        )
        return CommunityModule(
            name=name,
            title=loaded.manifest.title,
            enabled=state.enabled,
            settings=state.settings.model_dump(mode="json"),
        )

    return put(
        f"/modules/{name}",
        name=f"{name}.change",
        operation_id=f"{name}.change",
        summary=f"Enable or disable {name} in a community (operators)",
        description="Settings are validated against the module's model; a bad field is a 422.",
        opt=Access.of(Role.OPERATOR).opt,
    )(change_module)


def platform_routes(platform: Platform) -> list[Any]:
    """The platform's own route handlers (one enablement route per loaded module)."""
    per_module = [_change_route(name) for name in platform.registry.modules]
    community = community_router("", [community_modules, *per_module], tag="platform")
    return [health, ready, list_modules, community]
