"""Events as signed webhooks to a real local HTTP receiver, and the SSRF guard."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from linli.dispatch.events.destinations import allowed_address, resolve_destination
from linli.dispatch.events.outbox import replay
from linli.dispatch.events.webhooks import subscribe
from linli.dispatch.tables import EventDelivery
from linli.dispatch.worker import DispatchWorker
from linli_sdk import InvalidInput
from standardwebhooks import Webhook
from test_dispatch_deadlines import call, enable

LOOPBACK = [ipaddress.ip_network("127.0.0.1/32")]


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that records requests and answers from a script."""

    port: int = 0
    received: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # statuses to answer first, then 200

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            state.received.append(
                (self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            if self.path == "/moved":
                self.send_response(302)
                self.send_header("Location", state.url("/elsewhere"))
            else:
                self.send_response(state.answers.pop(0) if state.answers else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


async def work_until(worker: DispatchWorker, condition: Any, rounds: int = 200) -> None:
    for _ in range(rounds):
        await worker.run_once()
        if condition():
            return
        await asyncio.sleep(0.02)
    rows = await EventDelivery.select()
    raise AssertionError(f"the worker never got there: {rows}")


async def test_webhooks_are_signed_retried_and_replayed_with_the_same_id(
    start_platform, timer_plugin, receiver
):
    await webhooks_are_signed_retried_and_replayed(start_platform, receiver)


async def test_webhooks_on_postgres(start_platform, timer_plugin, receiver, postgres_url):
    await webhooks_are_signed_retried_and_replayed(
        start_platform, receiver, database_url=postgres_url
    )


async def webhooks_are_signed_retried_and_replayed(
    start_platform: Any, receiver: Receiver, **database: str
) -> None:
    settings = {"dispatch_webhook_allow": ["127.0.0.1/32"], "dispatch_retry_base_seconds": 0.05}
    async with start_platform(**settings, **database) as running:
        await enable(running)
        hook = await subscribe(running.home, receiver.url(), allow=LOOPBACK)
        await subscribe(running.home, receiver.url("/other"), ["timer.other"], allow=LOOPBACK)
        receiver.answers = [500]  # the first attempt fails
        shouted = await call(running, "shout", {"text": "hello"})
        assert shouted.status_code == 200
        worker = running.platform.worker
        await work_until(worker, lambda: len(receiver.received) >= 2)
        first, second = receiver.received[:2]
        assert first[0] == second[0] == "/hook"  # the /other subscription wants another type
        assert first[1]["webhook-id"] == second[1]["webhook-id"]  # a retry: the same event id
        verified = Webhook(hook["secret"]).verify(second[2], second[1])
        assert verified["type"] == "timer.shouted"
        assert verified["version"] == 1
        assert verified["data"] == {"text": "hello", "fail": 0}
        assert verified["id"] == second[1]["webhook-id"]
        assert verified["community"] == "home"
        deliveries = await EventDelivery.select().where(EventDelivery.target.like("webhook:%"))
        assert [(d["status"], d["attempts"], d["last_error"]) for d in deliveries] == [
            ("delivered", 2, "HTTP 500")
        ]
        # a wrong secret does not verify
        with pytest.raises(Exception, match=r"[Ss]ignature"):
            Webhook("whsec_" + "A" * 44).verify(second[2], second[1])

        assert await replay(running.home, verified["id"]) == 2  # the module's and the webhook's
        await work_until(worker, lambda: len(receiver.received) >= 3)
        assert receiver.received[2][1]["webhook-id"] == verified["id"]
        assert Webhook(hook["secret"]).verify(receiver.received[2][2], receiver.received[2][1])
        assert await replay(running.other, verified["id"]) == 0  # not the other community's


async def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    start_platform, timer_plugin, receiver
):
    settings = {"dispatch_webhook_allow": ["127.0.0.1/32"], "dispatch_retry_base_seconds": 60}
    async with start_platform(**settings) as running:
        await enable(running)
        await subscribe(running.home, receiver.url("/moved"), allow=LOOPBACK)
        await call(running, "shout", {"text": "hi"})
        worker = running.platform.worker
        await work_until(worker, lambda: len(receiver.received) >= 1)
        await worker.run_once()
        assert [path for path, _, _ in receiver.received] == ["/moved"]  # never /elsewhere
        (delivery,) = await EventDelivery.select().where(EventDelivery.target.like("webhook:%"))
        assert (delivery["status"], delivery["last_error"]) == ("pending", "HTTP 302")


async def test_a_loopback_subscriber_is_refused_unless_allow_listed(start_platform, receiver):
    async with start_platform() as running:
        with pytest.raises(InvalidInput, match="refused address"):
            await subscribe(running.home, receiver.url())
        made = await subscribe(running.home, receiver.url(), allow=LOOPBACK)
        assert made["secret"].startswith("whsec_")


async def test_a_webhook_whose_address_turned_private_is_not_sent(
    start_platform, timer_plugin, receiver
):
    # subscribed while allow-listed; the worker's own allow-list is empty: checked again at send
    async with start_platform(dispatch_retry_base_seconds=60) as running:
        await enable(running)
        await subscribe(running.home, receiver.url(), allow=LOOPBACK)
        await call(running, "shout", {"text": "hi"})
        worker = running.platform.worker
        await worker.run_once()
        await worker.run_once()
        assert receiver.received == []
        (delivery,) = await EventDelivery.select().where(EventDelivery.target.like("webhook:%"))
        assert "refused address" in delivery["last_error"]


REFUSED = [
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",  # decimal 127.0.0.1
    "http://0x7f000001/",  # hex 127.0.0.1
    "http://0177.0.0.1/",  # octal 127.0.0.1
    "http://0x7f.0.0.1/",
    "http://localhost/",
    "http://0.0.0.0/",
    "http://0/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # shared address space (CGNAT)
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://2852039166/",  # decimal 169.254.169.254
    "http://0xa9fea9fe/",  # hex 169.254.169.254
    "http://224.0.0.1/",  # multicast
    "http://255.255.255.255/",
    "http://240.0.0.1/",  # reserved
    "http://[::1]/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::127.0.0.1]/",  # IPv4-compatible
    "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "http://[fe80::1]/",  # link-local
    "http://[fc00::1]/",  # unique local
    "http://[fd00:ec2::254]/",  # AWS metadata over IPv6
    "http://[ff02::1]/",  # multicast
    "https://127.0.0.1:8443/hook",
    "http://user:pass@example.com/",  # credentials
    "ftp://example.com/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:25/",
    "http:///nohost",
]


@pytest.mark.parametrize("url", REFUSED)
async def test_ssrf_address_forms_are_refused(url):
    assert len(REFUSED) >= 20
    with pytest.raises(InvalidInput):
        await resolve_destination(url)


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "2001:4860:4860::8888"]
)
def test_public_addresses_are_allowed(address):
    assert allowed_address(ipaddress.ip_address(address))


def test_an_allow_list_admits_a_private_network_and_nothing_else():
    allow = [ipaddress.ip_network("10.1.0.0/16")]
    assert allowed_address(ipaddress.ip_address("10.1.2.3"), allow)
    assert not allowed_address(ipaddress.ip_address("10.2.0.1"), allow)
    assert not allowed_address(ipaddress.ip_address("::ffff:10.2.0.1"), allow)
    assert json.dumps(REFUSED)  # keep the list printable for the docs
