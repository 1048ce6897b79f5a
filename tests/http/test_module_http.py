"""A plugin served per community over HTTP: enablement, settings, operations, errors, replays."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("fixture_plugins")

SAY = "/v1/communities/{c}/modules/probe/say"
WHOAMI = "/v1/communities/{c}/modules/probe/whoami"


async def enable(running, community="home", **body):
    body.setdefault("enabled", True)
    who = "operator" if community == "home" else "stranger"
    return await running.client.put(
        f"/v1/communities/{community}/modules/probe", json=body, headers=running.auth(who)
    )


def probe():
    import linli_fixture_probe

    return linli_fixture_probe


async def test_the_platform_lists_loaded_and_refused_modules(start_platform):
    async with start_platform() as running:
        response = await running.client.get("/v1/modules")

    assert response.status_code == 200
    body = response.json()
    assert {m["name"] for m in body["modules"]} >= {"probe", "noticeboard"}
    assert {r["name"] for r in body["refused"]} == {"future", "broken", "typo"}
    (say,) = [
        op
        for m in body["modules"]
        if m["name"] == "probe"
        for op in m["operations"]
        if op["name"] == "say"
    ]
    assert say == {
        "name": "say",
        "kind": "command",
        "method": "POST",
        "roles": ["resident"],
        "scope": "write",
        "summary": "Say something; every call that runs is counted.",
    }


async def test_a_module_is_served_only_where_it_is_enabled(start_platform):
    async with start_platform() as running:
        before = await running.client.post(
            SAY.format(c="home"), json={"text": "hi"}, headers=running.auth("resident")
        )
        assert before.status_code == 404
        assert before.headers["content-type"].startswith("application/problem+json")
        assert "not enabled" in before.json()["detail"]

        assert (await enable(running)).status_code == 200
        after = await running.client.post(
            SAY.format(c="home"), json={"text": "hi"}, headers=running.auth("resident")
        )
        assert after.status_code == 200
        assert after.json() == {"text": "hi", "greeting": "hello", "call_number": 1}

        # the other community did not enable it: still a 404 there
        elsewhere = await running.client.post(
            SAY.format(c="other"), json={"text": "hi"}, headers=running.auth("stranger")
        )
        assert elsewhere.status_code == 404

        assert (await enable(running, enabled=False)).status_code == 200
        disabled = await running.client.post(
            SAY.format(c="home"), json={"text": "hi"}, headers=running.auth("resident")
        )
        assert disabled.status_code == 404
    # events published by a hook are delivered too, before the later call's
    assert probe().HOOKS[:3] == [
        ("enabled", "home"),
        ("event:probe.welcomed", "home"),
        ("event:probe.said", "home"),
    ]
    assert ("disabled", "home") in probe().HOOKS


async def test_settings_are_validated_and_a_bad_field_is_named(start_platform):
    async with start_platform() as running:
        bad = await enable(running, settings={"limit": 50})
        assert bad.status_code == 422
        problem = bad.json()
        assert problem["status"] == 422
        assert "settings.limit" in problem["detail"]
        assert problem["errors"][0]["field"] == "settings.limit"

        # nothing was stored: the module is still off
        listing = await running.client.get(
            "/v1/communities/home/modules", headers=running.auth("operator")
        )
        (state,) = [m for m in listing.json()["modules"] if m["name"] == "probe"]
        assert state["enabled"] is False

        good = await enable(running, settings={"greeting": "你好", "limit": 2})
        assert good.json()["settings"] == {"greeting": "你好", "limit": 2}
        said = await running.client.post(
            SAY.format(c="home"), json={"text": "hi"}, headers=running.auth("resident")
        )
        assert said.json()["greeting"] == "你好"
        refused = await running.client.post(
            SAY.format(c="home"), json={"text": "hi", "times": 3}, headers=running.auth("resident")
        )
        assert refused.status_code == 422
        assert refused.json()["field"] == "times"


async def test_only_operators_enable_modules(start_platform):
    async with start_platform() as running:
        as_resident = await running.client.put(
            "/v1/communities/home/modules/probe",
            json={"enabled": True},
            headers=running.auth("resident"),
        )
        assert as_resident.status_code == 403
        as_foreign_operator = await running.client.put(
            "/v1/communities/home/modules/probe",
            json={"enabled": True},
            headers=running.auth("stranger"),
        )
        assert as_foreign_operator.status_code == 403
        anonymous = await running.client.put(
            "/v1/communities/home/modules/probe", json={"enabled": True}
        )
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"] == "Bearer"


async def test_operations_check_authentication_tenancy_and_roles(start_platform):
    async with start_platform() as running:
        await enable(running)
        await enable(running, community="other")
        url = SAY.format(c="home")
        cases = {
            None: 401,
            "Bearer not-a-token": 401,
            running.auth("stranger")["Authorization"]: 403,  # a member of another community
            running.auth("newcomer")["Authorization"]: 403,  # not a verified resident
        }
        for header, status in cases.items():
            headers = {"Authorization": header} if header else {}
            response = await running.client.post(url, json={"text": "x"}, headers=headers)
            assert response.status_code == status, header
            assert "text" not in response.json()
        staff = "/v1/communities/home/modules/probe/staff-only"
        assert (
            await running.client.get(staff, headers=running.auth("resident"))
        ).status_code == 403
        assert (
            await running.client.get(staff, headers=running.auth("operator"))
        ).status_code == 200
    assert probe().CALLS == []


async def test_a_query_takes_its_input_from_the_query_string(start_platform):
    async with start_platform() as running:
        await enable(running)
        response = await running.client.get(
            WHOAMI.format(c="home") + "?limit=7", headers=running.auth("leader")
        )
        assert response.status_code == 200
        body = response.json()
        assert body["community"] == "home"
        assert body["limit"] == 7
        assert body["roles"] == ["leader", "member", "resident"]
        bad = await running.client.get(
            WHOAMI.format(c="home") + "?limit=70", headers=running.auth("leader")
        )
        assert bad.status_code == 422
        assert "limit" in bad.json()["detail"]


async def test_input_is_validated_with_a_problem_naming_the_field(start_platform):
    async with start_platform() as running:
        await enable(running)
        response = await running.client.post(
            SAY.format(c="home"), json={"text": ""}, headers=running.auth("resident")
        )
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "text" in response.json()["detail"]
    assert probe().CALLS == []


async def test_the_openapi_document_carries_each_operations_schemas(start_platform):
    async with start_platform() as running:
        spec = (await running.client.get("/docs/api/openapi.json")).json()

    assert spec["openapi"].startswith("3.1")
    say = spec["paths"]["/v1/communities/{community}/modules/probe/say"]["post"]
    assert say["operationId"] == "probe.say"
    body_ref = say["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body_ref.endswith("/Say")
    assert spec["components"]["schemas"]["Say"]["properties"]["text"]["maxLength"] == 50
    ok_ref = say["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ok_ref.endswith("/Said")
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in say["parameters"])
    whoami = spec["paths"]["/v1/communities/{community}/modules/probe/whoami"]["get"]
    assert {p["name"] for p in whoami["parameters"] if p["in"] == "query"} == {"limit", "tag"}


async def test_an_exception_in_a_plugin_is_contained(start_platform):
    async with start_platform() as running:
        await enable(running)
        failed = await running.client.post(
            "/v1/communities/home/modules/probe/boom",
            json={"text": "x"},
            headers=running.auth("resident"),
        )
        assert failed.status_code == 500
        problem = failed.json()
        assert problem["type"] == "urn:linli:problem:module-failed"
        assert "secret internals" not in failed.text
        # the platform and the module keep serving
        assert (await running.client.get("/v1/health")).status_code == 200
        ok = await running.client.post(
            SAY.format(c="home"), json={"text": "still"}, headers=running.auth("resident")
        )
        assert ok.status_code == 200


async def test_a_repeated_idempotency_key_replays_the_first_response(start_platform):
    async with start_platform() as running:
        await enable(running)
        headers = {**running.auth("resident"), "Idempotency-Key": "order-42"}
        first = await running.client.post(
            SAY.format(c="home"), json={"text": "once"}, headers=headers
        )
        again = await running.client.post(
            SAY.format(c="home"), json={"text": "once"}, headers=headers
        )
        assert first.status_code == again.status_code == 200
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        assert probe().CALLS == ["once"]

        other_body = await running.client.post(
            SAY.format(c="home"), json={"text": "twice"}, headers=headers
        )
        assert other_body.status_code == 422
        assert "Idempotency-Key" in other_body.json()["detail"]
        assert probe().CALLS == ["once"]

        # the key is the caller's own: another member may use the same key independently
        leader = {**running.auth("leader"), "Idempotency-Key": "order-42"}
        theirs = await running.client.post(
            SAY.format(c="home"), json={"text": "twice"}, headers=leader
        )
        assert theirs.status_code == 200
        assert probe().CALLS == ["once", "twice"]


async def test_a_failed_command_records_no_key_and_can_be_retried(start_platform):
    async with start_platform() as running:
        await enable(running, settings={"limit": 1})
        headers = {**running.auth("resident"), "Idempotency-Key": "k1"}
        refused = await running.client.post(
            SAY.format(c="home"), json={"text": "a", "times": 2}, headers=headers
        )
        assert refused.status_code == 422
        await enable(running, settings={"limit": 5})
        retried = await running.client.post(
            SAY.format(c="home"), json={"text": "a", "times": 2}, headers=headers
        )
        assert retried.status_code == 200
        assert retried.json()["text"] == "aa"


async def test_errors_are_documented_as_problem_documents_in_openapi(start_platform):
    async with start_platform() as running:
        spec = (await running.client.get("/docs/api/openapi.json")).json()

    say = spec["paths"]["/v1/communities/{community}/modules/probe/say"]["post"]
    for status in ("401", "403", "404", "422", "500"):
        assert "application/problem+json" in say["responses"][status]["content"], status


async def test_a_failing_hook_does_not_undo_the_enablement(start_platform):
    async with start_platform() as running:
        response = await enable(running, settings={"greeting": "explode"})
        assert response.status_code == 200
        said = await running.client.post(
            SAY.format(c="home"), json={"text": "hi"}, headers=running.auth("resident")
        )
        assert said.json()["greeting"] == "explode"


async def test_a_command_without_required_input_needs_no_body(start_platform):
    async with start_platform() as running:
        await enable(running)
        url = "/v1/communities/home/modules/probe/ping"
        bare = await running.client.post(url, headers=running.auth("newcomer"))
        empty = await running.client.post(url, json={}, headers=running.auth("newcomer"))
        extra = await running.client.post(
            url, json={"surprise": 1}, headers=running.auth("newcomer")
        )
    assert bare.status_code == empty.status_code == 200
    assert bare.json()["text"] == "pong"
    assert extra.status_code == 422


def sse_data(text: str) -> list[dict]:
    import json

    return [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:")]


async def test_a_stream_is_served_as_server_sent_events(start_platform):
    async with start_platform() as running:
        await enable(running)
        url = "/v1/communities/home/modules/probe/countdown"
        answer = await running.client.get(url + "?limit=3", headers=running.auth("newcomer"))
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        assert "event: countdown" in answer.text
        assert sse_data(answer.text) == [{"n": 3, "of": 3}, {"n": 2, "of": 3}, {"n": 1, "of": 3}]

        refused = await running.client.get(url + "?tag=refuse", headers=running.auth("newcomer"))
        assert refused.status_code == 422
        assert refused.json()["field"] == "tag"

        crashed = await running.client.get(
            url + "?limit=5&tag=crash", headers=running.auth("newcomer")
        )
        assert sse_data(crashed.text) == [{"n": 5, "of": 5}, {"n": 4, "of": 5}]

        anonymous = await running.client.get(url)
        assert anonymous.status_code == 401
        spec = (await running.client.get("/docs/api/openapi.json")).json()
        assert (
            "text/event-stream"
            in spec["paths"]["/v1/communities/{community}/modules/probe/countdown"]["get"][
                "description"
            ]
        )


async def test_an_unknown_setting_is_refused_not_dropped(start_platform):
    async with start_platform() as running:
        typo = await enable(running, settings={"greting": "hi"})
    assert typo.status_code == 422
    assert typo.json()["errors"] == [{"field": "settings.greting", "message": "no such setting"}]


async def test_the_platform_operators_token_operates_but_is_no_resident(start_platform):
    """The admin token holds operator and auditor, never a member's roles: an operation for
    residents refuses it (403) instead of running without a member (a 500 in modules)."""
    async with start_platform(admin_token="platform-secret") as running:
        assert (await enable(running)).status_code == 200
        admin = {"Authorization": "Bearer platform-secret"}
        said = await running.client.post(
            "/v1/communities/home/modules/probe/say", json={"text": "hi"}, headers=admin
        )
        assert said.status_code == 403, said.text
        assert said.headers["content-type"].startswith("application/problem+json")
        staff = await running.client.get(
            "/v1/communities/home/modules/probe/staff-only", headers=admin
        )
        assert staff.status_code == 200, staff.text
        assert staff.json()["member_id"] is None
        assert sorted(staff.json()["roles"]) == ["auditor", "member", "operator"]
