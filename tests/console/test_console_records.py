"""The console's read pages, each rendering real data made through the platform's services:
members and verification, providers and credit, settlement, webhooks and failed deliveries."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_helpers import HOME_OPERATOR_PHONE, console_sign_in, csrf_of, give_phones
from linli.testing import write_distribution

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
C = "/v1/communities/home"
CONSOLE = "/console/c/home"


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """docs/examples/settlement_shop.py installed as the module ``shop`` (it charges)."""
    site = tmp_path / "shop-site"
    write_distribution(site, "linli-console-shop", "0.1.0", {"shop": "settlement_shop"})
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(EXAMPLES))
    importlib.invalidate_caches()
    yield
    sys.modules.pop("settlement_shop", None)


async def test_the_members_page_lists_members_and_decides_a_verification_request(
    start_platform,
):
    async with start_platform(dispatch_worker=False) as running:
        await give_phones(running)
        http = running.client
        units = await http.post(
            f"{C}/units", json={"building": "3", "room": "1201"}, headers=running.auth("operator")
        )
        assert units.status_code == 201, units.text
        asked = await http.post(
            f"{C}/verification/requests",
            json={"unit_id": units.json()["id"]},
            headers=running.auth("newcomer"),
        )
        assert asked.status_code == 201, asked.text
        await console_sign_in(http, HOME_OPERATOR_PHONE)
        page = await http.get(f"{CONSOLE}/members")
        assert page.status_code == 200
        assert "<td>Res</td>" in page.text and "139****0001" in page.text
        assert "<td>New</td><td>3-1201</td>" in page.text
        decided = await http.post(
            f"{CONSOLE}/members/requests/{asked.json()['id']}",
            data={"decision": "approve", "csrf": csrf_of(page.text)},
        )
        assert decided.status_code == 303
        me = await http.get(f"{C}/me", headers=running.auth("newcomer"))
        assert me.json()["verified"] is True
        after = (await http.get(f"{CONSOLE}/members")).text
        assert "No pending requests." in after


async def test_the_providers_page_admits_an_applicant_and_explains_the_score(start_platform):
    async with start_platform(dispatch_worker=False) as running:
        await give_phones(running)
        http = running.client
        applied = await http.post(
            f"{C}/credit/provider-applications",
            json={
                "provider_name": "Green Farm 绿色农场",
                "documents": [
                    {"kind": "business_license", "title": "营业执照", "reference": "91310000X"}
                ],
            },
            headers=running.auth("newcomer"),
        )
        assert applied.status_code == 200, applied.text
        await console_sign_in(http, HOME_OPERATOR_PHONE)
        page = await http.get(f"{CONSOLE}/providers")
        assert "Green Farm 绿色农场" in page.text and "营业执照" in page.text
        empty = await http.post(
            f"{CONSOLE}/providers/applications/{applied.json()['id']}",
            data={"admit": "true", "reason": "", "csrf": csrf_of(page.text)},
        )
        assert empty.status_code == 422 and "reason" in empty.text  # the API's own model
        admitted = await http.post(
            f"{CONSOLE}/providers/applications/{applied.json()['id']}",
            data={"admit": "true", "reason": "licence checked", "csrf": csrf_of(page.text)},
        )
        assert admitted.status_code == 303
        page = (await http.get(f"{CONSOLE}/providers")).text
        assert "admitted: licence checked" in page and "probation" in page
        provider = applied.json()["provider"] or page.split("/providers/")[1].split('"')[0]
        why = await http.get(f"{CONSOLE}/providers/{provider}")
        assert why.status_code == 200
        assert "score 600" in why.text and "the base 600" in why.text


async def test_the_settlement_page_shows_the_ledger_statements_and_reconciliation(
    start_platform, shop
):
    async with start_platform(dispatch_worker=False) as running:
        await give_phones(running)
        from linli.modules.enablement import set_module

        await set_module(running.platform, running.home, "shop", enabled=True)
        http = running.client
        people = running.people
        bought = await http.post(
            f"{C}/modules/shop/buy",
            json={
                "order_ref": "console-1",
                "amount": {"amount": 10_000, "currency": "CNY"},
                "leader_id": people["leader"].id,
                "pickup_host_id": people["leader"].id,
                "supplier_id": people["operator"].id,
                "capture": True,
            },
            headers=running.auth("resident"),
        )
        assert bought.status_code == 200, bought.text
        await running.platform.settlement.idle()
        await console_sign_in(http, HOME_OPERATOR_PHONE)
        page = await http.get(f"{CONSOLE}/settlement")
        assert page.status_code == 200
        assert "every currency balances" in page.text and "test money" in page.text
        assert "platform_revenue" in page.text
        assert "The ledger and the gateway agree" in page.text
        account = f"payable:leader:{people['leader'].id}"
        assert f"/settlement/statements/{account}" in page.text
        statement = await http.get(f"{CONSOLE}/settlement/statements/{account}")
        assert statement.status_code == 200 and "console-1" in statement.text
        key = page.text.split('name="batch_key" value="')[1].split('"')[0]
        form = {"csrf": csrf_of(page.text), "batch_key": key}
        first = await http.post(f"{CONSOLE}/settlement/payouts", data=form)
        again = await http.post(f"{CONSOLE}/settlement/payouts", data=form)
        assert "Payout batch done" in first.headers["location"].replace("%20", " ")
        assert "already ran" in again.headers["location"].replace("%20", " ")


async def test_the_webhooks_page_subscribes_and_redelivers_a_failed_delivery(start_platform):
    async with start_platform(
        dispatch_worker=False, dispatch_webhook_allow=["127.0.0.0/8"], dispatch_max_attempts=1
    ) as running:
        await give_phones(running)
        http = running.client
        await console_sign_in(http, HOME_OPERATOR_PHONE)
        page = await http.get(f"{CONSOLE}/webhooks")
        made = await http.post(
            f"{CONSOLE}/webhooks",
            data={"url": "http://127.0.0.1:9/hooks", "event_types": "", "csrf": csrf_of(page.text)},
        )
        assert made.status_code == 200 and "whsec_" in made.text
        assert "http://127.0.0.1:9/hooks" in made.text
        refused = await http.post(
            f"{CONSOLE}/webhooks",
            data={"url": "http://10.1.2.3/x", "csrf": csrf_of(page.text)},
        )
        assert refused.status_code == 422
        # An event (a provider admitted) whose delivery to the closed port fails for good.
        applied = await http.post(
            f"{C}/credit/provider-applications",
            json={
                "provider_name": "Tidy 家政",
                "documents": [{"kind": "business_license", "title": "执照", "reference": "X1"}],
            },
            headers=running.auth("newcomer"),
        )
        admitted = await http.post(
            f"{C}/credit/provider-applications/{applied.json()['id']}/review",
            json={"admit": True, "reason": "ok"},
            headers=running.auth("operator"),
        )
        assert admitted.status_code == 200, admitted.text
        for _ in range(5):
            await running.platform.worker.run_once()
        page = await http.get(f"{CONSOLE}/webhooks")
        assert "webhook:" in page.text and "No failed deliveries." not in page.text, page.text
        event_id = page.text.split("/deliveries/")[1].split("/")[0]
        again = await http.post(
            f"{CONSOLE}/webhooks/deliveries/{event_id}/redeliver",
            data={"target": page.text.split('name="target" value="')[1].split('"')[0],
                  "csrf": csrf_of(page.text)},
        )  # fmt: skip
        assert again.status_code == 303
        assert "No failed deliveries." in (await http.get(f"{CONSOLE}/webhooks")).text
