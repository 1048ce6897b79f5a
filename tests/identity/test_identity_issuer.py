"""The OAuth issuer and absolute links follow the platform's public address, not a fixed port."""

from __future__ import annotations

import base64
import json

import pytest
from identity_helpers import provider_token
from linli.identity.keys import load_keys, published_key
from linli.settings import Settings

pytestmark = pytest.mark.usefixtures("fixture_plugins")


def claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def test_the_issuer_defaults_to_the_bound_address_and_follows_the_public_url() -> None:
    assert Settings(port=8110).issuer == "http://127.0.0.1:8110"
    assert Settings(host="0.0.0.0", port=9000).base_url == "http://0.0.0.0:9000"
    public = Settings(port=8110, public_url="https://linli.example.org/")
    assert public.base_url == public.issuer == "https://linli.example.org"
    assert Settings(
        public_url="https://a.example", identity_issuer="https://id.example"
    ).issuer == ("https://id.example")


async def check_issuer_follows_the_port(start_platform, database_url: str) -> None:
    async with start_platform(database_url=database_url, port=8110) as running:
        meta = (await running.client.get("/.well-known/oauth-authorization-server")).json()
        assert meta["issuer"] == "http://127.0.0.1:8110"
        assert meta["token_endpoint"] == "http://127.0.0.1:8110/oauth/token"
        token = await provider_token(running)
        assert claims(token)["iss"] == "http://127.0.0.1:8110"
        me = await running.client.get(
            "/v1/communities/home/modules", headers={"Authorization": f"Bearer {token}"}
        )
        assert me.status_code == 200, me.text

        # The same database served at a new public address: the key now signs for it.
        moved = Settings(database_url=database_url, public_url="https://linli.example.org")
        keys = await load_keys(moved)
        assert keys.signing.issuer == "https://linli.example.org"
        published = await published_key(keys.signing.kid)
        assert published is not None and published["issuer"] == "https://linli.example.org"


async def test_the_issuer_follows_the_port_on_sqlite(start_platform, tmp_path) -> None:
    await check_issuer_follows_the_port(start_platform, f"sqlite:///{tmp_path / 'issuer.db'}")


@pytest.mark.postgres
async def test_the_issuer_follows_the_port_on_postgresql(start_platform, postgres_url) -> None:
    await check_issuer_follows_the_port(start_platform, postgres_url)
