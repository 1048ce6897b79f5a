"""JWT attacks on ``authenticate``: each forged or stale token is a 401, and reveals nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt
from joserfc.jwk import ECKey
from linli.identity.tokens import SigningKey, issue_access_token

ISSUER = "https://linli.example"


def _pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


PEM = _pem()
SIGNING = SigningKey.from_pem(PEM, ISSUER)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(member_id: int, **changes: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": ISSUER,
        "aud": "linli",
        "sub": f"member:{member_id}",
        "community": "home",
        "scope": "read write profile",
        "client_id": "cl_test",
        "jti": "j" + str(now),
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _unsigned(header: dict[str, object], claims: dict[str, object], signature: bytes = b"") -> str:
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(claims).encode())
    return f"{head}.{body}.{_b64(signature)}"


def _attacks(member_id: int) -> dict[str, str]:
    attacker = ECKey.generate_key("P-256")
    public_pem = SIGNING.key.as_pem(private=False)
    hs_head = {"alg": "HS256", "kid": SIGNING.kid}
    hs_signing_input = _unsigned(hs_head, _claims(member_id)).rsplit(".", 1)[0]
    hs_sig = hmac.new(public_pem, hs_signing_input.encode(), hashlib.sha256).digest()
    real = {"alg": "ES256", "kid": SIGNING.kid}

    def signed(claims: dict[str, object], header: dict[str, object] | None = None) -> str:
        return jwt.encode(header or real, claims, SIGNING.key)

    return {
        "alg none": _unsigned({"alg": "none", "kid": SIGNING.kid}, _claims(member_id)),
        "HS256 with the public key": f"{hs_signing_input}.{_b64(hs_sig)}",
        "embedded jwk": jwt.encode(
            {"alg": "ES256", "kid": SIGNING.kid, "jwk": attacker.as_dict(private=False)},
            _claims(member_id),
            attacker,
        ),
        "jku header": jwt.encode(
            {"alg": "ES256", "kid": SIGNING.kid, "jku": "http://127.0.0.1:9/keys"},
            _claims(member_id),
            attacker,
        ),
        "attacker key, real kid": jwt.encode(real, _claims(member_id), attacker),
        "unknown kid": jwt.encode({"alg": "ES256", "kid": "nope"}, _claims(member_id), attacker),
        "no kid": jwt.encode({"alg": "ES256"}, _claims(member_id), SIGNING.key),
        "expired": signed(_claims(member_id, exp=int(time.time()) - 3600)),
        "not yet valid": signed(_claims(member_id, nbf=int(time.time()) + 3600)),
        "wrong issuer": signed(_claims(member_id, iss="https://evil.example")),
        "wrong audience": signed(_claims(member_id, aud="someone-else")),
        "no expiry": signed(_claims(member_id, exp=None)),
        "tampered claims": (
            signed(_claims(member_id)).split(".")[0]
            + "."
            + _b64(json.dumps(_claims(member_id, scope="admin")).encode())
            + "."
            + signed(_claims(member_id)).split(".")[2]
        ),
        "garbage": "a.b.c",
    }


async def test_forged_and_stale_tokens_are_refused(start_platform):
    async with start_platform(identity_signing_key=PEM, identity_issuer=ISSUER) as running:
        member_id = running.people["resident"].id
        await running.client.get("/.well-known/jwks.json")  # publishes the configured key
        genuine = issue_access_token(
            SIGNING,
            subject=f"member:{member_id}",
            community="home",
            scopes=frozenset({"read", "profile"}),
            client_id="cl_test",
            ttl=600,
        )
        ok = await running.client.get(
            "/v1/communities/home/modules", headers={"Authorization": f"Bearer {genuine}"}
        )
        assert ok.status_code == 200, ok.text

        answers = {}
        for name, token in _attacks(member_id).items():
            response = await running.client.get(
                "/v1/communities/home/modules", headers={"Authorization": f"Bearer {token}"}
            )
            answers[name] = response.status_code
            assert response.headers["content-type"].startswith("application/problem+json")
            assert "modules" not in response.json()

    assert answers == {name: 401 for name in answers}


@pytest.mark.parametrize("scope", ["read", "profile read"])
async def test_a_token_for_another_community_is_forbidden(start_platform, scope):
    async with start_platform(identity_signing_key=PEM, identity_issuer=ISSUER) as running:
        await running.client.get("/.well-known/jwks.json")
        token = issue_access_token(
            SIGNING,
            subject=f"member:{running.people['resident'].id}",
            community="home",
            scopes=frozenset(scope.split()),
            client_id="cl_test",
            ttl=600,
        )
        response = await running.client.get(
            "/v1/communities/other/modules", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 403


async def test_a_retired_signing_key_stops_verifying(start_platform, monkeypatch):
    from linli.identity import keys
    from linli.identity.tables import IdentityKey

    async with start_platform(identity_signing_key=PEM, identity_issuer=ISSUER) as running:
        await running.client.get("/.well-known/jwks.json")
        token = issue_access_token(
            SIGNING,
            subject=f"member:{running.people['resident'].id}",
            community="home",
            scopes=frozenset({"read"}),
            client_id="cl_test",
            ttl=600,
        )
        bearer = {"Authorization": f"Bearer {token}"}
        assert (await running.client.get("/v1/communities/home/modules", headers=bearer)).is_success
        await IdentityKey.delete().where(IdentityKey.kid == SIGNING.kid)
        monkeypatch.setattr(keys, "PUBLISHED_TTL", 0.0)
        refused = await running.client.get("/v1/communities/home/modules", headers=bearer)
        assert refused.status_code == 401
