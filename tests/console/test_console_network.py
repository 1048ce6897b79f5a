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
