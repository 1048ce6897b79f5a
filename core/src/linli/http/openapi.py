"""An OpenAPI document that tells the truth about every response.

- errors are answered as ``application/problem+json`` (Litestar documents its own 400 as
  ``application/json``): every 400 says so, every operation that takes input documents the
  input boundary's answers (400, 413 for a body, 422), and every community route the
  authentication's (401, 403, 404);
- the OAuth 2.0 endpoints answer errors as RFC 6749 says (``{"error": ...}`` JSON from the token
  and revocation endpoints) and the authorization page as HTML a person reads, or a problem;
- a route answering something other than JSON declares it with :func:`answers`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import OpenAPI, OpenAPIMediaType, Operation, Schema

from .problems import PROBLEM_JSON

__all__ = ["BINARY", "TEXT", "TruthfulOpenAPIConfig", "answers"]

BINARY = Schema(type="string", format="binary")  # type: ignore[arg-type]
"""The schema of a file's bytes (a picture, a PDF)."""
TEXT = Schema(type="string")  # type: ignore[arg-type]
"""The schema of a text document (CSV, SVG)."""

_PROBLEM = {"schema": {"$ref": "#/components/schemas/Problem"}}
_COMMUNITY = "/v1/communities/{community}"
_BOUNDARY = {
    "401": "No valid token was sent.",
    "403": "The caller may not do this here (another community, or a missing role or scope).",
    "404": "No such community.",
    "400": "The request cannot be read: not UTF-8, not JSON, or nested too deep.",
    "413": "The body is larger than the API accepts.",
    "422": "The input breaks a rule; `errors` names each field.",
}


_OAUTH_ERROR = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
            "required": ["error"],
        }
    }
}
_PAGE_OR_PROBLEM = {"text/html": {"schema": {"type": "string"}}, PROBLEM_JSON: _PROBLEM}
_OAUTH: dict[str, dict[str, dict[str, Any]]] = {
    "/oauth/token": {"400": _OAUTH_ERROR, "401": _OAUTH_ERROR},
    "/oauth/revoke": {"400": _OAUTH_ERROR, "401": _OAUTH_ERROR},
    "/oauth/authorize": {"400": _PAGE_OR_PROBLEM, "422": _PAGE_OR_PROBLEM},
}
_OAUTH_WHEN = {"400": "The request is refused.", "401": "The client is not authenticated."}


def answers(media: dict[str, Schema], *, keep_json: bool = False) -> type[Operation]:
    """An ``operation_class`` documenting the 200 answer's media types.

    Args:
        media: Each media type (``image/png``, ``*/*``) with its schema (:data:`BINARY`...).
        keep_json: Keep the JSON schema Litestar derived from the route beside them.
    """
    content = {name: OpenAPIMediaType(schema=schema) for name, schema in media.items()}

    @dataclass
    class Answers(Operation):
        def __post_init__(self) -> None:
            ok = (self.responses or {}).get("200")
            if ok is not None and hasattr(ok, "content"):
                kept = {k: v for k, v in (ok.content or {}).items() if keep_json}
                ok.content = {**kept, **content}

    return Answers


class _TruthfulOpenAPI(OpenAPI):
    def to_schema(self) -> dict[str, Any]:
        schema = super().to_schema()
        for path, item in schema.get("paths", {}).items():
            for method, operation in item.items():
                if isinstance(operation, dict) and "responses" in operation:
                    _problems(path, method, operation)
        return schema


def _problems(path: str, method: str, operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    takes = [*(["body"] if "requestBody" in operation else []), *operation.get("parameters", [])]
    needed = set()
    if takes:
        needed |= {"400", "422"}
    if "requestBody" in operation and method in ("post", "put", "patch"):
        needed.add("413")
    if path.startswith(_COMMUNITY):  # every community route authenticates the caller
        needed |= {"401", "403", "404"}
    for status in needed - responses.keys():
        responses[status] = {"description": _BOUNDARY[status]}
    for status, response in responses.items():
        if status in ("400", "413") or (status >= "401" and "content" not in response):
            response["content"] = {PROBLEM_JSON: _PROBLEM}
    for status, content in _OAUTH.get(path, {}).items():
        when = _OAUTH_WHEN.get(status, _BOUNDARY[status])
        responses[status] = {"description": when, "content": content}


@dataclass
class TruthfulOpenAPIConfig(OpenAPIConfig):
    """Litestar's ``OpenAPIConfig``, its document corrected as the module docstring says."""

    def to_openapi_schema(self) -> OpenAPI:
        """The base document, as a :class:`OpenAPI` that corrects itself when rendered."""
        base = super().to_openapi_schema()
        return _TruthfulOpenAPI(**{f.name: getattr(base, f.name) for f in fields(base)})
