"""One leader's whole income over HTTP: group buying, housekeeping and government services.

Leader Wang opens a group buy (commission, part of one order refunded), is admitted as a
provider and cleans a home booked through housekeeping (a service share, the gateway's fee
borne), and is the station paid the government's subsidy for a completed errand. The
statement shows each module and kind exact to the fen; the ranking puts Wang first with the
job done on time and the resident's rating; the ranking's CSV parses to the same figures. The
job is completed by housekeeping's complete-service through the SDK's dispatch port, as in
production, never by the dispatch service's internals.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from linli.dispatch.jobs import service as jobs
from linli.identity.members import NewMember, add_member
from linli.network.service import add_pickup_point
from linli.testing import Running, resident_token
from linli_sdk import Role

C = "/v1/communities/home"
LICENSE = {"kind": "business_license", "title": "营业执照", "reference": "91310000MA1FL0000X"}


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def bearer(member: NewMember) -> dict[str, str]:
    return {"Authorization": f"Bearer {member.token}"}


async def ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


async def run(running: Running, op: str, module: str, body: Any, who: dict[str, str]) -> Any:
    """Call a module's command and require a 200."""
    path = f"{C}/modules/{module}/{op}"
    return await ok(await running.client.post(path, json=body, headers={**who, **key()}))


async def settle(running: Running) -> None:
    """What happens after commit and when due: the gateway's answers, dispatch's news."""
    for _ in range(3):
        await running.platform.settlement.idle()
        await running.platform.settlement.sweep(running.home.id)
        await running.platform.worker.run_once()


async def group_buy(running: Running, wang: NewMember) -> None:
    """Two residents buy CNY 10.00 each from Wang's group buy; CNY 5.00 of one is refunded."""
    home, op = running.home, running.auth("operator")
    host = await add_member(home, "Host Li", Role.PICKUP_HOST, Role.RESIDENT)
    point = await add_pickup_point(home, "Building 3 lockers", host_id=host.id)
    supplier = await add_member(home, "Farmer Zhang", Role.PROVIDER_STAFF)
    neighbour = await add_member(home, "Neighbour Liu", Role.RESIDENT)
    campaign = await run(
        running,
        "open-campaign",
        "group_buying",
        {
            "title": "Strawberries",
            "product": "500 g",
            "unit_price": {"amount": 1000, "currency": "CNY"},
            "stock_cap": 20,
            "per_person_limit": 5,
            "minimum": 2,
            "deadline": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
            "pickup_point_ids": [point.id],
            "supplier_id": supplier.id,
        },
        bearer(wang),
    )
    orders = [
        await run(
            running,
            "join-campaign",
            "group_buying",
            {"campaign_id": campaign["id"], "quantity": 1, "pickup_point_id": point.id},
            who,
        )
        for who in (running.auth("resident"), bearer(neighbour))
    ]
    closed = await run(
        running, "close-campaign-now", "group_buying", {"campaign_id": campaign["id"]}, bearer(wang)
    )
    assert closed["status"] == "confirmed"
    await settle(running)
    refund = {"amount": {"amount": 500, "currency": "CNY"}, "reason": "bruised"}
    await ok(
        await running.client.post(
            f"{C}/settlement/charges/{orders[0]['charge_id']}/refunds",
            json=refund,
            headers={**op, **key()},
        )
    )


async def cleaning(running: Running, wang: NewMember) -> None:
    """Wang, admitted as a provider, cleans two hours (CNY 90.00), on time; rated 4 stars."""
    http, op = running.client, running.auth("operator")
    filed = await ok(
        await http.post(
            f"{C}/credit/provider-applications",
            json={"provider_name": "Wang Cleans", "documents": [LICENSE]},
            headers=bearer(wang),
        )
    )
    reviewed = await ok(
        await http.post(
            f"{C}/credit/provider-applications/{filed['id']}/review",
            json={"admit": True, "reason": "documents checked"},
            headers=op,
        )
    )
    await ok(await http.put(f"{C}/modules/housekeeping", json={"enabled": True, "settings": {
        "min_lead_hours": 0, "free_cancel_hours": 24}}, headers=op))  # fmt: skip
    now = datetime.now(UTC)
    await jobs.register_worker(
        running.home,
        "Wang",
        skills=["hourly_cleaning"],
        availability=[(now - timedelta(hours=1), now + timedelta(days=2))],
        member_id=wang.id,
        provider_id=int(reviewed["provider"]),
    )
    service = await run(running, "add-service", "housekeeping", {
        "name": "日常保洁", "kind": "hourly_cleaning", "unit": "hour",
        "price": {"amount": 4500, "currency": "CNY"}, "min_units": 2, "max_units": 4,
    }, bearer(wang))  # fmt: skip
    start = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    start += timedelta(minutes=(30 - start.minute % 30) % 30)  # the next half hour
    booking = await run(
        running,
        "book",
        "housekeeping",
        {"service_id": service["id"], "starts_at": start.isoformat(), "units": 2},
        running.auth("resident"),
    )
    job = booking["job_id"]
    await ok(await http.post(f"{C}/dispatch/jobs/{job}/accept", headers=bearer(wang)))
    await settle(running)
    unrated = await http.post(f"{C}/credit/jobs/{job}/rating", json={"stars": 4},
                              headers={**running.auth("resident"), **key()})  # fmt: skip
    assert unrated.status_code == 409  # a job not completed yet cannot be rated
    for op_name, code in (("start-service", "start_code"), ("complete-service", "completion_code")):
        body = {"booking_id": booking["id"], "code": booking[code]}
        await run(running, op_name, "housekeeping", body, bearer(wang))
    await settle(running)  # complete-service completed the dispatch job itself
    await ok(
        await http.post(
            f"{C}/credit/jobs/{job}/rating",
            json={"stars": 4, "comment": "tidy"},
            headers={**running.auth("resident"), **key()},
        )
    )


