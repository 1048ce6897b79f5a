"""Notifications delivered through the outbox to a real local receiver, once.

The community's frontend here is an HTTP server on 127.0.0.1 that verifies each Standard
Webhooks signature and keeps each ``webhook-id`` once. A notification reaches it right after
the call commits; a crash between sending and recording the send makes the worker send it
again, with the same id, so the frontend still has it once. Nothing is sent for a call that
raised, an opted-out member or during quiet hours (until they end), and neither the send log
nor the queue keeps the content once it is delivered.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from linli.identity.accounts import account_by_phone, link_member
from linli.notifications.sender import NotificationSender
from linli.notifications.tables import (
    NotificationDelivery,
    NotificationLog,
    NotificationMessage,
    SmsSandboxMessage,
)

BASE = "/v1/communities/home"
SETTINGS = {
    "dispatch_webhook_allow": ["127.0.0.1/32"],
    "dispatch_retry_base_seconds": 0.05,
    "dispatch_lease_seconds": 0.3,
}


async def ring(running: Any, who: str, order: str, **extra: Any) -> dict[str, Any]:
    data = {"member_id": running.people[who].id, "order": order, **extra}
    answer = await running.client.post(
        f"{BASE}/modules/bell/ring", json=data, headers=running.auth("leader")
    )
    await running.platform.notifications.sender.idle()  # sent in the background after commit
    return {"http": answer.status_code, **answer.json()}


async def operator(running: Any, method: str, path: str, body: Any = None) -> Any:
    answer = await running.client.request(
        method, f"{BASE}/notifications{path}", json=body, headers=running.auth("operator")
    )
    assert answer.status_code < 300, answer.text
    return answer.json()


async def with_frontend(running: Any, frontend: Any, quiet: tuple[str, str] = ("00:00", "00:00")):
    """The frontend as the community's webhook channel; quiet hours as given (none)."""
    channel = await operator(running, "POST", "/channels", {"kind": "webhook", "url": frontend.url})
    frontend.secret = channel["secret"]
    await operator(running, "PUT", "/policy", {"quiet_start": quiet[0], "quiet_end": quiet[1]})
    return channel


async def logged() -> list[tuple[str, str]]:
    rows = await NotificationLog.select().order_by(NotificationLog.id)
    return [(row["channel"].split(":")[0], row["status"]) for row in rows]


async def test_a_notification_reaches_the_frontend_once_signed_and_leaves_no_content(
    start_platform, bell_plugin, frontend
):
    async with start_platform(modules=["bell"], **SETTINGS) as running:
        await with_frontend(running, frontend)
        sent = await ring(running, "resident", "o-1")

        assert (sent["http"], sent["status"], sent["kind"]) == (200, "queued", "ready")
        assert list(frontend.delivered) == [sent["id"]]  # sent as soon as the call committed
        body = frontend.delivered[sent["id"]]
        assert body["type"] == "notification.bell.ready"
        assert body["data"] == {
            "notification_id": sent["id"],
            "module": "bell",
            "kind": "ready",
            "member_id": running.people["resident"].id,
            "data": {"order": "o-1", "point": "3号楼快递柜"},
        }
        for _ in range(3):
            await running.platform.worker.run_once()
        assert len(frontend.received) == 1 and frontend.refused == 0  # once, and signed

        assert await logged() == [("", "queued"), ("webhook", "sent")]
        dump = repr(await NotificationLog.select()) + repr(await NotificationMessage.select())
        assert "o-1" not in dump and "3号楼" not in dump  # the content is gone once delivered


async def test_a_crash_after_sending_redelivers_with_the_same_id_and_the_frontend_keeps_one(
    start_platform, bell_plugin, frontend, monkeypatch, any_database
):
    settle = NotificationSender._settle
    crashes = []

    async def crash_once(self: Any, claimed: Any, message: Any, label: str, status: str, *a: Any):
        if status == "sent" and not crashes:
            crashes.append(claimed["id"])
            raise RuntimeError("the process died before recording the send")
        await settle(self, claimed, message, label, status, *a)

    monkeypatch.setattr(NotificationSender, "_settle", crash_once)
    async with start_platform(database_url=any_database, modules=["bell"], **SETTINGS) as running:
        await with_frontend(running, frontend)
        sent = await ring(running, "resident", "o-1")
        assert crashes and len(frontend.received) == 1  # received, but not recorded as sent

        await running.platform.worker.run_once()  # still leased: nothing yet
        assert len(frontend.received) == 1
        await asyncio.sleep(0.35)  # the lease runs out
        await running.platform.worker.run_once()

        assert [h["webhook-id"] for h in frontend.received] == [sent["id"], sent["id"]]
        assert list(frontend.delivered) == [sent["id"]]  # the frontend keeps it once
        [delivery] = await NotificationDelivery.select()
        assert (delivery["status"], delivery["attempts"]) == ("sent", 2)
        await asyncio.sleep(0.35)
        await running.platform.worker.run_once()
        assert len(frontend.received) == 2  # sent and recorded: never again


