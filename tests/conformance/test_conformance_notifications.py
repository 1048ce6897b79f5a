"""Notifications on the kit and on the platform: the same sends decided alike.

Opt-outs, the rate limit, quiet hours (held, with the same moment to send) and a call that
raises (nothing sent) give the same statuses on both sides.
"""

from __future__ import annotations

from datetime import UTC, datetime

from conformance_sides import Side


async def notify(side: Side, who: str, order_ref: str, **extra: object) -> tuple[int, dict]:
    data = {"member_id": side.id(who), "order_ref": order_ref, **extra}
    answer = await side.call("notify", data, who="leader")
    return answer.status, answer.body


async def test_opt_outs_rate_limits_quiet_hours_and_undone_calls_agree(side: Side) -> None:
    await side.notification_policy(("22:00", "07:00"), rate_limit=2)
    side.set_now(datetime(2026, 5, 1, 12, tzinfo=UTC))

    status, sent = await notify(side, "resident", "o-1")
    assert (status, sent["status"]) == (200, "queued")
    assert sent["deliver_at"] == "2026-05-01T12:00:00Z"
    # The call raises after sending: its notification goes with it.
    status, refused = await notify(side, "resident", "o-2", fail_after=True)
    assert (status, refused["type"]) == (409, "urn:linli:problem:conflict")

    assert (await notify(side, "resident", "o-3"))[1]["status"] == "queued"
    third = await notify(side, "resident", "o-4")
    assert third[1]["status"] == "rate_limited"  # two of the kind already today

    await side.opt_out("leader", "order_ready")
    assert (await notify(side, "leader", "o-5"))[1]["status"] == "opted_out"

    side.set_now(datetime(2026, 5, 1, 23, 30, tzinfo=UTC))  # quiet hours (UTC community)
    held = (await notify(side, "newcomer", "o-6", ref="ready:o-6"))[1]
    assert (held["status"], held["deliver_at"]) == ("held", "2026-05-02T07:00:00Z")
    repeat = (await notify(side, "newcomer", "o-6b", ref="ready:o-6"))[1]
    assert repeat["id"] == held["id"]  # a ref sends once

    resident, leader, newcomer = (side.id(w) for w in ("resident", "leader", "newcomer"))
    assert await side.notifications() == [
        (resident, "order_ready", "queued"),
        (resident, "order_ready", "queued"),
        (resident, "order_ready", "rate_limited"),
        (leader, "order_ready", "opted_out"),
        (newcomer, "order_ready", "held"),
    ]
