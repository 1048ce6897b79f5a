"""The operator console in a real headless Chromium against ``linli demo``.

The demo runs as a subprocess (as an operator starts it); its platform operator, Operator
Zhou, signs in to ``/console`` with the SMS code read from the demo's log, creates a second
community, its grid warehouse and two pickup points, invites a leader and a host, and enables
group buying with settings, all in the browser. Then the people of that community take it from
there through the API as their apps would: the leader and host accept by signing in, a supplier
is admitted, a resident is verified and buys.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from linli.testing.sign_in import REDIRECT, authorization_code, exchange
from test_resident_web import LINLI, Demo
from test_resident_web import chromium as chromium  # the fixture

OPERATOR_ZHOU = "13900000001"  # the demo's platform operator (docs/console.md)
LEADER, HOST, SUPPLIER, RESIDENT = "13811110001", "13811110002", "13811110003", "13811110004"
ADMIN = {"Authorization": "Bearer adm"}
C = "/v1/communities/river-view"


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    """``linli demo`` serving on a loopback port with an API admin token, its log in a file."""
    demo = Demo(tmp_path, "http://127.0.0.1:1")
    demo.env["LINLI_ADMIN_TOKEN"] = "adm"
    with demo.log.open("w") as log:
        server = subprocess.Popen(
            [*LINLI, "demo"], cwd=tmp_path, env=demo.env, stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{demo.url}/v1/ready", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None, demo.log.read_text()
                assert time.monotonic() < deadline, "the demo did not start within 60 s"
                time.sleep(0.2)
        yield demo
    finally:
        server.terminate()
        server.wait(timeout=20)


def _operate_in_the_browser(chromium_path: str, demo: Demo) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)  # pages answer in milliseconds, unless the machine is busy
    try:
        _operate(chromium_path, demo)
    finally:
        expect.set_options(timeout=5_000)  # Playwright's default, for the tests after this one


def _operate(chromium_path: str, demo: Demo) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(
        timeout=15_000
    )  # each page answers in milliseconds, unless the machine is busy
    refused: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
        )
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda m: refused.append(m.text) if "Content Security" in m.text else None,
            )
            page.goto(f"{demo.url}/console/")
            expect(page.get_by_role("heading", name="Sign in to the Linli console")).to_be_visible()
            page.get_by_label("Phone").fill(OPERATOR_ZHOU)
            logged = demo.log.stat().st_size
            page.get_by_role("button", name="Send code").click()
            expect(page.locator("#sent")).to_have_text("Code sent by SMS.")
            assert page.evaluate("typeof htmx") == "object"  # served by the platform, no CDN
            page.get_by_label("Code").fill(demo.sign_in_code(after=logged))
            page.get_by_role("button", name="Sign in", exact=True).click()
            expect(page.get_by_role("heading", name="Communities")).to_be_visible()
            expect(page.get_by_text("platform operator")).to_be_visible()

            # A second community.
            page.get_by_label("Slug").fill("river-view")
            page.get_by_label("Name", exact=True).fill("河景苑 River View")
            page.get_by_label("Time zone").fill("Asia/Shanghai")
            page.get_by_role("button", name="Create community").click()
            expect(page.get_by_role("heading", name="河景苑 River View")).to_be_visible()
            expect(page.get_by_role("status")).to_have_text("Community 河景苑 River View created.")

            # Its network: the central and a grid warehouse, two pickup points.
            page.get_by_role("link", name="Network").click()
            expect(page.get_by_role("heading", name="Warehouses")).to_be_visible()
            page.get_by_label("Kind").select_option("central")
            page.get_by_label("Warehouse name").fill("中心仓 Central")
            page.get_by_role("button", name="Add warehouse").click()
            expect(page.get_by_role("status")).to_have_text("Warehouse 中心仓 Central added.")
            page.get_by_label("Kind").select_option("grid")
            page.get_by_label("Warehouse name").fill("网格仓 North")
            page.get_by_label("Central warehouse").select_option(label="中心仓 Central")
            page.get_by_role("button", name="Add warehouse").click()
            expect(page.get_by_role("status")).to_have_text("Warehouse 网格仓 North added.")
            for point in ("2号楼大堂 Building 2 lobby", "南门便利店 South gate shop"):
                page.get_by_label("Point name").fill(point)
                page.get_by_label("Grid warehouse").select_option(label="网格仓 North")
                page.get_by_role("button", name="Add pickup point").click()
                expect(page.get_by_role("status")).to_have_text(f"Pickup point {point} added.")

            # A leader and a host, invited by phone to the lobby.
            for phone, role, name in (
                (LEADER, "leader", "团长 Leader Ma"),
                (HOST, "pickup_host", "Host Qian"),
            ):
                page.get_by_label("Phone to invite").fill(phone)
                page.get_by_label("Role").select_option(role)
                page.get_by_label("Display name").fill(name)
                page.get_by_label(re.compile(r"^Pickup point")).select_option(
                    label="2号楼大堂 Building 2 lobby"
                )
                page.get_by_role("button", name="Invite").click()
                expect(page.get_by_role("status")).to_have_text(f"{name} invited as {role}.")
            invitations = page.locator("table").nth(2)
            expect(invitations).to_contain_text("138****0001")
            expect(invitations).to_contain_text("138****0002")

            # Group buying, enabled with settings; a value out of bounds is refused first.
            page.get_by_role("link", name="Modules").click()
            section = page.locator("#module-group_buying")
            section.get_by_label("Enabled").check()
            section.locator('input[name="uncollected_days"]').fill("99")
            section.locator('input[name="max_campaign_days"]').fill("7")
            section.get_by_role("button", name=re.compile(r"^Save (?!revenue)")).click()
            expect(page.get_by_role("alert")).to_contain_text("uncollected_days")
            section = page.locator("#module-group_buying")
            section.get_by_label("Enabled").check()
            section.locator('input[name="uncollected_days"]').fill("2")
            section.locator('input[name="max_campaign_days"]').fill("7")
            section.get_by_role("button", name=re.compile(r"^Save (?!revenue)")).click()
            expect(page.get_by_role("status")).to_contain_text("enabled; settings saved.")
            expect(page.locator("#module-group_buying h2")).to_contain_text("enabled")
        finally:
            browser.close()
    assert refused == []  # nothing the page needs is blocked by its policy


async def _people_take_it_from_there(demo: Demo, client_id: str) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=demo.url, timeout=30) as http:

        async def sign_in(phone: str) -> dict[str, str]:
            logged = demo.log.stat().st_size
            sent = await http.post("/v1/identity/sign-in-codes", json={"phone": phone})
            assert sent.status_code == 202, sent.text
            otp = demo.sign_in_code(after=logged)
            code, verifier = await authorization_code(
                http, client_id, phone=phone, otp=otp, community="river-view"
            )
            issued = await exchange(http, client_id, code, verifier)
            return {"Authorization": f"Bearer {issued['access_token']}"}

        async def ok(answer: httpx.Response) -> dict:
            assert answer.status_code in (200, 201), answer.text
            return answer.json()

        leader, host = await sign_in(LEADER), await sign_in(HOST)
        assert "leader" in (await ok(await http.get(f"{C}/me", headers=leader)))["roles"]
        host_id = (await ok(await http.get(f"{C}/me", headers=host)))["id"]
        points = await ok(await http.get(f"{C}/network/pickup-points", headers=leader))
        lobby = next(p for p in points if p["name"].startswith("2号楼"))
        assert lobby["host_id"] == host_id

        supplier = await sign_in(SUPPLIER)
        application = await ok(
            await http.post(
                f"{C}/credit/provider-applications",
                json={
                    "provider_name": "Green Farm 绿色农场",
                    "documents": [
                        {"kind": "business_license", "title": "营业执照", "reference": "9131X"}
                    ],
                },
                headers=supplier,
            )
        )
        await ok(
            await http.post(
                f"{C}/credit/provider-applications/{application['id']}/review",
                json={"admit": True, "reason": "licence checked"},
                headers=ADMIN,
            )
        )
        supplier_id = (await ok(await http.get(f"{C}/me", headers=supplier)))["id"]

        resident = await sign_in(RESIDENT)
        unit = re.search(
            r"unit (\d+)", demo.cli("communities", "add-unit", "river-view", "2", "301")
        )
        code = demo.cli("communities", "invite-resident", "river-view", unit.group(1)).strip()
        await ok(
            await http.post(f"{C}/verification/invitation", json={"code": code}, headers=resident)
        )
        campaign = await ok(
            await http.post(
                f"{C}/modules/group_buying/open-campaign",
                json={
                    "title": "赣南脐橙 Navel oranges 5 kg",
                    "product": "Picked this week",
                    "unit_price": {"amount": 4990, "currency": "CNY"},
                    "stock_cap": 50,
                    "per_person_limit": 2,
                    "minimum": 1,
                    "deadline": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
                    "pickup_point_ids": [lobby["id"]],
                    "supplier_id": supplier_id,
                },
                headers=leader,
            )
        )
        return await ok(
            await http.post(
                f"{C}/modules/group_buying/join-campaign",
                json={"campaign_id": campaign["id"], "quantity": 2, "pickup_point_id": lobby["id"]},
                headers=resident | {"Idempotency-Key": "oranges-1"},
            )
        )


@pytest.mark.slow
def test_an_operator_onboards_a_community_in_the_console_and_a_resident_buys(chromium, demo):
    _operate_in_the_browser(chromium, demo)
    made = demo.cli("identity", "add-client", "River View app", "--redirect-uri", REDIRECT)
    client_id = made.split("client_id: ")[1].split()[0]
    order = asyncio.run(_people_take_it_from_there(demo, client_id))
    assert order["status"] == "authorized" and order["amount"]["amount"] == 9980
