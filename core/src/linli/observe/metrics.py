"""Prometheus metrics: HTTP requests counted and timed per route, read in the text format.

Request metrics are kept in this process (:data:`REGISTRY`) or, when the environment names
``PROMETHEUS_MULTIPROC_DIR`` before this module is imported, in files there that every
server process writes and any of them reads (``linli serve --workers N`` sets it up). The
platform's own gauges (:mod:`linli.observe.gauges`) are read from the database at scrape
time and appended by :func:`render`.

Labels stay bounded: a route is its template (``/v1/communities/{community}/...``), never
the path a client sent; a request no route matched is counted under ``unmatched``, and a
method other than the standard ones as ``OTHER``.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = [
    "CONTENT_TYPE",
    "MULTIPROC_ENV",
    "REGISTRY",
    "RequestTimer",
    "multiprocess_dir",
    "observe_request",
    "render",
    "shared_metrics_dir",
]

CONTENT_TYPE = CONTENT_TYPE_LATEST
"""The media type of the Prometheus text format."""
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
"""The variable naming the directory server processes share their metrics through."""
UNMATCHED = "unmatched"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_METRIC_FILES = {"counter", "gauge", "histogram", "summary"}

REGISTRY = CollectorRegistry(auto_describe=True)
"""This process's request metrics (read directly when not in multi-process mode)."""

_REQUESTS = Counter(
    "linli_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
_LATENCY = Histogram(
    "linli_http_request_duration_seconds",
    "Time from a request's arrival to its response's start, by method and route template.",
    ["method", "route"],
    registry=REGISTRY,
)
_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def shared_metrics_dir() -> Path:
    """Prepare the directory server processes share metrics through, before they start.

    Uses ``PROMETHEUS_MULTIPROC_DIR`` when set (created if missing), else a new temporary
    directory (and sets the variable, so the processes started next inherit it). Files a
    previous run left there are removed: counts start again with the server.
    """
    named = multiprocess_dir()
    where = Path(named) if named else Path(tempfile.mkdtemp(prefix="linli-metrics-"))
    where.mkdir(parents=True, exist_ok=True)
    for old in where.glob("*.db"):
        if old.name.split("_", 1)[0] in _METRIC_FILES:
            old.unlink()
    os.environ[MULTIPROC_ENV] = str(where)
    return where


def multiprocess_dir() -> str | None:
    """The shared metrics directory, when the processes of a server share their metrics."""
    return os.environ.get(MULTIPROC_ENV) or None


def observe_request(method: str, route: str | None, status: int, seconds: float) -> None:
    """Count one answered request and record how long it took.

    Args:
        method: The HTTP method.
        route: The route template that answered, ``None`` when no route matched.
        status: The response's status code.
        seconds: From the request's arrival to the response's start.
    """
    if method not in _METHODS:  # a client may send any word: the labels stay bounded
        method = "OTHER"
    key = (method, route or UNMATCHED, status)
    children = _children.get(key)
    if children is None:  # once per method, route and status: label lookups cost a lock
        children = _REQUESTS.labels(key[0], key[1], str(status)), _LATENCY.labels(key[0], key[1])
        _children[key] = children
    children[0].inc()
    children[1].observe(seconds)


class RequestTimer:
    """The start of one request (``time.perf_counter``), read when its answer starts."""

    __slots__ = ("start",)

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        """Seconds since the request arrived."""
        return time.perf_counter() - self.start


class _Families:
    """A collector yielding metric families computed before the scrape (the gauges)."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self.families


def render(gauges: Iterable[Metric] = ()) -> bytes:
    """Every metric in the Prometheus text format: requests (all processes) and ``gauges``."""
    registry = CollectorRegistry(auto_describe=True)
    shared = multiprocess_dir()
    if shared:
        MultiProcessCollector(registry, path=shared)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Families(REGISTRY.collect()))
        ProcessCollector(registry=registry)
    registry.register(_Families(gauges))
    return generate_latest(registry)
