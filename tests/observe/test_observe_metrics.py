"""``/metrics`` as Prometheus reads it: requests by route and status, and the platform's gauges.

The text is parsed with prometheus-client's own parser (what a scraper accepts); each gauge is
checked against rows the test writes: a waiting event, a pending gateway intent, a due
deadline, a job nobody took.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from linli.dispatch.tables import DispatchJob, OutboxEvent, ScheduledDeadline
from linli.observe.gauges import read_gauges
from linli.observe.metrics import CONTENT_TYPE
from linli.settlement.tables import GatewayIntent, SettlementCharge
from prometheus_client.parser import text_string_to_metric_families

NOTICE_FEED = "/v1/communities/home/modules/noticeboard/notices"


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _requests(samples: dict[Any, float], route: str, status: str, method: str = "GET") -> float:
    key = ("linli_http_requests_total", (("method", method), ("route", route), ("status", status)))
    return samples.get(key, 0.0)


async def test_metrics_count_requests_by_route_template_and_status(start_platform: Any) -> None:
    async with start_platform() as running:
        before = _samples((await running.client.get("/metrics")).text)
        for _ in range(3):
            assert (await running.client.get("/v1/health")).status_code == 200
        refused = await running.client.get("/v1/communities/home/modules")
        assert refused.status_code == 401
        assert (await running.client.get("/no/such/route")).status_code == 404
        invented = await running.client.request("BREW", "/v1/health")
        assert invented.status_code in (404, 405)

        answer = await running.client.get("/metrics")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == CONTENT_TYPE
        after = _samples(answer.text)

    def grew(route: str, status: str, method: str = "GET") -> float:
        return _requests(after, route, status, method) - _requests(before, route, status, method)

    assert grew("/v1/health", "200") == 3
    assert grew("/v1/communities/{community}/modules", "401") == 1
    assert grew("unmatched", "404") == 1  # the path a client sent never becomes a label
    assert not [key for key in after if "/no/such/route" in str(key) or "BREW" in str(key)]
    assert (
        grew("/v1/health", str(invented.status_code), "OTHER")
        + grew("unmatched", str(invented.status_code), "OTHER")
        == 1
    )
    count = (
        "linli_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "/v1/health")),
    )
    assert after[count] - before.get(count, 0.0) == 3


async def test_gauges_read_what_waits_in_the_database(start_platform: Any) -> None:
    async with start_platform(dispatch_worker=False) as running:
        idle = _samples((await running.client.get("/metrics")).text)
        assert idle[("linli_outbox_lag_seconds", ())] == 0
        assert idle[("linli_deadlines_due", ())] == 0
        assert idle[("linli_gateway_intents_pending", ())] == 0

        now = datetime.now(UTC)
        home = running.home.id
        await OutboxEvent.insert(
            OutboxEvent(
                community=home,
                community_slug="home",
                event_id="e-1",
                type="noticeboard.notice_posted",
                occurred=now - timedelta(seconds=90),
                status="new",
            )
        )
        due = int(time.time() * 1000) - 1000
        later = due + 3_600_000
        for key, run_at in (("due", due), ("later", later)):
            await ScheduledDeadline.insert(
                ScheduledDeadline(
                    community=home,
                    module="probe",
                    key=key,
                    scope_key=f"{home}:probe:{key}",
                    due=now,
                    run_at=run_at,
                )
            )
        await DispatchJob.insert(
            DispatchJob(
                community=home,
                module="probe",
                reference="r1",
                scope_key=f"{home}:probe:r1",
                window_start=now,
                window_end=now + timedelta(hours=1),
                duration_minutes=30,
                created_at=now,
            )
        )
        text = (await running.client.get("/metrics")).text

    samples = _samples(text)
    assert 90 <= samples[("linli_outbox_lag_seconds", ())] < 150
    assert samples[("linli_deadlines_due", ())] == 1  # the later one is not due yet
    assert samples[("linli_dispatch_queue_length", (("queue", "events"),))] == 1
    assert samples[("linli_dispatch_queue_length", (("queue", "jobs"),))] == 1
    assert samples[("linli_dispatch_queue_length", (("queue", "deliveries"),))] == 0


async def test_pending_gateway_intents_are_counted(start_platform: Any) -> None:
    async with start_platform(dispatch_worker=False) as running:
        now = datetime.now(UTC)
        home = running.home.id
        charge = SettlementCharge(
            community=home,
            module="probe",
            order_ref="o1",
            charge_key=f"{home}:probe:o1",
            payer_id=running.people["resident"].id,
            currency="CNY",
            amount=1000,
            gateway="sandbox",
            created_at=now,
        )
        await charge.save()
        for key, state in (("k-pending", "pending"), ("k-done", "done")):
            await GatewayIntent.insert(
                GatewayIntent(
                    community=home,
                    charge=charge.id,
                    key=key,
                    action="capture",
                    amount=1000,
                    state=state,
                    created_at=now,
                )
            )
        gauges = {family.name: family for family in await read_gauges()}
    assert gauges["linli_gateway_intents_pending"].samples[0].value == 1


async def test_metrics_token_is_asked_for_when_set(start_platform: Any) -> None:
    async with start_platform(metrics_token="s3cret-scrape") as running:
        refused = await running.client.get("/metrics")
        wrong = await running.client.get("/metrics", headers={"Authorization": "Bearer nope"})
        allowed = await running.client.get(
            "/metrics", headers={"Authorization": "Bearer s3cret-scrape"}
        )
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert wrong.status_code == 401
    assert allowed.status_code == 200
    assert "linli_http_requests_total" in allowed.text


async def test_metrics_still_answer_when_the_database_does_not(
    start_platform: Any, monkeypatch: Any
) -> None:
    async def unreachable() -> list[Any]:
        raise ConnectionRefusedError("database down")

    async with start_platform() as running:
        await running.client.get("/v1/health")
        up = _samples((await running.client.get("/metrics")).text)
        monkeypatch.setattr("linli.http.observe.read_gauges", unreachable)
        answer = await running.client.get("/metrics")
    down = _samples(answer.text)
    assert up[("linli_database_up", ())] == 1
    assert answer.status_code == 200
    assert down[("linli_database_up", ())] == 0
    assert ("linli_outbox_lag_seconds", ()) not in down  # no made-up value
    assert _requests(down, "/v1/health", "200") >= 1  # the request metrics are still there
