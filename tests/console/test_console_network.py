"""The console's network page: warehouses, pickup points with hosts and leaders, invitations."""

from __future__ import annotations

import re
from urllib.parse import unquote

from console_helpers import HOME_OPERATOR_PHONE, console_sign_in, csrf_of, give_phones

NETWORK = "/console/c/home/network"


async def test_an_operator_builds_the_network_and_invites_through_the_page(start_platform):
    async with start_platform(dispatch_worker=False) as running:
        await give_phones(running)
        http = running.client
        await console_sign_in(http, HOME_OPERATOR_PHONE)
        csrf = csrf_of((await http.get(NETWORK)).text)

        async def post(path: str, **form: str):
            return await http.post(f"{NETWORK}{path}", data={**form, "csrf": csrf})

        assert (await post("/warehouses", kind="central", name="中心仓")).status_code == 303
        again = await post("/warehouses", kind="central", name="Second")
        assert again.status_code == 409
        assert "this community has its central warehouse already" in again.text
        central = re.search(r'<option value="(\d+)">中心仓</option>', again.text).group(1)
        grid = await post("/warehouses", kind="grid", name="网格仓 North", central_id=central)
        assert grid.status_code == 303
        page = (await http.get(NETWORK)).text
        grid_id = re.search(r'<option value="(\d+)">网格仓 North</option>', page).group(1)
        leader, host = running.people["leader"], running.people["resident"]
        point = await post(
            "/pickup-points",
            name="2号楼大堂 Lobby",
            grid_warehouse_id=grid_id,
            host_id=str(host.id),
            leader_id=str(leader.id),
        )
        assert point.status_code == 303
        assert "Pickup point 2号楼大堂 Lobby added." in unquote(point.headers["location"])
        from linli.network.service import pickup_points

        (made,) = await pickup_points(running.home)
        assert (made.host_id, made.leader_id, made.grid_warehouse) == (
            host.id,
            leader.id,
            "网格仓 North",
        )
        bad = await post("/invitations", phone="12345", role="leader", display_name="X")
        assert bad.status_code == 422 and "phone" in bad.text
        invited = await post(
            "/invitations",
            phone="13811110001",
            role="pickup_host",
            display_name="Host Qian",
            pickup_point_id=str(made.id),
        )
        assert invited.status_code == 303
        page = (await http.get(NETWORK)).text
        assert "138****0001" in page and "Host Qian" in page and "pending" in page
        assert "2号楼大堂 Lobby" in page


async def test_an_operator_changes_a_points_host_archives_it_and_withdraws_an_invitation(
    start_platform,
):
    from linli.network.service import add_pickup_point, pickup_points

    async with start_platform(dispatch_worker=False) as running:
        await give_phones(running)
        point = await add_pickup_point(running.home, "南门 South gate")
        http = running.client
        await console_sign_in(http, HOME_OPERATOR_PHONE)
        csrf = csrf_of((await http.get(NETWORK)).text)
        host = running.people["resident"].id
        changed = await http.post(
            f"{NETWORK}/pickup-points/{point.id}", data={"host_id": str(host), "csrf": csrf}
        )
        assert changed.status_code == 303
        (now,) = await pickup_points(running.home)
        assert now.host_id == host
        me = await http.get("/v1/communities/home/me", headers=running.auth("resident"))
        assert "pickup_host" in me.json()["roles"]  # the host got the role, as over the API
        invited = await http.post(
            f"{NETWORK}/invitations",
            data={"phone": "13811110009", "role": "leader", "display_name": "Ma", "csrf": csrf},
        )
        assert invited.status_code == 303
        page = (await http.get(NETWORK)).text
        withdraw = re.search(r"network/invitations/(\d+)/withdraw", page).group(1)
        gone = await http.post(f"{NETWORK}/invitations/{withdraw}/withdraw", data={"csrf": csrf})
        assert gone.status_code == 303
        assert "withdrawn" in (await http.get(NETWORK)).text
        archived = await http.post(
            f"{NETWORK}/pickup-points/{point.id}", data={"archive": "true", "csrf": csrf}
        )
        assert archived.status_code == 303
        assert await pickup_points(running.home) == []
