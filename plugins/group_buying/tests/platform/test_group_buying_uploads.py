"""Uploads: an after-sale photo sent as multipart/form-data, kept in the core's file store."""

from __future__ import annotations

from typing import Any

from group_buying_helpers import GB, GroupBuy, group_buying
from linli.files.store import CoreFiles

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"bruised strawberry" * 10


async def collected_order(gb: GroupBuy) -> dict[str, Any]:
    campaign = await gb.open(seconds=1.5)
    await gb.join("resident", campaign, 2)
    await gb.join("neighbour", campaign, 1)
    await gb.until_closed(campaign)
    (order,) = (await gb.get("my-orders", "resident"))["items"]
    await gb.post("verify-pickup", {"code": order["pickup_code"]}, "host")
    return dict(order)


async def claim(
    gb: GroupBuy, order: dict[str, Any], photo: tuple[str, bytes, str], key: str = ""
) -> Any:
    headers = gb.auth("resident") | ({"Idempotency-Key": key} if key else {})
    return await gb.running.client.post(
        f"{GB}/claim-damage",
        data={"order_id": str(order["id"]), "damaged": "1", "note": "squashed"},
        files={"photo": photo},
        headers=headers,
    )


async def test_a_photo_claim_is_kept_and_compensated_over_http(start_platform):
    async with group_buying(start_platform, upload_max_bytes=1000) as gb:
        order = await collected_order(gb)
        first = await claim(gb, order, ("berry.jpg", JPEG, "image/jpeg"), key="claim-1")
        assert first.status_code == 200, first.text
        made = first.json()
        assert made["status"] == "compensated" and made["compensation"]["amount"] == 1000
        replay = await claim(gb, order, ("berry.jpg", JPEG, "image/jpeg"), key="claim-1")
        assert replay.json() == made and replay.headers["Idempotent-Replayed"] == "true"
        files = CoreFiles(gb.running.home, "group_buying")
        assert await files.read(made["photo_id"]) == JPEG
        await gb.running.platform.settlement.idle()
        charge = await gb.running.platform.settlement.get(
            gb.running.home, int(order["charge_id"][3:])
        )
        assert charge.refunded.amount == 1000


async def test_uploads_are_checked_before_the_module_sees_them(start_platform):
    async with group_buying(start_platform, upload_max_bytes=1000) as gb:
        order = await collected_order(gb)
        refused = {
            "type": await claim(gb, order, ("note.txt", b"hello", "text/plain")),
            "bytes": await claim(gb, order, ("fake.png", JPEG, "image/png")),
            "size": await claim(gb, order, ("big.jpg", JPEG * 10, "image/jpeg")),
        }
        for why, answer in refused.items():
            assert answer.status_code == 422, (why, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
        as_json = await gb.running.client.post(
            f"{GB}/claim-damage",
            json={
                "order_id": order["id"],
                "damaged": 1,
                "photo": {"id": "up_x", "filename": "x", "media_type": "image/jpeg", "size": 1},
            },
            headers=gb.auth("resident"),
        )
        assert as_json.status_code in (400, 415, 422), as_json.text
        anonymous = await gb.running.client.post(
            f"{GB}/claim-damage", files={"photo": ("b.jpg", JPEG, "image/jpeg")}
        )
        assert anonymous.status_code == 401
        spec = (await gb.running.client.get("/docs/api/openapi.json")).json()
        path = "/v1/communities/{community}/modules/group_buying/claim-damage"
        body = spec["paths"][path]["post"]["requestBody"]
        assert "multipart/form-data" in body["content"]
