"""The input boundary: every request's body, path, query and headers bounded before a handler.

One place parses and bounds what a client sends, so no handler, store or database ever meets
input it cannot hold:

- a JSON body is read (at most :data:`MAX_JSON_BYTES`, else 413), must be UTF-8 (400) and
  JSON (400), nested at most :data:`MAX_DEPTH` deep (400); its integers must fit a signed
  64-bit integer and its strings may carry no control character but tab, line feed and
  carriage return (422);
- path and query parameters and the ``Idempotency-Key`` header: the same integer range, no
  control character at all (422);
- bearer-token headers and claims are read with :func:`parse_json` too (see ``auth``).

Each refusal is a problem document whose ``errors`` name the field (``body.items.0.qty``,
``path.charge``, ``query.limit``). The body is checked when the handler first reads it —
after authentication, tenancy and rate limits — and before anything is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from linli_sdk import InvalidInput, LinliError
from litestar.connection import ASGIConnection

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "MAX_DEPTH",
    "MAX_JSON_BYTES",
    "MalformedInput",
    "TooLarge",
    "bounded_int",
    "bounded_parameters",
    "input_boundary",
    "parse_json",
]

MAX_DEPTH = 64
"""The deepest nesting of arrays and objects a JSON body may have."""
MAX_JSON_BYTES = 1 << 20
"""The largest JSON body accepted (1 MiB); file uploads are ``multipart/form-data``."""
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
"""Every integer a client sends (ids, counts, amounts) must lie in this range."""

_BODY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_INTEGER = re.compile(r"[+-]?[0-9]+")


class MalformedInput(LinliError):
    """The request cannot be read: not UTF-8, not JSON, or nested too deep (HTTP 400)."""

    title = "Malformed input"
    slug = "malformed-input"


class TooLarge(LinliError):
    """The request body is larger than the API accepts (HTTP 413)."""

    status = 413
    title = "Content too large"
    slug = "too-large"


def _refuse(error: type[LinliError], field: str, message: str) -> LinliError:
    return error(f"{field}: {message}", errors=[{"field": field, "message": message}])


def parse_json(raw: bytes, field: str = "body") -> Any:
    """``raw`` parsed as bounded JSON; :class:`MalformedInput` or :class:`InvalidInput` if not.

    Args:
        raw: The JSON text, as sent.
        field: What to call it in the problem document (``body``, ``token``...).
    """
    if len(raw) > MAX_JSON_BYTES:
        raise _refuse(TooLarge, field, f"larger than {MAX_JSON_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse(MalformedInput, field, f"not UTF-8 at byte {exc.start}") from exc
    try:
        value = json.loads(text)
    except RecursionError:
        raise _refuse(MalformedInput, field, f"nested deeper than {MAX_DEPTH}") from None
    except ValueError as exc:
        raise _refuse(MalformedInput, field, f"not JSON ({exc})") from exc
    if not _fine(value):
        _check(value, field)  # find and name the field
    return value


_BAD_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _fine(root: Any) -> bool:
    """Whether ``root`` is within bounds (the fast path: no field names built)."""
    pending = [(root, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if _BAD_TEXT.search(value):
                return False
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                return False
            if isinstance(value, dict):
                if any(_BAD_TEXT.search(key) for key in value):
                    return False
                value = value.values()
            pending.extend((item, depth + 1) for item in value)
        elif type(value) is int and not INT64_MIN <= value <= INT64_MAX:
            return False
    return True


def _check(root: Any, field: str) -> None:
    """Walk ``root``: nesting, integers in range, text without control characters or surrogates."""
    pending: list[tuple[str, Any, int]] = [(field, root, 1)]
    while pending:
        where, value, depth = pending.pop()
        if isinstance(value, dict | list) and depth > MAX_DEPTH:
            raise _refuse(MalformedInput, field, f"nested deeper than {MAX_DEPTH}")
        if isinstance(value, dict):
            for key, item in value.items():
                _text(f"{where} key", key, _BODY_CONTROLS)
                pending.append((f"{where}.{key}", item, depth + 1))
        elif isinstance(value, list):
            pending.extend((f"{where}.{i}", item, depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str):
            _text(where, value, _BODY_CONTROLS)
        elif isinstance(value, int) and not isinstance(value, bool):
            bounded_int(value, where)


def _text(field: str, value: str, controls: re.Pattern[str]) -> None:
    if _SURROGATE.search(value):
        raise _refuse(InvalidInput, field, "carries an unpaired UTF-16 surrogate")
    if found := controls.search(value):
        char = f"U+{ord(found.group()):04X}"
        raise _refuse(InvalidInput, field, f"carries the control character {char}")


def bounded_int(value: int, field: str) -> int:
    """``value`` if it fits a signed 64-bit integer; :class:`InvalidInput` naming ``field``."""
    if not INT64_MIN <= value <= INT64_MAX:
        raise _refuse(InvalidInput, field, "out of range for a 64-bit integer")
    return value


def _parameter(field: str, value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        bounded_int(value, field)
    elif isinstance(value, str):
        _text(field, value, _ANY_CONTROL)
        if _INTEGER.fullmatch(digits := value.strip()):
            if len(digits.lstrip("+-").lstrip("0")) > 19:  # int() of a huge literal is slow
                raise _refuse(InvalidInput, field, "out of range for a 64-bit integer")
            bounded_int(int(digits), field)


def bounded_parameters(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Path and query parameters in range and free of control characters (the routed request's).

    The ``Idempotency-Key`` header may carry no control character either (a tab passes HTTP).
    Run by :func:`input_boundary` once the route is known, not as a guard: Litestar copies
    the route handler for every guard it runs, which a call pays per guard.
    """
    for name, value in connection.path_params.items():
        _parameter(f"path.{name}", value)
    for name, value in connection.query_params.multi_items():
        _text("query", name, _ANY_CONTROL)
        _parameter(f"query.{name}", value)
    for header, raw in connection.scope["headers"]:  # raw: no header mapping built for this
        if header == b"idempotency-key":
            _text("header.Idempotency-Key", raw.decode("latin-1"), _ANY_CONTROL)


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _json_body(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return False
    for name, value in scope["headers"]:
        if name == b"content-type":
            media: bytes = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return True  # no content type: read as JSON


def input_boundary(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: parameters and the JSON body checked before any handler.

    The routed request's parameters by :func:`bounded_parameters`; a JSON body by
    :func:`parse_json` when it is first read.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            bounded_parameters(ASGIConnection(scope))  # type: ignore[arg-type]
        if not _json_body(scope):
            await app(scope, receive, send)
            return
        checked = False

        async def bounded_receive() -> Message:
            nonlocal checked
            if checked:
                return await receive()
            checked = True
            chunks: list[bytes] = []
            size = 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return message
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if size > MAX_JSON_BYTES:
                    raise _refuse(TooLarge, "body", f"larger than {MAX_JSON_BYTES} bytes")
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
            if body.strip():
                parse_json(body)
            return {"type": "http.request", "body": body, "more_body": False}

        await app(scope, bounded_receive, send)

    return middleware
