"""RFC 9457 problem details for every error the API answers."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from linli_sdk import LinliError
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from pydantic import BaseModel, ConfigDict

__all__ = ["PROBLEM_JSON", "Problem", "exception_handlers", "problem", "problem_responses"]

PROBLEM_JSON = "application/problem+json"

log = logging.getLogger("linli.http")


class Problem(BaseModel):
    """An RFC 9457 problem document (extension members such as ``errors`` may follow)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None


_WHEN = {
    401: "No valid token was sent.",
    403: "The caller may not do this here (another community, or a missing role or scope).",
    404: "No such community, or the module is not enabled in it.",
    409: "The request conflicts with the current state.",
    422: "The input breaks a rule; `errors` names each field.",
    429: "Too many calls from this caller; `Retry-After` says how many seconds to wait.",
    500: "The module failed; nothing was changed.",
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI response entries documenting the problem documents a route may answer."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            generate_examples=False,
            description=_WHEN[status],
            media_type=PROBLEM_JSON,
        )
        for status in statuses
    }


_STANDARD = frozenset({"type", "title", "status", "detail", "instance"})


def problem(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> Response[dict[str, Any]]:
    """A problem document response; ``slug`` names a Linli problem type (see the docs).

    ``extensions`` add members; one named like a standard member (``status``, ``detail``...)
    cannot replace it and is answered as ``extension_<name>`` instead.
    """
    body: dict[str, Any] = {
        "type": f"urn:linli:problem:{slug}" if slug else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    for name, value in (extensions or {}).items():
        body[f"extension_{name}" if name in _STANDARD else name] = value
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _linli_error(request: Request[Any, Any, Any], exc: LinliError) -> Response[dict[str, Any]]:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
    headers.update(getattr(exc, "headers", {}))  # e.g. Retry-After on a 429
    return problem(
        exc.status,
        exc.detail,
        slug=exc.slug,
        title=exc.title,
        instance=request.url.path,
        headers=headers or None,
        extensions=exc.extensions,
    )


def _validation(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    errors = [
        {
            "field": item.get("key") or item.get("source") or "body",
            "message": item.get("message", ""),
        }
        for item in (exc.extra if isinstance(exc.extra, list) else [])
        if isinstance(item, dict)
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or str(exc.detail)
    return problem(
        422,
        detail,
        slug="invalid-input",
        title="Invalid input",
        instance=request.url.path,
        extensions={"errors": errors},
    )


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    return problem(exc.status_code, str(exc.detail), instance=request.url.path, headers=exc.headers)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        500, "the server failed to answer; the error was logged", instance=request.url.path
    )


exception_handlers: dict[type[Exception], Any] = {
    LinliError: _linli_error,
    ValidationException: _validation,
    HTTPException: _http,
    Exception: _unexpected,
}
"""Litestar exception handlers: every error becomes ``application/problem+json``."""
