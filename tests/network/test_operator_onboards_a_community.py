"""From a fresh database, an operator brings a second community to life and a resident buys.

Everything goes through the ``linli`` command (run as its own process, as an operator runs it)
and the HTTP API (as the platform operator's console or script would call it): the community,
its grid warehouse and two pickup points, a leader and a host invited by phone, group buying
enabled with settings, a supplier admitted, a resident verified, a campaign opened, joined,
closed and collected.
"""

from __future__ import annotations

import asyncio
import re
import sys
from datetime import UTC, datetime, timedelta

from linli.testing.sign_in import REDIRECT, authorization_code, exchange, sign_in_code

ADMIN = {"Authorization": "Bearer adm"}
C = "/v1/communities/river-view"
GB = f"{C}/modules/group_buying"
LEADER_PHONE, HOST_PHONE, SUPPLIER_PHONE, RESIDENT_PHONE = (
    "13811110001",
    "13811110002",
    "13811110003",
    "13811110004",
)


async def linli(database_url: str, *args: str) -> str:
    """Run ``linli ARGS`` against the test's database; its output (the test fails on exit != 0)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "linli.cli",
        *args,
        env={"LINLI_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, (args, out.decode(), err.decode())
    return out.decode()


def number(pattern: str, text: str) -> int:
    """The first integer ``pattern``'s group matches in ``text``."""
    found = re.search(pattern, text)
    assert found, (pattern, text)
    return int(found.group(1))


async def sign_in(http, client_id: str, phone: str) -> dict[str, str]:
    """Sign ``phone`` in to river-view (a one-time code, then OAuth); their bearer header."""
    otp = await sign_in_code(http, phone)
    code, verifier = await authorization_code(
        http, client_id, phone=phone, otp=otp, community="river-view"
    )
    issued = await exchange(http, client_id, code, verifier)
    return {"Authorization": f"Bearer {issued['access_token']}"}


async def ok(answer, status: int = 200):
    assert answer.status_code == status, answer.text
    return answer.json()


async def test_an_operator_onboards_a_community_and_a_resident_buys(start_platform, database_url):
    async with start_platform(admin_token="adm", dispatch_worker=False) as running:
        http = running.client
        # The community, from the command line.
        made = await linli(
            database_url, "communities", "create", "river-view", "河景苑 River View",
            "--timezone", "Asia/Shanghai",
        )  # fmt: skip
        assert made.split("\t")[:3] == ["river-view", "河景苑 River View", "Asia/Shanghai"]
        # Its network: the central warehouse through the API, a grid warehouse by command, two
        # pickup points through the API.
        central = await ok(
            await http.post(
                f"{C}/network/warehouses", json={"kind": "central", "name": "中心仓"}, headers=ADMIN
            ),
            201,
        )
        grid = number(
            r"warehouse (\d+)\tgrid",
            await linli(
                database_url, "network", "add-warehouse", "river-view", "grid", "网格仓 North",
                "--central", str(central["id"]),
            ),
        )  # fmt: skip
        points = [
            await ok(
                await http.post(
                    f"{C}/network/pickup-points",
                    json={"name": name, "grid_warehouse_id": grid},
                    headers=ADMIN,
                ),
                201,
            )
            for name in ("2号楼大堂 Building 2 lobby", "南门便利店 South gate shop")
        ]
        lobby = points[0]["id"]
        # A leader invited through the API, a host by command; each accepts by signing in.
        await ok(
            await http.post(
                f"{C}/role-invitations",
                json={
                    "phone": LEADER_PHONE,
                    "role": "leader",
                    "display_name": "团长 Leader Ma",
                    "pickup_point_id": lobby,
                },
                headers=ADMIN,
            ),
            201,
        )
        await linli(
            database_url, "communities", "invite", "river-view", HOST_PHONE, "pickup_host",
            "Host Qian", "--point", str(lobby),
        )  # fmt: skip
        # Group buying, enabled with settings by command.
        enabled = await linli(
            database_url, "modules", "enable", "river-view", "group_buying",
            "--settings", '{"uncollected_days": 2, "max_campaign_days": 7}',
        )  # fmt: skip
        assert '"uncollected_days":2' in enabled

        from linli.identity.clients import register_client

        app = await register_client("River View app", redirect_uris=[REDIRECT])
        leader = await sign_in(http, app.client_id, LEADER_PHONE)
        host = await sign_in(http, app.client_id, HOST_PHONE)
        leader_me = await ok(await http.get(f"{C}/me", headers=leader))
        host_me = await ok(await http.get(f"{C}/me", headers=host))
        assert "leader" in leader_me["roles"] and "pickup_host" in host_me["roles"]
        listed = await ok(await http.get(f"{C}/network/pickup-points", headers=leader))
        assert (listed[0]["leader_id"], listed[0]["host_id"]) == (leader_me["id"], host_me["id"])
        assert listed[1]["host_id"] is None

        # A supplier applies and is admitted (the platform's provider admission).
        supplier = await sign_in(http, app.client_id, SUPPLIER_PHONE)
        application = await ok(
            await http.post(
                f"{C}/credit/provider-applications",
                json={
                    "provider_name": "Green Farm 绿色农场",
                    "documents": [
                        {"kind": "business_license", "title": "营业执照", "reference": "91310000X"}
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

        # A resident signs in, is verified for their unit (unit and code by command) and buys.
        resident = await sign_in(http, app.client_id, RESIDENT_PHONE)
        unit = number(
            r"unit (\d+)",
            await linli(database_url, "communities", "add-unit", "river-view", "2", "301"),
        )
        code = (
            await linli(database_url, "communities", "invite-resident", "river-view", str(unit))
        ).strip()
        await ok(
            await http.post(f"{C}/verification/invitation", json={"code": code}, headers=resident)
        )

        deadline = datetime.now(UTC) + timedelta(hours=6)
        campaign = await ok(
            await http.post(
                f"{GB}/open-campaign",
                json={
                    "title": "赣南脐橙 Navel oranges 5 kg",
                    "product": "Picked this week",
                    "unit_price": {"amount": 4990, "currency": "CNY"},
                    "stock_cap": 50,
                    "per_person_limit": 2,
                    "minimum": 1,
                    "deadline": deadline.isoformat(),
                    "pickup_point_ids": [lobby],
                    "supplier_id": supplier_id,
                },
                headers=leader,
            )
        )
        assert campaign["pickup_points"] == [
            {"id": lobby, "name": "2号楼大堂 Building 2 lobby", "host_id": host_me["id"]}
        ]
        order = await ok(
            await http.post(
                f"{GB}/join-campaign",
                json={"campaign_id": campaign["id"], "quantity": 2, "pickup_point_id": lobby},
                headers=resident | {"Idempotency-Key": "oranges-1"},
            )
        )
        assert order["status"] == "authorized" and order["amount"]["amount"] == 9980

        await ok(
            await http.post(
                f"{GB}/close-campaign-now", json={"campaign_id": campaign["id"]}, headers=leader
            )
        )
        await running.platform.settlement.idle()
        (mine,) = (await ok(await http.get(f"{GB}/my-orders", headers=resident)))["items"]
        assert mine["status"] == "confirmed" and mine["pickup_code"]
        picked = await ok(
            await http.post(f"{GB}/verify-pickup", json={"code": mine["pickup_code"]}, headers=host)
        )
        assert picked["order"]["status"] == "collected"

        # The other community saw none of it.
        home = await ok(await http.get("/v1/communities/home/network/pickup-points", headers=ADMIN))
        assert home == []
