"""Request ids and structured logs: every answer names its request, every line of it too.

A client's sane ``X-Request-ID`` is kept, anything else replaced by a fresh id; the id comes
back on every answer (errors and unknown routes included) and stamps each log line written
while that request is served, as text or JSON. The JSON lines carry the record's own fields
only: the sign-in code SMS logs the masked number, never the number.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from linli.observe.logs import JsonFormatter, RequestIdFilter, TextFormatter, configure_logging

PHONE = "13600002468"
SIGN_IN = "/v1/identity/sign-in-codes"


@contextmanager
def root_lines(formatter: logging.Formatter) -> Iterator[io.StringIO]:
    """Everything logged to the root logger at INFO and above, formatted, in a buffer."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(formatter)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_a_request_without_an_id_gets_a_fresh_one_on_every_answer(
    start_platform: Any,
) -> None:
    async with start_platform() as running:
        answers = [
            await running.client.get("/v1/health"),
            await running.client.get("/v1/communities/home/modules"),  # 401
            await running.client.get("/nowhere"),  # no route: 404
        ]
    ids = [answer.headers["x-request-id"] for answer in answers]
    assert [answer.status_code for answer in answers] == [200, 401, 404]
    assert all(re.fullmatch(r"[0-9a-f]{32}", request_id) for request_id in ids)
    assert len(set(ids)) == 3


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("checkout-7f3a.retry:2", True),
        ("a" * 128, True),
        ("a" * 129, False),  # too long
        ("two words", False),
        ("<script>", False),
        ("", False),
    ],
)
async def test_a_sane_request_id_is_kept_and_any_other_replaced(
    start_platform: Any, sent: str, kept: bool
) -> None:
    async with start_platform() as running:
        answer = await running.client.get("/v1/health", headers={"X-Request-ID": sent})
    echoed = answer.headers["x-request-id"]
    if kept:
        assert echoed == sent
    else:
        assert echoed != sent
        assert re.fullmatch(r"[0-9a-f]{32}", echoed)


async def test_each_json_log_line_of_a_request_carries_its_id(start_platform: Any) -> None:
    async with start_platform() as running:
        with root_lines(JsonFormatter()) as out:
            logging.getLogger("linli.test").info("before any request")
            answer = await running.client.post(
                SIGN_IN, json={"phone": PHONE}, headers={"X-Request-ID": "signin-42"}
            )
            logging.getLogger("linli.test").info("after the request")
    assert answer.status_code in (200, 201, 202), answer.text
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    during = [line for line in lines if line["logger"].startswith("linli.identity")]
    assert during, lines  # the demo SMS sender logged the code
    assert all(line["request_id"] == "signin-42" for line in during)
    assert any("sign-in code" in line["message"] for line in during)
    outside = [line for line in lines if line["logger"] == "linli.test"]
    assert [line.get("request_id") for line in outside] == [None, None]
    assert {"time", "level", "logger", "message"} <= set(during[0])
    assert PHONE not in out.getvalue()  # the number stays masked


async def test_text_log_lines_carry_the_request_id_in_brackets(start_platform: Any) -> None:
    async with start_platform() as running:
        with root_lines(TextFormatter()) as out:
            await running.client.post(
                SIGN_IN, json={"phone": PHONE}, headers={"X-Request-ID": "signin-43"}
            )
            logging.getLogger("linli.test").info("outside")
    text = out.getvalue()
    assert re.search(r"^INFO linli\.identity\.service \[signin-43\]: SMS to ", text, re.M), text
    assert "INFO linli.test: outside" in text.splitlines()
    assert PHONE not in text


def test_configure_logging_replaces_only_its_own_handler() -> None:
    root = logging.getLogger()
    other = logging.NullHandler()
    root.addHandler(other)
    before, level = list(root.handlers), root.level
    try:
        configure_logging("json")
        configure_logging("text")
        added = [h for h in root.handlers if h not in before]
        assert len(added) == 1  # the second call replaced the first handler
        assert isinstance(added[0].formatter, TextFormatter)
        assert other in root.handlers
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
        root.removeHandler(other)
        root.setLevel(level)


async def test_a_browser_page_of_an_allowed_origin_may_send_and_read_the_id(
    start_platform: Any,
) -> None:
    origin = "http://app.example"
    async with start_platform(cors_origins=[origin]) as running:
        preflight = await running.client.options(
            "/v1/health",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "x-request-id",
            },
        )
        answer = await running.client.get(
            "/v1/health", headers={"Origin": origin, "X-Request-ID": "page-1"}
        )
    assert preflight.status_code in (200, 204), preflight.text
    assert "x-request-id" in preflight.headers["access-control-allow-headers"].lower()
    assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()
    assert answer.headers["x-request-id"] == "page-1"
