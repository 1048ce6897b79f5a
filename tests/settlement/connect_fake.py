"""A small fake of Stripe Connect on 127.0.0.1: the endpoints Linli's payouts use, nothing else.

localstripe has no Connect (accounts, account links, transfers and reversals answer 404), so the
tests start this one beside it. Shapes follow Stripe's API reference: ``account``,
``account_link``, ``transfer`` (with its ten most recent ``reversals`` embedded) and
``transfer_reversal`` objects; form-encoded bodies with ``a[b]`` nesting; lists newest first
with ``limit`` / ``starting_after`` / ``has_more``; errors as ``{"error": {type, code, message}}``.

Like Stripe it honours ``Idempotency-Key``: the first response under a key (success or error) is
replayed for the same key, and the same key with other parameters is a 400 ``idempotency_error``.
Each connected account has a balance: transfers add to it, reversals take from it, and a
reversal it cannot cover is refused with ``balance_insufficient``. ``POST
/_test/accounts/{id}/payout`` (``amount``) moves money out of an account, as a bank payout would.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

JSON = dict[str, Any]


class StripeError(Exception):
    """An error answer: HTTP status, Stripe error type and code."""

    def __init__(self, status: int, kind: str, code: str | None, message: str) -> None:
        super().__init__(message)
        self.status, self.kind, self.code = status, kind, code


def form(body: str) -> JSON:
    """Parse a form body with Stripe's ``a[b][c]=v`` nesting into dicts."""
    parsed: JSON = {}
    for name, value in parse_qsl(body, keep_blank_values=True):
        parts = name.replace("]", "").split("[")
        target = parsed
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return parsed


@dataclass
class Connect:
    """The fake's state: accounts, their balances, transfers, reversals, idempotency records."""

    accounts: dict[str, JSON] = field(default_factory=dict)
    balances: dict[str, int] = field(default_factory=dict)
    transfers: dict[str, JSON] = field(default_factory=dict)
    replies: dict[str, tuple[str, int, JSON]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def _id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self.ids):08d}"

    def handle(self, method: str, path: str, params: JSON, key: str | None) -> tuple[int, JSON]:
        """Answer one request (honouring its idempotency key); the status and JSON body."""
        with self.lock:
            self.calls.append((method, path))
            fingerprint = json.dumps([method, path, params], sort_keys=True)
            if key and method == "POST" and key in self.replies:
                first, status, body = self.replies[key]
                if first != fingerprint:
                    return 400, _error(
                        StripeError(
                            400,
                            "idempotency_error",
                            None,
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with.",
                        )
                    )
                return status, body
            try:
                status, body = 200, self._route(method, path, params)
            except StripeError as refused:
                status, body = refused.status, _error(refused)
            if key and method == "POST":
                self.replies[key] = (fingerprint, status, body)
            return status, body

    def _route(self, method: str, path: str, params: JSON) -> JSON:
        parts = path.strip("/").split("/")
        if parts[:1] == ["_test"] and len(parts) == 4 and parts[3] == "payout":
            return self._bank_payout(parts[2], int(params["amount"]))
        if parts[0] != "v1" or len(parts) < 2:
            raise StripeError(404, "invalid_request_error", "resource_missing", "no such path")
        resource, rest = parts[1], parts[2:]
        if resource == "accounts" and method == "POST" and not rest:
            return self._open_account(params)
        if resource == "accounts" and method == "GET" and len(rest) == 1:
            return self._account(rest[0])
        if resource == "account_links" and method == "POST":
            return self._account_link(params)
        if resource == "transfers" and method == "POST" and not rest:
            return self._transfer(params)
        if resource == "transfers" and method == "GET" and not rest:
            return _listing("/v1/transfers", list(self.transfers.values()), params)
        if resource == "transfers" and len(rest) == 1 and method == "GET":
            return _public(self._transfer_of(rest[0]))
        if resource == "transfers" and len(rest) == 2 and rest[1] == "reversals":
            if method == "POST":
                return self._reverse(rest[0], params)
            transfer = self._transfer_of(rest[0])
            reversals = transfer["reversals"]["_all"]
            return _listing(f"/v1/transfers/{rest[0]}/reversals", reversals, params)
        raise StripeError(404, "invalid_request_error", "resource_missing", f"no {path}")

    def _open_account(self, params: JSON) -> JSON:
        account_id = self._id("acct")
        self.accounts[account_id] = {
            "id": account_id,
            "object": "account",
            "type": params.get("type", "express"),
            "email": params.get("email"),
            "country": params.get("country", "US"),
            "default_currency": "usd",
            "business_type": None,
            "capabilities": {"transfers": "active"},
            "charges_enabled": True,
            "payouts_enabled": True,
            "details_submitted": False,
            "metadata": params.get("metadata", {}),
            "created": int(time.time()),
        }
        self.balances[account_id] = 0
        return self.accounts[account_id]

    def _account(self, account_id: str) -> JSON:
        if account_id not in self.accounts:
            raise StripeError(404, "invalid_request_error", "resource_missing", "No such account")
        return self.accounts[account_id]

    def _account_link(self, params: JSON) -> JSON:
        account = self._account(params.get("account", ""))
        for needed in ("refresh_url", "return_url", "type"):
            if not params.get(needed):
                raise StripeError(400, "invalid_request_error", "parameter_missing", needed)
        now = int(time.time())
        return {
            "object": "account_link",
            "created": now,
            "expires_at": now + 300,
            "url": f"https://connect.stripe.test/setup/e/{account['id']}/{self._id('link')}",
        }

    def _transfer(self, params: JSON) -> JSON:
        destination = self._account(params.get("destination", ""))["id"]
        amount = int(params["amount"])
        if amount <= 0:
            raise StripeError(400, "invalid_request_error", "parameter_invalid_integer", "amount")
        transfer_id = self._id("tr")
        self.balances[destination] += amount
        transfer = {
            "id": transfer_id,
            "object": "transfer",
            "amount": amount,
            "amount_reversed": 0,
            "balance_transaction": self._id("txn"),
            "created": int(time.time()),
            "currency": params["currency"].lower(),
            "description": params.get("description"),
            "destination": destination,
            "destination_payment": self._id("py"),
            "livemode": False,
            "metadata": params.get("metadata", {}),
            "reversals": {"object": "list", "data": [], "has_more": False, "_all": []},
            "reversed": False,
            "source_transaction": None,
            "source_type": "card",
            "transfer_group": params.get("transfer_group"),
        }
        self.transfers[transfer_id] = transfer
        return _public(transfer)

    def _transfer_of(self, transfer_id: str) -> JSON:
        if transfer_id not in self.transfers:
            raise StripeError(404, "invalid_request_error", "resource_missing", "No such transfer")
        return self.transfers[transfer_id]

    def _reverse(self, transfer_id: str, params: JSON) -> JSON:
        transfer = self._transfer_of(transfer_id)
        left = transfer["amount"] - transfer["amount_reversed"]
        amount = int(params.get("amount", left))
        if not 0 < amount <= left:
            raise StripeError(
                400, "invalid_request_error", "parameter_invalid_integer", "amount too large"
            )
        if self.balances[transfer["destination"]] < amount:
            raise StripeError(
                400,
                "invalid_request_error",
                "balance_insufficient",
                "Insufficient funds in the connected account to reverse this transfer.",
            )
        self.balances[transfer["destination"]] -= amount
        reversal = {
            "id": self._id("trr"),
            "object": "transfer_reversal",
            "amount": amount,
            "balance_transaction": self._id("txn"),
            "created": int(time.time()),
            "currency": transfer["currency"],
            "destination_payment_refund": self._id("pyr"),
            "metadata": params.get("metadata", {}),
            "source_refund": None,
            "transfer": transfer_id,
        }
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        transfer["reversals"]["_all"].insert(0, reversal)
        return reversal

    def _bank_payout(self, account_id: str, amount: int) -> JSON:
        self._account(account_id)
        self.balances[account_id] -= amount
        return {"account": account_id, "available": self.balances[account_id]}


