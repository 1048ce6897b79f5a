"""Bad input as a hostile client sends it: each class answers a problem document, never a 500.

Each test sends one class of bad input to real routes on SQLite and PostgreSQL and checks the
problem document (status, type, the field named) and that nothing was written.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from linli.http.app import create_app
from linli.http.boundary import MAX_DEPTH
from linli.modules.enablement import set_module
from linli.settlement.tables import LedgerEntry
from linli_sdk.money import MAX_AMOUNT

HOME = "/v1/communities/home"
POST_NOTICE = f"{HOME}/modules/noticeboard/post-notice"
LIVE = f"{HOME}/modules/group_buying"
SIGN_IN_CODES = "/v1/identity/sign-in-codes"
JSON = {"Content-Type": "application/json"}


@pytest.fixture(params=["sqlite", "postgres"])
def boundary(request: pytest.FixtureRequest, start_platform: Any) -> Callable[[], Any]:
    """``async with boundary() as running``: the platform on SQLite, then on PostgreSQL."""
    overrides = {}
    if request.param == "postgres":
        overrides["database_url"] = request.getfixturevalue("postgres_url")

    @asynccontextmanager
    async def start() -> AsyncIterator[Any]:
        async with start_platform(**overrides) as running:
            for module in ("noticeboard", "group_buying"):
                await set_module(running.platform, running.home, module, enabled=True)
            yield running

    return start


async def _notices() -> int:
    # The notice board's table, read by name: core tests import no plugin package.
    rows = await LedgerEntry.raw("SELECT COUNT(*) AS n FROM noticeboard_notice")
    return int(rows[0]["n"])


def _problem(answer: Any, status: int, slug: str, field: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    document = answer.json()
    assert document["status"] == status
    assert document["type"] == f"urn:linli:problem:{slug}"
    assert field in [error["field"] for error in document["errors"]], document
    return document


async def test_no_body_on_a_command_with_required_fields_names_them(boundary) -> None:
    async with boundary() as running:
        before = await _notices()
        for headers in ({}, JSON):
            answer = await running.client.post(
                POST_NOTICE, content=b"", headers={**running.auth("operator"), **headers}
            )
            _problem(answer, 422, "invalid-input", "title")
        assert await _notices() == before


async def test_json_nested_deeper_than_the_limit_is_refused(boundary) -> None:
    async with boundary() as running:
        before = await _notices()
        deep = b'{"title": ' + b"[" * 1000 + b"]" * 1000 + b"}"
        answer = await running.client.post(
            POST_NOTICE, content=deep, headers={**running.auth("operator"), **JSON}
        )
        document = _problem(answer, 400, "malformed-input", "body")
        assert f"nested deeper than {MAX_DEPTH}" in document["detail"]
        # anonymously too, before any sign-in code is made or sent
        anonymous = await running.client.post(SIGN_IN_CODES, content=deep, headers=JSON)
        _problem(anonymous, 400, "malformed-input", "body")
        # at the limit it is merely JSON (and the title a list, so a 422 from the model)
        ok = b'{"title": ' + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1) + b"}"
        answer = await running.client.post(
            POST_NOTICE, content=ok, headers={**running.auth("operator"), **JSON}
        )
        assert answer.status_code == 422, answer.text
        assert await _notices() == before


async def test_invalid_utf8_and_lone_surrogates_in_a_string_are_refused(boundary) -> None:
    async with boundary() as running:
        before = await _notices()
        headers = {**running.auth("operator"), **JSON}
        answer = await running.client.post(
            POST_NOTICE, content=b'{"title": "caf\xc3\x28"}', headers=headers
        )
        assert "not UTF-8" in _problem(answer, 400, "malformed-input", "body")["detail"]
        answer = await running.client.post(
            POST_NOTICE, content=b'{"title": "x\\ud800y"}', headers=headers
        )
        _problem(answer, 422, "invalid-input", "body.title")
        anonymous = await running.client.post(
            SIGN_IN_CODES, content=b'{"phone": "\xff\xfe138"}', headers=JSON
        )
        _problem(anonymous, 400, "malformed-input", "body")
        assert await _notices() == before


async def test_control_characters_in_text_are_refused_naming_the_field(boundary) -> None:
    async with boundary() as running:
        before = await _notices()
        headers = {**running.auth("operator"), **JSON}
        body = json.dumps({"title": "Lift\u0000 out of order", "body": "ok"})
        answer = await running.client.post(POST_NOTICE, content=body, headers=headers)
        assert "U+0000" in _problem(answer, 422, "invalid-input", "body.title")["detail"]
        # line breaks and tabs are text, not control
        fine = json.dumps({"title": "Lift", "body": "Floor 3\n\tand 4"})
        assert (await running.client.post(POST_NOTICE, content=fine, headers=headers)).is_success
        assert await _notices() == before + 1
        query = await running.client.get(
            f"{HOME}/modules/noticeboard/list-notices",
            params={"limit": "5\x07"},
            headers=running.auth("operator"),
        )
        _problem(query, 422, "invalid-input", "query.limit")


@pytest.mark.parametrize("big", [2**63, 2**63 + 5, -(2**63) - 1, 10**30])
async def test_integers_beyond_64_bits_are_refused_in_body_path_and_query(boundary, big) -> None:
    async with boundary() as running:
        headers = {**running.auth("operator"), **JSON}
        before = await _notices()
        answer = await running.client.post(
            POST_NOTICE, content=json.dumps({"title": "x", "pinned": big}), headers=headers
        )
        _problem(answer, 422, "invalid-input", "body.pinned")
        answer = await running.client.post(
            f"{LIVE}/put-on-live-item",
            json={"session_id": big, "name": "x", "price": {"amount": 1, "currency": "CNY"}},
            headers=running.auth("leader"),
        )
        _problem(answer, 422, "invalid-input", "body.session_id")
        path = await running.client.get(
            f"{HOME}/settlement/charges/{big}", headers=running.auth("operator")
        )
        _problem(path, 422, "invalid-input", "path.charge_id")
        query = await running.client.get(
            f"{HOME}/modules/noticeboard/list-notices",
            params={"limit": str(big)},
            headers=running.auth("operator"),
        )
        _problem(query, 422, "invalid-input", "query.limit")
        assert await _notices() == before


async def test_a_price_beyond_the_money_maximum_is_refused_and_the_ledger_keeps_answering(
    boundary,
) -> None:
    async with boundary() as running:
        leader = running.auth("leader")
        opened = await running.client.post(
            f"{LIVE}/open-live-session", json={"title": "Peaches"}, headers=leader
        )
        assert opened.is_success, opened.text
        session = opened.json()["session_id"]
        for amount in (2**62, MAX_AMOUNT + 1):
            item = {
                "session_id": session,
                "name": "peaches",
                "price": {"amount": amount, "currency": "CNY"},
                "stock": 10,
            }
            answer = await running.client.post(
                f"{LIVE}/put-on-live-item", json=item, headers=leader
            )
            _problem(answer, 422, "invalid-input", "price.amount")
        assert await LedgerEntry.count() == 0
        ledger = await running.client.get(
            f"{HOME}/settlement/ledger", headers=running.auth("operator")
        )
        assert ledger.status_code == 200, ledger.text


async def test_a_bearer_token_with_a_hostile_header_is_unauthorized_not_a_server_error(
    boundary,
) -> None:
    async with boundary() as running:
        before = await _notices()

        def part(raw: bytes) -> str:
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        claims = part(json.dumps({"sub": f"member:{2**64}", "exp": 2**64}).encode())
        for header in (
            b"[" * 5000 + b"]" * 5000,
            b'{"kid": "\\ud800", "alg": "ES256"}',
            b'{"kid": "\xff"}',
            json.dumps({"kid": 2**64, "alg": "ES256"}).encode(),
        ):
            answer = await running.client.post(
                POST_NOTICE,
                json={"title": "x"},
                headers={"Authorization": f"Bearer {part(header)}.{claims}.sig"},
            )
            assert answer.status_code == 401, answer.text
            assert answer.json()["type"] == "urn:linli:problem:unauthorized"
        assert await _notices() == before


async def test_a_control_character_in_the_idempotency_key_is_refused(boundary) -> None:
    async with boundary() as running:
        before = await _notices()
        answer = await running.client.post(
            POST_NOTICE,
            json={"title": "x"},
            headers={**running.auth("operator"), "Idempotency-Key": "key\tone"},
        )
        _problem(answer, 422, "invalid-input", "header.Idempotency-Key")
        assert await _notices() == before


async def test_no_route_runs_more_than_one_guard(start_platform) -> None:
    """Parameters are checked by the boundary middleware, not by an app-wide guard: Litestar
    copies the route handler for every guard it runs, a cost each call would pay again."""
    async with start_platform(modules=["noticeboard"]) as running:
        app = create_app(platform=running.platform)
        handlers = [
            handler for route in app.routes for handler in getattr(route, "route_handlers", [])
        ]
        assert handlers
        assert max(len(handler.resolve_guards()) for handler in handlers) == 1
