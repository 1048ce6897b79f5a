"""The authorization matrix, generated from the application's own route list.

Every route declares who may call it (``opt["access"]``). From that declaration and the route's
path this module derives, for each route, the callers who must be refused and how: the
anonymous caller (401), a member of another community (403 or 404), a resident on an operator
route (403), a provider's token outside its scope (403). Requests are built from the OpenAPI
document (path parameters, required query parameters and a body of the right shape), so the
refusal comes from authorization, not from input validation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from linli.http.access import Access
from litestar import Litestar

__all__ = ["PROBLEM_KEYS", "Probe", "RouteCase", "route_cases", "sample_value"]

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "errors", "field", "module"}
_PARAM = re.compile(r"\{([a-z_]+)(?::[a-z]+)?\}")
_MEMBER_ROLES = {"member", "resident"}


@dataclass(frozen=True)
class Probe:
    """One caller sent at one route, and the statuses that count as a refusal."""

    who: str
    statuses: frozenset[int]


@dataclass(frozen=True)
class RouteCase:
    """One route (method and path) with the request to send and the callers to refuse."""

    method: str
    template: str
    access: Access
    path: str
    query: dict[str, Any]
    headers: dict[str, str]
    body: Any
    probes: tuple[Probe, ...]

    @property
    def id(self) -> str:
        """A readable test id."""
        return f"{self.method} {self.template} [{self.access}]"


def sample_value(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A value of the right shape for a JSON schema: required fields only, simplest values."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return sample_value(components.get(name, {}), components, depth + 1)
    for key in ("oneOf", "anyOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return sample_value(options[0], components, depth + 1)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            name: sample_value(properties[name], components, depth + 1)
            for name in schema.get("required", [])
            if name in properties and depth < 8
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    length = int(schema.get("minLength", 1))
    return "x" * max(length, 1)


def _probes(access: Access, in_community: bool) -> tuple[Probe, ...]:
    # A service route (a gateway's signed webhook) checks a signature, not a bearer token: an
    # unsigned call is refused as a bad request or not found (e.g. no such gateway here).
    anonymous = {400, 401, 403, 404} if access.kind == "service" else {401}
    probes = [Probe("anonymous", frozenset(anonymous))]
    if access.kind == "roles":
        roles = {str(role) for role in access.roles}
        if not roles & _MEMBER_ROLES:
            probes.append(Probe("resident", frozenset({403})))
            probes.append(Probe("newcomer", frozenset({403})))
        elif "member" not in roles:
            probes.append(Probe("newcomer", frozenset({403})))
    if access.kind == "platform":
        probes.append(Probe("operator", frozenset({403})))
        probes.append(Probe("resident", frozenset({403})))
    if in_community:
        probes.append(Probe("stranger", frozenset({403, 404})))
        probes.append(Probe("provider_out_of_scope", frozenset({403})))
    return tuple(probes)


def route_cases(app: Litestar, community: str) -> tuple[list[RouteCase], list[str]]:
    """Every non-public route of ``app`` as a case, and the routes the matrix cannot place.

    A route cannot be placed when it declares no (or an unknown) access, or when it is a
    route that takes an identity but is declared public.
    """
    openapi = app.openapi_schema.to_schema()
    components = openapi.get("components", {}).get("schemas", {})
    cases: list[RouteCase] = []
    unplaced: list[str] = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not handler.resolve_include_in_schema() or route.path.startswith("/docs/api"):
                continue
            access = handler.opt.get("access")
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                where = f"{method} {route.path}"
                if not isinstance(access, Access):
                    unplaced.append(f"{where}: no typed access declared: {access!r}")
                    continue
                if access.kind == "public":
                    if "{community" in route.path:
                        unplaced.append(f"{where}: public route inside a community")
                    continue
                template = _PARAM.sub(lambda m: "{" + m.group(1) + "}", route.path)
                operation = openapi.get("paths", {}).get(template, {}).get(method.lower(), {})
                values: dict[str, Any] = {"community": community}
                query: dict[str, Any] = {}
                headers: dict[str, str] = {}
                for parameter in operation.get("parameters", []):
                    value = sample_value(parameter.get("schema", {}), components)
                    if parameter.get("in") == "path":
                        values.setdefault(parameter["name"], value)
                    elif parameter.get("in") == "query" and parameter.get("required"):
                        query[parameter["name"]] = value
                    elif parameter.get("in") == "header" and parameter.get("required"):
                        headers[parameter["name"]] = str(value)
                for name in _PARAM.findall(route.path):
                    values.setdefault(name, "1")
                body_schema = (
                    operation.get("requestBody", {})
                    .get("content", {})
                    .get("application/json", {})
                    .get("schema")
                )
                body = sample_value(body_schema, components) if body_schema else None
                cases.append(
                    RouteCase(
                        method=method,
                        template=template,
                        access=access,
                        path=template.format(**values),
                        query=query,
                        headers=headers,
                        body=body,
                        probes=_probes(access, "{community}" in template),
                    )
                )
    return cases, unplaced