def _public(transfer: JSON) -> JSON:
    """A transfer as Stripe shows it: its ten most recent reversals embedded."""
    everything = transfer["reversals"]["_all"]
    return {
        **transfer,
        "reversals": {
            "object": "list",
            "data": everything[:10],
            "has_more": len(everything) > 10,
            "total_count": len(everything),
            "url": f"/v1/transfers/{transfer['id']}/reversals",
        },
    }


def _listing(url: str, items: list[JSON], params: JSON) -> JSON:
    newest_first = [(_public(i) if i.get("object") == "transfer" else i) for i in reversed(items)]
    if params.get("transfer_group"):
        newest_first = [i for i in newest_first if i["transfer_group"] == params["transfer_group"]]
    after = params.get("starting_after")
    if after:
        ids = [item["id"] for item in newest_first]
        newest_first = newest_first[ids.index(after) + 1 :] if after in ids else []
    limit = min(int(params.get("limit", 10)), 100)
    return {
        "object": "list",
        "data": newest_first[:limit],
        "has_more": len(newest_first) > limit,
        "url": url,
    }


def _error(refused: StripeError) -> JSON:
    return {"error": {"type": refused.kind, "code": refused.code, "message": str(refused)}}


def _handler(state: Connect) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            params = form(url.query if method == "GET" else body)
            if not (self.headers.get("Authorization") or "").startswith("Bearer sk_"):
                status, reply = 401, _error(StripeError(401, "invalid_request_error", None, "key"))
            else:
                key = self.headers.get("Idempotency-Key")
                status, reply = state.handle(method, url.path, params, key)
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_fake{time.monotonic_ns()}")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    return Handler


@contextmanager
def serving() -> Iterator[tuple[str, Connect]]:
    """Serve a fresh fake on a free port of 127.0.0.1; yield its base URL and its state."""
    state = Connect()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
