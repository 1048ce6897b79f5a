"""Communities and their pickup network through the operator API, tenancy checked."""

from __future__ import annotations

from linli.testing.sign_in import authorization_code, exchange, sign_in_code

ADMIN = {"Authorization": "Bearer adm"}


async def _sign_in(http, phone: str, community: str) -> dict[str, str]:
    """Sign ``phone`` in to ``community`` with a one-time code and OAuth; their bearer header."""
    from linli.identity.clients import register_client
    from linli.testing.sign_in import REDIRECT

    frontend = await register_client(f"App for {phone}", redirect_uris=[REDIRECT])
    otp = await sign_in_code(http, phone)
    code, verifier = await authorization_code(
        http, frontend.client_id, phone=phone, otp=otp, community=community
    )
    issued = await exchange(http, frontend.client_id, code, verifier)
    return {"Authorization": f"Bearer {issued['access_token']}"}


async def test_the_platform_operator_creates_lists_renames_and_archives_communities(
    start_platform,
):
    async with start_platform(admin_token="adm") as running:
        http = running.client
        made = await http.post(
            "/v1/communities",
            json={"slug": "river-view", "name": "河景苑", "timezone": "Asia/Shanghai"},
            headers=ADMIN,
        )
        assert made.status_code == 201, made.text
        assert made.json() | {"id": 0, "created_at": None} == {
            "id": 0,
            "slug": "river-view",
            "name": "河景苑",
            "timezone": "Asia/Shanghai",
            "currency": "CNY",
            "created_at": None,
            "archived_at": None,
        }
        again = await http.post(
            "/v1/communities", json={"slug": "river-view", "name": "x"}, headers=ADMIN
        )
        assert again.status_code == 409
        bad_zone = await http.post(
            "/v1/communities",
            json={"slug": "mars", "name": "x", "timezone": "Mars/Base"},
            headers=ADMIN,
        )
        assert bad_zone.status_code == 422
        assert bad_zone.headers["content-type"].startswith("application/problem+json")
        assert bad_zone.json()["field"] == "timezone"
        bad_money = await http.post(
            "/v1/communities", json={"slug": "mars", "name": "x", "currency": "XYZ"}, headers=ADMIN
        )
        assert bad_money.status_code == 422 and bad_money.json()["field"] == "currency"

        listed = await http.get("/v1/communities", headers=ADMIN)
        assert [c["slug"] for c in listed.json()] == ["home", "other", "river-view"]

        renamed = await http.patch(
            "/v1/communities/river-view", json={"name": "River View"}, headers=ADMIN
        )
        assert renamed.json()["name"] == "River View"

        # An operator of a community is not the platform operator.
        operator = running.auth("operator")
        create = await http.post(
            "/v1/communities", json={"slug": "mine", "name": "Mine"}, headers=operator
        )
        assert create.status_code == 403
        assert (await http.get("/v1/communities")).status_code == 401
        archive_home = await http.post("/v1/communities/home/archive", headers=operator)
        assert archive_home.status_code == 403

        archived = await http.post("/v1/communities/other/archive", headers=ADMIN)
        assert archived.json()["archived_at"] is not None
        listed = await http.get("/v1/communities", headers=ADMIN)
        assert [c["slug"] for c in listed.json()] == ["home", "river-view"]
        everything = await http.get("/v1/communities?archived=true", headers=ADMIN)
        assert len(everything.json()) == 3
        refused = await http.get("/v1/communities/other", headers=running.auth("stranger"))
        assert refused.status_code == 403 and "archived" in refused.json()["detail"]


async def test_a_community_operator_cannot_act_on_another_community(start_platform):
    async with start_platform(admin_token="adm") as running:
        http = running.client
        stranger = running.auth("stranger")  # an operator of "other", nobody in "home"
        for method, path, body in (
            ("PATCH", "/v1/communities/home", {"name": "Taken"}),
            ("POST", "/v1/communities/home/network/warehouses", {"kind": "central", "name": "C"}),
            ("POST", "/v1/communities/home/network/pickup-points", {"name": "Gate"}),
            ("GET", "/v1/communities/home/network/pickup-points", None),
            (
                "POST",
                "/v1/communities/home/role-invitations",
                {"phone": "13811112222", "role": "leader", "display_name": "Ma"},
            ),
            ("GET", "/v1/communities/home/role-invitations", None),
        ):
            answer = await http.request(method, path, json=body, headers=stranger)
            assert answer.status_code == 403, (method, path, answer.text)
            assert answer.json()["type"] == "urn:linli:problem:forbidden"
        assert (await http.get("/v1/communities/home", headers=ADMIN)).json()[
            "name"
        ] == "Home Garden"

        # Their own community's network is theirs; ids from another community are not.
        grid = await http.post(
            "/v1/communities/home/network/warehouses",
            json={"kind": "grid", "name": "Grid"},
            headers=running.auth("operator"),
        )
        assert grid.status_code == 201, grid.text
        foreign = await http.post(
            "/v1/communities/other/network/pickup-points",
            json={"name": "Gate", "grid_warehouse_id": grid.json()["id"]},
            headers=stranger,
        )
        assert foreign.status_code == 422 and foreign.json()["field"] == "grid_warehouse_id"
        home_resident = running.people["resident"].id
        stolen = await http.post(
            "/v1/communities/other/network/pickup-points",
            json={"name": "Gate", "host_id": home_resident},
            headers=stranger,
        )
        assert stolen.status_code == 404  # a member of "home" is nobody in "other"