async def errand(running: Running, wang: NewMember) -> None:
    """A real-name resident's errand at the station, completed: CNY 5.00 subsidy to Wang."""
    http, home, op = running.client, running.home, running.auth("operator")
    payer = await add_member(home, "Street office (payer)", Role.OPERATOR)
    clerk = await add_member(home, "Clerk Zhang", Role.PROVIDER_STAFF)
    settings = {"subsidy_payer_id": payer.id, "station_payee_id": wang.id}
    await ok(await http.put(f"{C}/modules/gov_services", json={"enabled": True,
                            "settings": settings}, headers=op))  # fmt: skip
    scope = f"{C}/member-scopes/gov_services/members.national_id"
    await ok(await http.put(scope, headers={**op, **key()}))
    service = await run(running, "add-service", "gov_services", {
        "name": "社保查询", "kind": "social_security_lookup",
        "subsidy": {"amount": 500, "currency": "CNY"},
    }, op)  # fmt: skip
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    slots = {"service_id": service["id"], "starts": [starts.isoformat()], "capacity": 2}
    (slot,) = (await run(running, "add-slots", "gov_services", slots, op))["items"]
    staff = {"member_id": clerk.id, "display_name": clerk.display_name}
    await run(running, "add-staff", "gov_services", staff, op)
    me = await resident_token(http, "13912345678")
    unit = await ok(await http.post(f"{C}/units", json={"building": "3", "room": "701"},
                                    headers=op), 201)  # fmt: skip
    invited = await ok(await http.post(f"{C}/invitations", json={"unit_id": unit["id"]},
                                       headers=op), 201)  # fmt: skip
    code = {"code": invited["code"]}
    await ok(await http.post(f"{C}/verification/invitation", json=code, headers=me))
    await ok(await http.post(f"{C}/me/consents", json={"purpose": "national_id"}, headers=me), 201)
    await ok(await http.put(f"{C}/me/national-id", json={"number": "11010519491231002X"},
                            headers=me))  # fmt: skip
    booked = await run(running, "book-appointment", "gov_services", {"slot_id": slot["id"]}, me)
    ask = {"appointment_id": booked["id"]}
    await run(running, "assign-appointment", "gov_services", {**ask, "staff_id": clerk.id}, op)
    await run(running, "complete-appointment", "gov_services", ask, bearer(clerk))
    await settle(running)


async def test_one_leader_s_income_from_three_modules_exact_to_the_fen(
    start_platform, any_database
):
    async with start_platform(database_url=any_database, dispatch_worker=False) as running:
        wang = await add_member(running.home, "Leader Wang", Role.LEADER, Role.RESIDENT)
        await running.enable("group_buying")
        await group_buy(running, wang)
        await cleaning(running, wang)
        await errand(running, wang)

        answer = await running.client.get(
            f"{C}/settlement/leaders/{wang.id}/income", headers=bearer(wang)
        )
        statement = await ok(answer)
        (month,) = statement["months"]
        columns = ("earned", "refunded", "fees", "net")
        lines = {(x["module"], x["kind"]): tuple(x[c]["amount"] for c in columns)
                 for x in month["lines"]}  # fmt: skip
        assert lines == {
            # 10 % of two CNY 10.00 orders; the CNY 5.00 refund took back 10 % of it
            ("group_buying", "commission"): (200, -50, 0, 150),
            # CNY 90.00 less platform 10 % and community fund 1 %; the 0.6 % gateway fee
            ("housekeeping", "service_share"): (8010, 0, -54, 7956),
            # the whole subsidy (platform 0 %), less the gateway's fee of 3 fen
            ("gov_services", "subsidy"): (500, 0, -3, 497),
        }
        assert month["total"] == [{"amount": 8603, "currency": "CNY"}]
        assert statement["total"] == month["total"]
        assert {k: v[0]["amount"] for k, v in month["by_kind"].items()} == {
            "commission": 150,
            "service_share": 7956,
            "subsidy": 497,
        }

        ranking = await ok(
            await running.client.get(
                f"{C}/settlement/leader-ranking", headers=running.auth("operator")
            )
        )
        first = ranking["leaders"][0]
        assert (first["member_id"], first["earnings"]["amount"]) == (wang.id, 8603)
        assert (first["jobs_completed"], first["jobs_on_time"], first["on_time_rate"]) == (1, 1, 1)
        assert (first["ratings"], first["average_stars"]) == (1, 4.0)
        # 5000 * 1 + 3000 * (1 + 1) / (1 + 2) + 2000 * ((4 + 15) / (1 + 5) - 1) / 4
        assert first["score"] == 8083
        table = await running.client.get(
            f"{C}/settlement/leader-ranking",
            params={"format": "csv"},
            headers=running.auth("operator"),
        )
        assert table.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(table.text)))
        assert [(int(r["member_id"]), int(r["earnings"]), int(r["score"])) for r in rows] == [
            (r["member_id"], r["earnings"]["amount"], r["score"]) for r in ranking["leaders"]
        ]