async def test_a_refused_delivery_is_retried_and_a_raised_call_sends_nothing(
    start_platform, bell_plugin, frontend
):
    async with start_platform(modules=["bell"], **SETTINGS) as running:
        await with_frontend(running, frontend)
        failed = await ring(running, "resident", "o-0", fail_after=True)
        assert failed["http"] == 409
        assert await NotificationMessage.select() == [] and await logged() == []

        frontend.answers = [503]
        sent = await ring(running, "resident", "o-1")
        assert frontend.delivered == {}
        for _ in range(50):
            await running.platform.worker.run_once()
            if frontend.delivered:
                break
            await asyncio.sleep(0.05)
        assert list(frontend.delivered) == [sent["id"]]
        assert await logged() == [("", "queued"), ("webhook", "retrying"), ("webhook", "sent")]


async def test_an_opted_out_member_gets_nothing_and_sees_why_in_their_log(
    start_platform, bell_plugin, frontend
):
    async with start_platform(modules=["bell"], **SETTINGS) as running:
        await with_frontend(running, frontend)
        kinds = await running.client.get(
            f"{BASE}/notifications/kinds", headers=running.auth("resident")
        )
        assert kinds.json() == [
            {
                "kind": "bell.ready",
                "module": "bell",
                "description": "Your order is ready for pickup",
                "opted_out": False,
            }
        ]
        chosen = await running.client.put(
            f"{BASE}/notifications/kinds/bell.ready",
            json={"opted_out": True},
            headers=running.auth("resident"),
        )
        assert chosen.json()["opted_out"] is True

        sent = await ring(running, "resident", "o-1")
        await running.platform.worker.run_once()
        assert (sent["status"], sent["deliver_at"]) == ("opted_out", None)
        assert frontend.received == []
        mine = await running.client.get(
            f"{BASE}/notifications/log", headers=running.auth("resident")
        )
        assert [(line["kind"], line["status"]) for line in mine.json()] == [("ready", "opted_out")]
        others = await running.client.get(
            f"{BASE}/notifications/log", headers=running.auth("leader")
        )
        assert others.json() == []  # a member sees only their own lines

        unknown = await running.client.put(
            f"{BASE}/notifications/kinds/bell.nope",
            json={"opted_out": True},
            headers=running.auth("resident"),
        )
        assert unknown.status_code == 404


async def test_quiet_hours_hold_a_notification_until_they_end_in_the_community_time(
    start_platform, bell_plugin, frontend
):
    async with start_platform(modules=["bell"], **SETTINGS) as running:
        await with_frontend(running, frontend, quiet=("22:00", "07:00"))
        now = [datetime(2026, 5, 1, 23, tzinfo=UTC)]
        running.platform.notifications.clock = lambda: now[0]

        held = await ring(running, "resident", "o-1")
        assert (held["status"], held["deliver_at"]) == ("held", "2026-05-02T07:00:00Z")
        await running.platform.worker.run_once()
        assert frontend.received == []

        now[0] = datetime(2026, 5, 2, 7, tzinfo=UTC)
        await running.platform.worker.run_once()
        assert list(frontend.delivered) == [held["id"]]


