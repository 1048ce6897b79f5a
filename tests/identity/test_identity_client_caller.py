"""A provider back end's calls name its OAuth client, so a module knows which back end calls."""

from __future__ import annotations

from identity_helpers import provider_token
from linli.identity.auth import authenticate
from linli.identity.tables import OAuthClient


async def test_a_back_end_caller_carries_its_client_id_and_a_member_none(start_platform):
    async with start_platform() as running:
        token = await provider_token(running, "read write")
        _, caller = await authenticate(f"Bearer {token}", "home", None)
        (client,) = await OAuthClient.select(OAuthClient.client_id).where(
            OAuthClient.community == running.home.id
        )
        assert caller.member_id is None and caller.client_id == client["client_id"]
        _, member = await authenticate(running.auth("resident")["Authorization"], "home", None)
        assert member.client_id is None and member.member_id == running.people["resident"].id
