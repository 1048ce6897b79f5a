"""Log lines as text or JSON, each carrying the id of the request it was written in.

:func:`configure_logging` installs one handler on the root logger (replacing the one it
installed before, leaving others, such as pytest's, alone). Every line written while a
request is served carries that request's id (``X-Request-ID``, see
:mod:`linli.http.observe`): ``INFO linli.x [3f2a...]: message`` as text, a ``request_id``
field as JSON. The JSON formatter writes the record's own fields only (time, level, logger,
message, request id, exception): nothing a request carried is added to the logs.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal

__all__ = [
    "REQUEST_ID",
    "JsonFormatter",
    "LogFormat",
    "RequestIdFilter",
    "TextFormatter",
    "configure_logging",
]

LogFormat = Literal["text", "json"]

REQUEST_ID: ContextVar[str | None] = ContextVar("linli_request_id", default=None)
"""The id of the request being served in this context (``None`` outside a request)."""

TEXT_FORMAT = "%(levelname)s %(name)s%(request_tag)s: %(message)s"


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request's id (``request_id``, ``request_tag``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the attributes; never drops a record."""
        request_id = REQUEST_ID.get()
        record.request_id = request_id
        record.request_tag = f" [{request_id}]" if request_id else ""
        return True


class TextFormatter(logging.Formatter):
    """``LEVEL logger [request id]: message``: the platform's text lines."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        """The line, with the request tag even when no :class:`RequestIdFilter` ran."""
        if not hasattr(record, "request_tag"):
            RequestIdFilter().filter(record)
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message``, ``request_id``."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (an exception's traceback under ``exception``)."""
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id:
            line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class _Installed(logging.StreamHandler):  # type: ignore[type-arg]
    """The root handler :func:`configure_logging` owns (so a second call replaces it)."""


def configure_logging(log_format: LogFormat = "text", level: int = logging.INFO) -> None:
    """Send log lines to stderr as ``text`` or ``json``, each with its request's id.

    Args:
        log_format: ``text`` (``LEVEL logger [request id]: message``) or ``json`` (one
            object per line).
        level: The root logger's level.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _Installed)]:
        root.removeHandler(handler)
    handler = _Installed()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("piccolo").setLevel(logging.WARNING)