async def test_sms_goes_through_the_sandbox_gateway_once_with_the_number_masked(
    start_platform, bell_plugin
):
    async with start_platform(modules=["bell"], **SETTINGS) as running:
        await operator(running, "POST", "/channels", {"kind": "sms", "gateway": "sandbox"})
        await operator(running, "PUT", "/policy", {"quiet_start": "00:00", "quiet_end": "00:00"})
        account = await account_by_phone(running.platform.identity, "13912345678", create=True)
        assert account is not None
        await link_member(account, running.home, running.people["resident"].id)

        await ring(running, "resident", "o-1")
        await ring(running, "leader", "o-2")  # no phone: given up, and logged so
        # A duplicate send of the same delivery (as after a crash) is accepted once.
        await NotificationDelivery.update(
            {NotificationDelivery.status: "pending", NotificationDelivery.run_at: 0}
        ).where(NotificationDelivery.id == 1)
        await running.platform.notifications.sender.deliver_due()

        texts = await SmsSandboxMessage.select(SmsSandboxMessage.to_masked, SmsSandboxMessage.text)
        assert texts == [{"to_masked": "139****5678", "text": "Order o-1 is ready at 3号楼快递柜"}]
        assert [s for c, s in await logged() if c == "sms"] == ["sent", "failed", "sent"]
        log = repr(await NotificationLog.select())
        assert "5678" not in log and "o-1" not in log


async def test_channels_and_policy_are_the_operators(start_platform, bell_plugin, frontend):
    async with start_platform(modules=["bell"], **SETTINGS) as running:
        refused = await running.client.post(
            f"{BASE}/notifications/channels",
            json={"kind": "webhook", "url": frontend.url},
            headers=running.auth("resident"),
        )
        assert refused.status_code == 403
        inner = await running.client.post(
            f"{BASE}/notifications/channels",
            json={"kind": "webhook", "url": "http://10.0.0.1/hook"},
            headers=running.auth("operator"),
        )
        assert inner.status_code == 422  # the SSRF guard of dispatch's webhooks
        bad = await running.client.put(
            f"{BASE}/notifications/policy",
            json={"quiet_start": "25:00"},
            headers=running.auth("operator"),
        )
        assert bad.status_code == 422
        channel = await with_frontend(running, frontend)
        paused = await operator(
            running, "PATCH", f"/channels/{channel['id']}", {"status": "paused"}
        )
        assert (paused["status"], paused["secret"]) == ("paused", None)
        await ring(running, "resident", "o-1")
        assert frontend.received == []
        assert await logged() == [("", "queued"), ("", "no_channel")]  # none active
        [message] = await NotificationMessage.select().output(load_json=True)
        assert message["data"] == {}  # nothing will send it: its content is not kept


async def test_an_erased_member_is_sent_nothing_more_and_the_export_lists_their_notifications(
    start_platform, bell_plugin, frontend
):
    async with start_platform(modules=["bell"], **SETTINGS) as running:
        await with_frontend(running, frontend, quiet=("22:00", "07:00"))
        account = await account_by_phone(running.platform.identity, "13912345678", create=True)
        assert account is not None
        member = running.people["resident"].id
        await link_member(account, running.home, member)
        now = [datetime(2026, 5, 1, 23, tzinfo=UTC)]
        running.platform.notifications.clock = lambda: now[0]
        await running.client.put(
            f"{BASE}/notifications/kinds/bell.ready",
            json={"opted_out": False},
            headers=running.auth("resident"),
        )
        held = await ring(running, "resident", "o-1")
        assert held["status"] == "held"

        exported = await running.client.get(f"{BASE}/me/export", headers=running.auth("resident"))
        assert exported.json()["memberships"][0]["notifications"]["opted_out"] == []
        [line] = exported.json()["memberships"][0]["notifications"]["sent"]
        assert (line["kind"], line["status"]) == ("ready", "held")

        erased = await running.client.delete(f"{BASE}/me", headers=running.auth("resident"))
        assert erased.status_code == 200, erased.text
        now[0] = datetime(2026, 5, 2, 8, tzinfo=UTC)  # quiet hours are over
        await running.platform.worker.run_once()
        assert frontend.received == []  # what was held for the erased member is not sent
        [message] = (
            await NotificationMessage.select()
            .output(load_json=True)
            .where(NotificationMessage.member == member)
        )
        assert message["data"] == {}


async def test_two_concurrent_sends_of_one_ref_make_one_notification(
    start_platform, bell_plugin, frontend, any_database
):
    async with start_platform(database_url=any_database, modules=["bell"], **SETTINGS) as running:
        await with_frontend(running, frontend)
        first, second = await asyncio.gather(
            *(ring(running, "resident", f"o-{i}", ref="ready:o") for i in range(2))
        )
        assert (first["http"], second["http"]) == (200, 200)
        assert first["id"] == second["id"]
        assert await logged() == [("", "queued"), ("webhook", "sent")]
        assert list(frontend.delivered) == [first["id"]] and len(frontend.received) == 1
