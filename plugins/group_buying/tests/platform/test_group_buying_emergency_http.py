"""Group buying on the platform while an emergency is in force: non-essential joins answer 409."""

from __future__ import annotations

from group_buying_helpers import GB, group_buying


async def test_a_declared_emergency_pauses_non_essential_campaigns_over_http(start_platform):
    async with group_buying(start_platform) as gb:
        http, op = gb.running.client, gb.auth("operator")
        treats = await gb.open(seconds=600, title="Cherries")
        rice = await gb.open(seconds=600, title="Rice", essential=True)
        declared = await http.post(
            "/v1/communities/home/emergencies/", json={"kind": "epidemic"}, headers=op
        )
        assert declared.status_code == 201, declared.text
        paused = await http.post(
            f"{GB}/join-campaign",
            json={"campaign_id": treats["id"], "quantity": 1, "pickup_point_id": gb.point_id},
            headers=gb.auth("resident"),
        )
        assert paused.status_code == 409, paused.text
        assert paused.headers["content-type"].startswith("application/problem+json")
        assert paused.json()["reason"] == "paused_for_emergency"
        assert "paused while the epidemic emergency" in paused.json()["detail"]
        assert (await gb.join("resident", rice, 2))["quantity"] == 2
        ended = await http.post(
            f"/v1/communities/home/emergencies/{declared.json()['id']}/end", headers=op
        )
        assert ended.status_code == 200, ended.text
        assert (await gb.join("neighbour", treats, 1))["quantity"] == 1
