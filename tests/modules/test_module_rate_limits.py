"""Rate limits over HTTP: each provider back end has its own bucket, keyed by its client id."""

from __future__ import annotations

from typing import Any

from linli.identity.clients import register_client
from linli.modules.ratelimit import caller_key
from linli_sdk import Caller, Role

RING = "/v1/communities/home/modules/notes/ring"


async def back_end(running: Any, name: str) -> dict[str, str]:
    """A provider's back end in ``home`` with client credentials: its bearer header."""
    client = await register_client(name, community=running.home, scopes="read write")
    token = await running.client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "read write"},
        auth=(client.client_id, client.client_secret),
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def test_two_back_ends_do_not_starve_each_other_and_each_is_limited(
    start_platform, notes_plugin
):
    async with start_platform() as running:
        await running.enable("notes")
        courier, biller = await back_end(running, "Courier"), await back_end(running, "Biller")

        async def ring(who: dict[str, str]) -> int:
            return (await running.client.post(RING, headers=who)).status_code

        assert [await ring(courier) for _ in range(3)] == [200, 200, 429]
        assert [await ring(biller) for _ in range(3)] == [200, 200, 429]  # a bucket of its own
        refused = await running.client.post(RING, headers=courier)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_members_and_back_ends_are_keyed_apart() -> None:
    staff = frozenset({Role.PROVIDER_STAFF})
    one, two = (Caller(member_id=None, roles=staff, client_id=c) for c in ("cl_1", "cl_2"))
    assert caller_key(7, one) != caller_key(7, two)
    assert caller_key(7, one) == caller_key(
        7, Caller(member_id=None, roles=staff, client_id="cl_1")
    )
    assert caller_key(7, Caller(member_id=3)) == caller_key(7, Caller(member_id=3, roles=staff))
    assert caller_key(7, Caller(member_id=3)) != caller_key(8, Caller(member_id=3))