async def test_a_pickup_network_and_an_invitation_accepted_by_signing_in(
    start_platform, any_database
):
    async with start_platform(admin_token="adm", database_url=any_database) as running:
        http = running.client
        operator = running.auth("operator")
        base = "/v1/communities/home/network"
        central = await http.post(
            f"{base}/warehouses", json={"kind": "central", "name": "Central"}, headers=operator
        )
        second = await http.post(
            f"{base}/warehouses", json={"kind": "central", "name": "Other"}, headers=operator
        )
        assert second.status_code == 409
        grid = await http.post(
            f"{base}/warehouses",
            json={"kind": "grid", "name": "East grid", "central_id": central.json()["id"]},
            headers=operator,
        )
        point = await http.post(
            f"{base}/pickup-points",
            json={"name": "Building 3 lockers", "grid_warehouse_id": grid.json()["id"]},
            headers=operator,
        )
        assert point.status_code == 201, point.text
        point_id = point.json()["id"]
        invited = await http.post(
            "/v1/communities/home/role-invitations",
            json={
                "phone": "13822223333",
                "role": "pickup_host",
                "display_name": "Host Qian",
                "pickup_point_id": point_id,
            },
            headers=operator,
        )
        assert invited.status_code == 201, invited.text
        assert invited.json()["phone_masked"] == "138****3333"
        assert invited.json()["status"] == "pending"

        someone_else = await _sign_in(http, "13900009999", "home")
        me = await http.get("/v1/communities/home/me", headers=someone_else)
        assert "pickup_host" not in me.json()["roles"]

        host = await _sign_in(http, "13822223333", "home")
        me = await http.get("/v1/communities/home/me", headers=host)
        assert "pickup_host" in me.json()["roles"], me.text
        assert me.json()["display_name"] == "Host Qian"
        points = await http.get(f"{base}/pickup-points", headers=running.auth("resident"))
        (listed,) = points.json()
        assert listed == {
            "id": point_id,
            "name": "Building 3 lockers",
            "address": "",
            "grid_warehouse": "East grid",
            "host_id": me.json()["id"],
            "leader_id": None,
        }
        invitations = await http.get("/v1/communities/home/role-invitations", headers=operator)
        assert invitations.json()[0]["status"] == "accepted"
        assert invitations.json()[0]["member"] == me.json()["id"]

        archived = await http.patch(
            f"{base}/pickup-points/{point_id}", json={"archive": True}, headers=operator
        )
        assert archived.status_code == 204
        assert (await http.get(f"{base}/pickup-points", headers=operator)).json() == []


async def test_an_archived_community_refuses_its_members_and_its_providers_back_ends(
    start_platform,
):
    from linli.identity.clients import register_client

    async with start_platform(admin_token="adm") as running:
        http = running.client
        client = await register_client("Provider back end", community=running.home, scopes="read")
        issued = await http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "scope": "read"},
            auth=(client.client_id, client.client_secret),
        )
        backend = {"Authorization": f"Bearer {issued.json()['access_token']}"}
        resident = running.auth("resident")
        assert (await http.get("/v1/communities/home", headers=backend)).status_code == 200
        assert (await http.get("/v1/communities/home", headers=resident)).status_code == 200

        await http.post("/v1/communities/home/archive", headers=ADMIN)

        for caller in (backend, resident):
            refused = await http.get("/v1/communities/home", headers=caller)
            assert refused.status_code == 403 and "archived" in refused.json()["detail"]
        kept = await http.get("/v1/communities/home", headers=ADMIN)  # its data stays
        assert kept.json()["archived_at"] is not None
