"""A whole group buy over HTTP on the platform: join, close, pick lists, pickup, payout.

Each party's statement shows its share exactly per the module's revenue-share rules: the split
of every order, less the pro-rata refund of the tier difference, the gateway's fee borne by
the supplier, then paid out once the pickup released it.
"""

from __future__ import annotations

import io
from collections import defaultdict

import zxingcpp
from group_buying_helpers import SETTLEMENT, GroupBuy, group_buying
from linli_group_buying.plugin import REVENUE_SHARE
from linli_sdk import Money, refund, split
from PIL import Image

FEE_BP = 60  # the sandbox gateway's default fee


def cny(fen: int) -> Money:
    return Money(amount=fen, currency="CNY")


def expected_shares(orders: list[tuple[int, int]]) -> dict[str, int]:
    """Each party's share of orders ``(amount, refunded)``, the fee borne by the supplier."""
    owed: dict[str, int] = defaultdict(int)
    for amount, back in orders:
        parts = split(REVENUE_SHARE, cny(amount))
        taken = refund(parts, cny(back)) if back else {}
        for party, part in parts.items():
            owed[party] += part.amount - taken.get(party, cny(0)).amount
        owed["supplier"] -= amount * FEE_BP // 10_000
    return dict(owed)


async def statement(gb: GroupBuy, account: str) -> dict[str, int]:
    """The sum of an account's statement lines per kind (capture, refund, payout...)."""
    answer = await gb.running.client.get(
        f"{SETTLEMENT}/statements/{account}", headers=gb.auth("operator")
    )
    assert answer.status_code == 200, answer.text
    sums: dict[str, int] = defaultdict(int)
    for line in answer.json()["lines"]:
        sums[line["kind"]] += line["amount"]["amount"]
    return dict(sums)


async def test_join_close_pick_verify_payout_and_every_statement(start_platform):
    async with group_buying(start_platform) as gb:
        tiers = [{"at_least": 3, "unit_price": {"amount": 900, "currency": "CNY"}}]
        campaign = await gb.open(tiers=tiers)
        joined = {
            "resident": await gb.join("resident", campaign, 2),
            "leader": await gb.join("leader", campaign, 1),
            "neighbour": await gb.join("neighbour", campaign, 3),
        }
        assert {o["status"] for o in joined.values()} == {"authorized"}
        again = await gb.join("resident", campaign, 2)  # the same Idempotency-Key: replayed
        assert again == joined["resident"]

        closed = await gb.until_closed(campaign)
        assert closed["status"] == "confirmed"
        assert closed["final_unit_price"] == {"amount": 900, "currency": "CNY"}

        pdf = await gb.get("goods-documents", "host", campaign_id=campaign["id"])
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        csv = await gb.get("goods-documents", "leader", campaign_id=campaign["id"], format="csv")
        assert "Building 3 lockers" in csv.text and "TOTAL" in csv.text

        held = await gb.running.client.post(
            f"{SETTLEMENT}/payouts",
            headers=gb.auth("operator") | {"Idempotency-Key": "payout-0"},
        )
        assert held.status_code == 200, held.text  # nothing is payable before the pickup
        assert not [p for p in held.json()["payouts"] if p["account"].startswith("payable:")]

        for who in joined:
            (order,) = (await gb.get("my-orders", who))["items"]
            assert order["status"] == "confirmed" and order["unit_price"]["amount"] == 900
            assert order["refunded"]["amount"] == 100 * order["quantity"]
            qr = await gb.get("pickup-qr", who, order_id=order["id"])
            assert qr.headers["content-type"] == "image/png"
            scanned = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.content)))
            # A regular QR code (Micro QR is lost on most phone scanners) with the pickup code.
            code = order["pickup_code"]
            assert [(c.text, c.format) for c in scanned] == [(code, zxingcpp.BarcodeFormat.QRCode)]
            verified = await gb.post(
                "verify-pickup", {"code": order["pickup_code"]}, "host", key=f"v-{order['id']}"
            )
            assert verified["remaining"] == 0 and verified["order"]["status"] == "collected"

        paid = await gb.running.client.post(
            f"{SETTLEMENT}/payouts",
            headers=gb.auth("operator") | {"Idempotency-Key": "payout-1"},
        )
        assert paid.status_code == 200, paid.text
        payouts = {p["account"]: p["amount"]["amount"] for p in paid.json()["payouts"]}

        amounts = [(1000 * q, 100 * q) for q in (2, 1, 3)]
        owed = expected_shares(amounts)
        accounts = {
            "platform": "platform_revenue",
            "community_fund": "community_fund",
            "leader": f"payable:leader:{gb.running.people['leader'].id}",
            "pickup_host": f"payable:pickup_host:{gb.host.id}",
            "supplier": f"payable:supplier:{gb.supplier.id}",
        }
        for party, account in accounts.items():
            lines = await statement(gb, account)
            earned = lines.get("capture", 0) + lines.get("refund", 0)
            assert earned == owed[party], (party, lines)
            if account.startswith("payable:"):
                assert payouts[account] == owed[party]
                assert lines["payout"] == -owed[party]
        assert sum(owed.values()) == 5400 - sum(a * FEE_BP // 10_000 for a, _ in amounts)

        reports = await gb.get("campaign-reports", "supplier")
        (report,) = reports["campaigns"]
        assert report["gmv"]["amount"] == 5400 and report["pickup_bp"] == 10_000
