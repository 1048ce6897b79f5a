"""A station slot is never overbooked: residents booking at once get exactly its capacity."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from stdnum.cn import ric
from test_gov_services_http import MODULE, ok, real_name_resident

CAPACITY = 2
RESIDENTS = 6


def national_id(n: int) -> str:
    """A valid resident ID number (check digit included), different for each ``n``."""
    body = f"11010519900101{n:03d}"
    return next(body + c for c in "0123456789X" if ric.is_valid(body + c))


async def crowd(running: Any) -> None:
    http, op = running.client, running.auth("operator")
    await ok(await http.put(MODULE, json={"enabled": True}, headers=op))
    service = await ok(
        await http.post(
            f"{MODULE}/add-service",
            json={
                "name": "证件复印 Copies",
                "kind": "document_copy",
                "subsidy": {"amount": 300, "currency": "CNY"},
            },
            headers=op,
        )
    )
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    (slot,) = (
        await ok(
            await http.post(
                f"{MODULE}/add-slots",
                json={
                    "service_id": service["id"],
                    "starts": [starts.isoformat()],
                    "capacity": CAPACITY,
                },
                headers=op,
            )
        )
    )["items"]
    residents = [
        await real_name_resident(running, f"1391234{n:04d}", national_id(n), room=f"{n + 100}")
        for n in range(RESIDENTS)
    ]
    answers = await asyncio.gather(
        *(
            http.post(
                f"{MODULE}/book-appointment",
                json={"slot_id": slot["id"]},
                headers={**me, "Idempotency-Key": str(uuid.uuid4())},
            )
            for me in residents
        )
    )
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200] * CAPACITY + [409] * (RESIDENTS - CAPACITY), [a.text for a in answers]
    assert all("full" in a.json()["detail"] for a in answers if a.status_code == 409)
    left = await ok(
        await http.get(f"{MODULE}/list-slots", params={"service_id": service["id"]}, headers=op)
    )
    assert left["items"] == []


@pytest.mark.slow
async def test_a_slot_takes_exactly_its_capacity_on_sqlite(start_platform):
    async with start_platform() as running:
        await crowd(running)


@pytest.mark.slow
async def test_a_slot_takes_exactly_its_capacity_on_postgres(start_platform, postgres_url):
    async with start_platform(database_url=postgres_url) as running:
        await crowd(running)
