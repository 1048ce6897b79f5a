"""Serving plugin operations: one Litestar route per operation, with its schemas in OpenAPI.

``/v1/communities/{community}/modules/{module}/{operation}``: commands are ``POST`` with a JSON
body and an optional ``Idempotency-Key`` header; queries are ``GET`` with the input's fields as
query parameters. A guard authenticates the caller, checks tenancy, that the module is enabled
in the community, the operation's role and scope, and its per-caller rate limit if it declares
one (429 with ``Retry-After``) — before the request body is read.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from linli_sdk import (
    Caller,
    Community,
    Document,
    Forbidden,
    NotFound,
    Operation,
    OperationKind,
)
from litestar import Request, Response
from litestar.enums import RequestEncodingType
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.params import Body, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage
from pydantic import BaseModel, ValidationError

from linli.identity.auth import authenticate
from linli.modules.calls import invoke, open_stream
from linli.modules.enablement import module_state
from linli.modules.ratelimit import RateLimited, RateLimiter, caller_key
from linli.modules.registry import LoadedModule
from linli.modules.validation import invalid_input

from ..files.store import CoreFiles
from ..idempotency import IdempotencyKey, respond
from ..platform import Platform
from .access import Access
from .handlers import get, post
from .openapi import BINARY, TEXT, answers
from .problems import problem_responses
from .uploads import form_input, upload_fields

__all__ = ["operation_routes"]

PREFIX = "/v1/communities/{community:str}/modules"
_FILE = answers({"*/*": BINARY})
_EVENTS = answers({"text/event-stream": TEXT})


@dataclass(frozen=True, slots=True)
class _Call:
    community: Community
    caller: Caller
    settings: BaseModel


def _guard(loaded: LoadedModule, op: Operation) -> Any:
    limiter = RateLimiter(op.rate_limit) if op.rate_limit else None

    async def guard(connection: Any, _: BaseRouteHandler) -> None:
        platform: Platform = connection.app.state.platform
        community, caller = await authenticate(
            connection.headers.get("authorization"),
            connection.path_params["community"],
            platform.settings.admin_token,
        )
        state = await module_state(community, loaded)
        if not state.enabled:
            raise NotFound(f"module {loaded.name!r} is not enabled in community {community.slug!r}")
        if not caller.has_role(*op.roles):
            roles = ", ".join(sorted(op.roles))
            raise Forbidden(f"{loaded.name}.{op.name} requires one of the roles: {roles}")
        if not caller.has_scope(op.scope):
            raise Forbidden(f"{loaded.name}.{op.name} requires the scope {op.scope!r}")
        if limiter and (wait := limiter.admit(caller_key(community.id, caller))):
            raise RateLimited(
                f"{loaded.name}.{op.name}: too many calls; retry later", retry_after=wait
            )
        connection.state.call = _Call(community, caller, state.settings)

    return guard


async def _serve(
    request: Request[Any, Any, Any],
    loaded: LoadedModule,
    op: Operation,
    data: BaseModel,
    key: str | None,
) -> Response[bytes]:
    platform: Platform = request.app.state.platform
    call: _Call = request.state.call
    outcome = await invoke(
        platform, call.community, loaded, op, call.caller, data, call.settings, key
    )
    return respond(outcome)


def _command(loaded: LoadedModule, op: Operation) -> HTTPRouteHandler:
    if upload_fields(op.input):
        return _upload_command(loaded, op)
    # An input without required fields may be sent as no body at all.
    optional = not any(f.is_required() for f in op.input.model_fields.values())

    async def handler(
        request: Request[Any, Any, Any], data: Any = None, idempotency_key: Any = None
    ) -> Any:
        # No body at all: the input's defaults, or a 422 naming each required field.
        given = data if data is not None else _input(loaded, op, {})
        return await _serve(request, loaded, op, given, idempotency_key)

    handler.__annotations__ = {
        "request": Request,
        "data": Annotated[op.input | None if optional else op.input, Body()],
        "idempotency_key": IdempotencyKey,
        "return": Response[op.output],  # type: ignore[name-defined]
    }
    return post(
        f"{PREFIX}/{loaded.name}/{op.name}",
        guards=[_guard(loaded, op)],
        status_code=200,
        **_docs(loaded, op),
    )(handler)


def _upload_command(loaded: LoadedModule, op: Operation) -> HTTPRouteHandler:
    """A command whose input carries files: ``multipart/form-data``, each file kept first."""

    async def handler(
        request: Request[Any, Any, Any], data: Any, idempotency_key: Any = None
    ) -> Any:
        call: _Call = request.state.call
        files = CoreFiles(call.community, loaded.name)
        fields = await form_input(request.app.state.platform.settings, files, op.input, data)
        return await _serve(request, loaded, op, _input(loaded, op, fields), idempotency_key)

    handler.__annotations__ = {
        "request": Request,
        "data": Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
        "idempotency_key": IdempotencyKey,
        "return": Response[op.output],  # type: ignore[name-defined]
    }
    docs = _docs(loaded, op)
    fields = ", ".join(f"`{name}`" for name in sorted(upload_fields(op.input)))
    docs["description"] += (
        f"\n\nSend `multipart/form-data`: {fields} as file parts, the other fields of "
        f"`{op.input.__name__}` as form fields."
    )
    return post(
        f"{PREFIX}/{loaded.name}/{op.name}",
        guards=[_guard(loaded, op)],
        status_code=200,
        **docs,
    )(handler)


def _with_query_parameters(handler: Any, op: Operation, returns: Any) -> Any:
    """Give ``handler(request, **params)`` one query parameter per field of the input model."""
    parameters = [inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)]
    annotations: dict[str, Any] = {"request": Request, "return": returns}
    for name, info in op.input.model_fields.items():
        default = (
            inspect.Parameter.empty
            if info.is_required()
            else info.get_default(call_default_factory=True)
        )
        annotation = Annotated[
            info.annotation,  # type: ignore[name-defined]
            *info.metadata,
            QueryParameter(name=info.alias or name, description=info.description),
        ]
        parameters.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
            )
        )
        annotations[name] = annotation
    handler.__signature__ = inspect.Signature(parameters)
    handler.__annotations__ = annotations
    return handler


def _input(loaded: LoadedModule, op: Operation, params: dict[str, Any]) -> BaseModel:
    try:
        return op.input.model_validate(params)
    except ValidationError as exc:
        raise invalid_input(exc, f"input for {loaded.name}.{op.name}") from exc


def _query(loaded: LoadedModule, op: Operation) -> HTTPRouteHandler:
    async def handler(request: Request[Any, Any, Any], **params: Any) -> Any:
        return await _serve(request, loaded, op, _input(loaded, op, params), None)

    returns = Response[op.output]  # type: ignore[name-defined]
    return get(
        f"{PREFIX}/{loaded.name}/{op.name}", guards=[_guard(loaded, op)], **_docs(loaded, op)
    )(_with_query_parameters(handler, op, returns))


def _stream(loaded: LoadedModule, op: Operation) -> HTTPRouteHandler:
    async def handler(request: Request[Any, Any, Any], **params: Any) -> ServerSentEvent:
        call: _Call = request.state.call
        items = open_stream(
            request.app.state.platform,
            call.community,
            loaded,
            op,
            call.caller,
            _input(loaded, op, params),
            call.settings,
        )
        first = await anext(items, None)  # errors before the first item are still problems

        async def events() -> AsyncIterator[ServerSentEventMessage]:
            if first is None:
                return
            yield ServerSentEventMessage(data=first.model_dump_json(), event=op.name)
            async for item in items:
                yield ServerSentEventMessage(data=item.model_dump_json(), event=op.name)

        return ServerSentEvent(events())

    docs = _docs(loaded, op)
    docs["description"] += (
        f"\n\nAnswers `text/event-stream`: one `{op.name}` event per update, "
        f"its data a `{op.output.__name__}` as JSON."
    )
    docs["operation_class"] = _EVENTS
    return get(f"{PREFIX}/{loaded.name}/{op.name}", guards=[_guard(loaded, op)], **docs)(
        _with_query_parameters(handler, op, ServerSentEvent)
    )


def _docs(loaded: LoadedModule, op: Operation) -> dict[str, Any]:
    needs = f"Requires one of the roles: {', '.join(sorted(op.roles))}; scope `{op.scope}`."
    return {
        "name": f"{loaded.name}.{op.name}",
        "operation_id": f"{loaded.name}.{op.name}",
        "summary": op.summary,
        "description": f"{op.description}\n\n{needs}".strip(),
        "tags": [loaded.name],
        "responses": problem_responses(
            401, 403, 404, 409, 422, *((429,) if op.rate_limit else ()), 500
        ),
        "opt": Access.of(*op.roles).opt,
        # a Document is a file of the operation's choosing (PDF, CSV, PNG...), not JSON
        **({"operation_class": _FILE} if issubclass(op.output, Document) else {}),
    }


def operation_routes(platform: Platform) -> list[HTTPRouteHandler]:
    """A route handler for every operation of every loaded module."""
    builders = {
        OperationKind.COMMAND: _command,
        OperationKind.QUERY: _query,
        OperationKind.STREAM: _stream,
    }
    return [
        builders[op.kind](loaded, op)
        for loaded in platform.registry.modules.values()
        for op in loaded.manifest.operations
    ]
