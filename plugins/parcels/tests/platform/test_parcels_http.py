"""Parcel collection end to end over HTTP: from the courier's back end to every statement.

A courier's back end (OAuth client credentials), admitted by the operator, registers a parcel
for unit 3-701 at the pickup point (twice: one parcel, one commission); the resident of that
unit, signed in by phone and verified by invitation, sees it with their pickup code; the
point's host verifies the code two days after the free days ended: the parcel is collected and
the storage fee charged to that resident. Every fen is then in the ledger: the host's, the
platform's and the courier's statements add up exactly to what the courier and the resident
paid, less the gateway's fee borne by the station.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest
from linli.identity.clients import register_client
from linli.identity.members import add_member
from linli.network.service import add_pickup_point
from linli.settlement.tables import SettlementCharge as Charge
from linli.testing import resident_token
from linli_parcels.tables import ParcelRow
from linli_sdk import Role

C = "/v1/communities/home"
MODULE = f"{C}/modules/parcels"
FREE_DAYS, PER_DAY, CAP, COMMISSION = 3, 150, 1000, 200
FEE_BP = 60  # the sandbox gateway's default fee, borne by the station (the remainder party)


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


async def back_end_token(running: Any, name: str) -> tuple[str, dict[str, str]]:
    """A provider back end acting in ``home``: its client id and bearer header."""
    client = await register_client(name, community=running.home, scopes="read write")
    token = await ok(
        await running.client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "scope": "read write"},
            auth=(client.client_id, client.client_secret),
        )
    )
    return client.client_id, {"Authorization": f"Bearer {token['access_token']}"}


async def unit_resident(running: Any, phone: str, building: str, room: str) -> dict[str, str]:
    """A resident signed in by phone and verified for a unit by an invitation."""
    http, op = running.client, running.auth("operator")
    me = await resident_token(http, phone)
    unit = await ok(
        await http.post(f"{C}/units", json={"building": building, "room": room}, headers=op), 201
    )
    invitation = await ok(
        await http.post(f"{C}/invitations", json={"unit_id": unit["id"]}, headers=op), 201
    )
    await ok(
        await http.post(
            f"{C}/verification/invitation", json={"code": invitation["code"]}, headers=me
        )
    )
    return me


async def statement(running: Any, account: str) -> dict[str, int]:
    """The sum of an account's statement lines per kind (capture, refund, payout...)."""
    answer = await ok(
        await running.client.get(
            f"{C}/settlement/statements/{account}", headers=running.auth("operator")
        )
    )
    sums: dict[str, int] = defaultdict(int)
    for line in answer["lines"]:
        assert line["module"] == "parcels" and line["amount"]["currency"] == "CNY"
        sums[line["kind"]] += line["amount"]["amount"]
    return dict(sums)


async def test_courier_registers_resident_collects_late_and_every_fen_is_accounted(
    start_platform,
):
    async with start_platform() as running:
        await parcel_story(running)


@pytest.mark.slow
async def test_the_same_on_postgres(start_platform, postgres_url):
    async with start_platform(database_url=postgres_url) as running:
        await parcel_story(running)


