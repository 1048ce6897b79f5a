"""The dispatch routes over HTTP: webhooks, replay, offers, batch rematch, on-time rates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from linli.dispatch.jobs import service as jobs
from linli.dispatch.tables import OutboxEvent
from linli.identity.members import add_member
from linli_sdk import Role
from test_dispatch_deadlines import call, enable

BASE = "/v1/communities/home/dispatch"


async def test_webhook_subscriptions_need_an_operator_and_a_safe_url(start_platform):
    async with start_platform(dispatch_webhook_allow=["127.0.0.1/32"]) as running:
        body = {"url": "http://127.0.0.1:9/hook", "event_types": ["timer.shouted"]}
        denied = await running.client.post(
            f"{BASE}/webhooks", json=body, headers=running.auth("resident")
        )
        assert denied.status_code == 403
        assert (await running.client.post(f"{BASE}/webhooks", json=body)).status_code == 401
        headers = {**running.auth("operator"), "Idempotency-Key": "w1"}
        made = await running.client.post(f"{BASE}/webhooks", json=body, headers=headers)
        assert made.status_code == 200, made.text
        assert made.json()["secret"].startswith("whsec_")
        again = await running.client.post(f"{BASE}/webhooks", json=body, headers=headers)
        assert again.json() == made.json()  # replayed, not a second subscription
        assert again.headers["idempotent-replayed"] == "true"
        listed = await running.client.get(f"{BASE}/webhooks", headers=running.auth("operator"))
        assert [w["secret"] for w in listed.json()] == [None]
        metadata = {"url": "http://169.254.169.254/latest/meta-data/"}
        refused = await running.client.post(
            f"{BASE}/webhooks", json=metadata, headers=running.auth("operator")
        )
        assert refused.status_code == 422
        other = await running.client.get(
            "/v1/communities/other/dispatch/webhooks", headers=running.auth("operator")
        )
        assert other.status_code == 403  # not the operator's community


async def test_offers_are_answered_over_http_and_rates_reported(start_platform, timer_plugin):
    async with start_platform() as running:
        await enable(running)
        staff = await add_member(running.home, "Wang", Role.PROVIDER_STAFF)
        day = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
        await jobs.register_worker(
            running.home,
            "Wang",
            skills=["cleaning"],
            availability=[(day, day + timedelta(hours=10))],
            member_id=staff.id,
        )
        booked = await call(
            running,
            "book",
            {
                "ref": "r1",
                "skills": ["cleaning"],
                "start": day.isoformat(),
                "end": (day + timedelta(hours=3)).isoformat(),
            },
        )
        job_id = booked.json()["id"]
        me = {"Authorization": f"Bearer {staff.token}"}
        not_staff = await running.client.post(
            f"{BASE}/jobs/{job_id}/accept", headers=running.auth("resident")
        )
        assert not_staff.status_code == 403
        accepted = await running.client.post(f"{BASE}/jobs/{job_id}/accept", headers=me)
        assert accepted.json() == {"job_id": job_id, "ref": "r1", "status": "accepted"}
        declined = await running.client.post(f"{BASE}/jobs/{job_id}/decline", headers=me)
        assert declined.status_code == 409
        await jobs.complete(running.home, int(job_id), 1, day + timedelta(hours=1))
        rates = await running.client.get(f"{BASE}/on-time", headers=running.auth("operator"))
        assert rates.json()["community"] == 1.0
        rematched = await running.client.post(f"{BASE}/rematch", headers=running.auth("operator"))
        assert rematched.json() == {"placed": {}}

        worker = running.platform.worker
        await worker.run_once()  # core events reach the modules through the worker
        (event,) = await OutboxEvent.select().where(OutboxEvent.type == "dispatch.job_accepted")
        replayed = await running.client.post(
            f"{BASE}/events/{event['event_id']}/replay", headers=running.auth("operator")
        )
        assert replayed.json() == {"event_id": event["event_id"], "deliveries": 1}
        missing = await running.client.post(
            f"{BASE}/events/nope/replay", headers=running.auth("operator")
        )
        assert missing.status_code == 404


async def test_goods_documents_print_over_http(start_platform):
    async with start_platform() as running:
        batch = {
            "orders": [
                {
                    "ref": "o1",
                    "member": "王*",
                    "pickup_point": "East gate",
                    "lines": [{"sku": "egg", "name": "鸡蛋", "quantity": 2}],
                },
                {
                    "ref": "o2",
                    "member": "Li",
                    "pickup_point": "West gate",
                    "lines": [{"sku": "egg", "name": "鸡蛋", "quantity": 1}],
                },
            ],
            "grid_of": {"East gate": "G1", "West gate": "G1"},
            "truck_capacity": 10,
        }
        leader = running.auth("leader")
        csv_answer = await running.client.post(
            f"{BASE}/goods/grid-manifests", params={"format": "csv"}, json=batch, headers=leader
        )
        assert csv_answer.status_code == 200, csv_answer.text
        assert csv_answer.headers["content-type"].startswith("text/csv")
        assert "grid warehouse G1,TOTAL,egg,3" in csv_answer.content.decode("utf-8-sig")
        pdf = await running.client.post(f"{BASE}/goods/truck-runs", json=batch, headers=leader)
        assert pdf.content.startswith(b"%PDF-")
        assert 'filename="home-truck-runs.pdf"' in pdf.headers["content-disposition"]
        resident = await running.client.post(
            f"{BASE}/goods/pick-lists", json=batch, headers=running.auth("resident")
        )
        assert resident.status_code == 403
        unknown = await running.client.post(f"{BASE}/goods/nope", json=batch, headers=leader)
        assert unknown.status_code == 422
