"""Authorization on every path: the matrix generated from the application's route list."""

from __future__ import annotations

import json

import pytest
from identity_matrix import PROBLEM_KEYS, route_cases
from linli.http.access import Access
from linli.http.app import create_app
from litestar import Litestar, get
from litestar.openapi import OpenAPIConfig
from litestar.params import FromPath

pytestmark = pytest.mark.usefixtures("fixture_plugins")

ADMIN = "admin-secret-for-the-matrix"

# Routes that validate their body before authenticating, so a refused caller may get a 422
# (still a problem document, still no data). Each should authenticate in a guard
# (linli.identity.auth.access_guard)
# and leave this list; an entry whose route is gone fails the test.


async def _enable_everything(running) -> None:
    for name in running.platform.registry.modules:
        response = await running.client.put(
            f"/v1/communities/home/modules/{name}",
            json={"enabled": True},
            headers={"Authorization": f"Bearer {ADMIN}"},
        )
        assert response.status_code == 200, response.text


async def _callers(running) -> dict[str, dict[str, str]]:
    callers = {"anonymous": {}}
    callers.update({who: running.auth(who) for who in running.people})
    from identity_helpers import provider_token

    callers["provider_out_of_scope"] = {
        "Authorization": f"Bearer {await provider_token(running, scopes='profile')}"
    }
    return callers


async def test_every_route_refuses_every_caller_it_should(start_platform):
    async with start_platform(admin_token=ADMIN) as running:
        await _enable_everything(running)
        app = create_app(platform=running.platform)
        cases, unplaced = route_cases(app, "home")
        callers = await _callers(running)
        failures = []
        probed = 0
        for case in cases:
            for probe in case.probes:
                response = await running.client.request(
                    case.method,
                    case.path,
                    params=case.query,
                    content=None if case.body is None else json.dumps(case.body),
                    headers={
                        **case.headers,
                        **callers[probe.who],
                        "Content-Type": "application/json",
                    },
                )
                probed += 1
                statuses = set(probe.statuses)
                leaked = (
                    not response.headers.get("content-type", "").startswith(
                        "application/problem+json"
                    )
                    or not set(response.json()) <= PROBLEM_KEYS
                )
                if response.status_code not in statuses or leaked:
                    failures.append(
                        f"{case.id} as {probe.who}: {response.status_code} {response.text[:200]}"
                    )

    assert unplaced == []
    assert failures == [], "\n".join(failures)
    assert len(cases) >= 10 and probed >= 40  # the matrix really covers the app


def test_a_route_without_an_entry_fails_the_matrix():
    @get("/v1/communities/{community:str}/secret")
    async def secret(community: FromPath[str]) -> dict[str, str]:
        return {"secret": community}

    @get("/v1/communities/{community:str}/open", opt=Access.public().opt)
    async def open_(community: FromPath[str]) -> dict[str, str]:
        return {"open": community}

    docs = OpenAPIConfig(title="t", version="1", path="/docs/api")
    cases, unplaced = route_cases(Litestar([secret, open_], openapi_config=docs), "home")

    assert cases == []
    assert unplaced == [
        "GET /v1/communities/{community:str}/secret: no typed access declared: None",
        "GET /v1/communities/{community:str}/open: public route inside a community",
    ]