async def parcel_story(running: Any) -> None:
    """Admit, register twice, list, wait past the free days, verify, sweep, read statements."""
    http, home, op = running.client, running.home, running.auth("operator")
    host = await add_member(home, "Host Li", Role.PICKUP_HOST, Role.RESIDENT)
    as_host = {"Authorization": f"Bearer {host.token}"}
    point = await add_pickup_point(home, "3号楼快递柜旁", host_id=host.id)
    sf_payer = await add_member(home, "SF Express account", Role.PROVIDER_STAFF)
    settings = {
        "free_days": FREE_DAYS,
        "storage_fee_per_day": PER_DAY,
        "storage_fee_cap": CAP,
        "commission": COMMISSION,
    }
    await ok(await http.put(MODULE, json={"enabled": True, "settings": settings}, headers=op))
    await ok(await http.put(f"{C}/member-scopes/parcels/members.unit", headers={**op, **key()}))
    sf_client, as_sf = await back_end_token(running, "SF Express back end")
    _, as_stranger = await back_end_token(running, "Not a courier")
    await ok(
        await http.post(
            f"{MODULE}/add-courier",
            json={"name": "顺丰 SF Express", "client_id": sf_client, "payer_id": sf_payer.id},
            headers={**op, **key()},
        )
    )

    # The courier's back end registers the parcel; the same tracking number again is the
    # same parcel. A back end the operator did not admit is refused.
    parcel_in = {"tracking_number": "SF1234567890", "point_id": point.id, "unit": "3-701"}
    parcel = await ok(
        await http.post(f"{MODULE}/register-parcel", json=parcel_in, headers={**as_sf, **key()})
    )
    again = await ok(
        await http.post(f"{MODULE}/register-parcel", json=parcel_in, headers={**as_sf, **key()})
    )
    assert again == parcel and parcel["status"] == "waiting"
    refused = await http.post(
        f"{MODULE}/register-parcel", json=parcel_in, headers={**as_stranger, **key()}
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"

    # The resident of 3-701 sees it with their own code; a neighbour of 5-202 does not.
    me = await unit_resident(running, "13912345678", "3", "701")
    neighbour = await unit_resident(running, "13912345679", "5", "202")
    (mine,) = (await ok(await http.get(f"{MODULE}/my-parcels", headers=me)))["items"]
    assert mine["id"] == parcel["id"] and mine["pickup_code"]
    assert mine["storage_fee"] == {"amount": 0, "currency": "CNY"}
    assert (await ok(await http.get(f"{MODULE}/my-parcels", headers=neighbour)))["items"] == []
    (waiting,) = (await ok(await http.get(f"{MODULE}/station-parcels", headers=as_host)))["items"]
    assert waiting["id"] == parcel["id"] and waiting["pickup_code"] is None

    # The parcel arrived FREE_DAYS + 2 days ago, and the seconds of this test before: the
    # third day past the free ones has started, and each started day costs PER_DAY.
    await ParcelRow.update(
        {ParcelRow.registered_at: ParcelRow.registered_at - timedelta(days=FREE_DAYS + 2)}
    ).where(ParcelRow.id == parcel["id"])
    (mine,) = (await ok(await http.get(f"{MODULE}/my-parcels", headers=me)))["items"]
    storage_fee = 3 * PER_DAY
    assert mine["storage_fee"] == {"amount": storage_fee, "currency": "CNY"}

    # A wrong code is refused, and tries are rate limited (another point's host tries).
    digits = mine["pickup_code"].split("-")[1]
    wrong = {"code": f"{mine['pickup_code'].split('-')[0]}-{(int(digits) + 1) % 10**6:06d}"}
    answer = await http.post(f"{MODULE}/verify-pickup", json=wrong, headers={**as_host, **key()})
    assert answer.status_code == 422
    assert answer.json()["detail"] == "this code matches no parcel waiting at your pickup point"
    guesser = await add_member(home, "Host Wu", Role.PICKUP_HOST)
    await add_pickup_point(home, "北门驿站", host_id=guesser.id)
    as_guesser = {"Authorization": f"Bearer {guesser.token}"}
    statuses = [
        (
            await http.post(
                f"{MODULE}/verify-pickup",
                json={"code": f"{n}-000000"},
                headers={**as_guesser, **key()},
            )
        ).status_code
        for n in range(15)
    ]
    # ten in hand, then one every 2 s: a busy machine may admit one more, never all
    assert statuses[:10] == [422] * 10 and 429 in statuses[10:], statuses

    # The host verifies the resident's code (核销): collected, the storage fee charged.
    done = await ok(
        await http.post(
            f"{MODULE}/verify-pickup",
            json={"code": mine["pickup_code"]},
            headers={**as_host, **key()},
        )
    )
    assert done["status"] == "collected"
    assert done["storage_fee"] == {"amount": storage_fee, "currency": "CNY"}
    assert (await ok(await http.get(f"{MODULE}/station-parcels", headers=as_host)))["items"] == []
    await ok(await http.post(f"{C}/settlement/sweep", headers={**op, **key()}))

    # Who paid what: the courier the commission once, the resident the storage fee.
    charges = await Charge.select(Charge.order_ref, Charge.amount, Charge.payer_id).where(
        Charge.module == "parcels"
    )
    me_id = (await ok(await http.get(f"{C}/me", headers=me)))["id"]
    assert sorted((c["order_ref"], c["amount"], c["payer_id"]) for c in charges) == [
        (f"parcel-{parcel['id']}-commission", COMMISSION, sf_payer.id),
        (f"parcel-{parcel['id']}-storage", storage_fee, me_id),
    ]

    # Every statement, exact to the fen.
    platform = COMMISSION * 1000 // 10_000 + storage_fee * 1000 // 10_000
    fees = COMMISSION * FEE_BP // 10_000 + storage_fee * FEE_BP // 10_000
    station = COMMISSION + storage_fee - platform - fees
    assert (platform, fees, station) == (65, 3, 582)
    host_lines = await statement(running, f"payable:station:{host.id}")
    platform_lines = await statement(running, "platform_revenue")
    assert host_lines == {"capture": station} and platform_lines == {"capture": platform}
    courier = await ok(await http.get(f"{MODULE}/courier-statement", headers=as_sf))
    assert courier["total"] == {"amount": COMMISSION, "currency": "CNY"}
    assert [line["parcel_id"] for line in courier["lines"]] == [parcel["id"]]
    commission_charge = await ok(
        await http.get(f"{C}/settlement/charges/{courier['lines'][0]['charge_id']}", headers=op)
    )
    assert commission_charge["status"] == "captured"
    assert commission_charge["parts"] == {
        "platform": {"amount": 20, "currency": "CNY"},
        "station": {"amount": 180, "currency": "CNY"},
    }
    # what the courier and the resident paid is what host and platform earned, plus the fee
    paid_in = courier["total"]["amount"] + done["storage_fee"]["amount"]
    assert host_lines["capture"] + platform_lines["capture"] + fees == paid_in
    ledger = await ok(await http.get(f"{C}/settlement/ledger", headers=op))
    assert ledger["balanced"] is True
