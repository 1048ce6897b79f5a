"""The identity service's keys: the token signing key and the personal-data keys.

Keys come from the settings (``LINLI_IDENTITY_SIGNING_KEY``, ``LINLI_IDENTITY_DATA_KEYS``,
``LINLI_IDENTITY_INDEX_KEY``). When a setting is empty — a demo, a test — a key is generated
once and kept in the database beside the data it protects, with a warning: fine for trying
Linli, not for production. Every signing key's public half is published in
``linli_identity_key``, where token verification and the JWKS document find it by ``kid``.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc.jwk import ECKey

from ..settings import Settings
from .personal_data import DataKeys
from .tables import IdentityKey
from .tokens import ALGORITHM, SigningKey, key_dict

__all__ = ["IdentityKeys", "load_keys", "published_key", "published_keys"]

log = logging.getLogger(__name__)

_PUBLISHED: dict[str, tuple[float, dict[str, Any]]] = {}  # kid -> (when read, row)
PUBLISHED_TTL = 300.0
"""Seconds a process trusts a published key without reading it again (a deleted row, i.e. a
retired key, stops verifying within this time)."""


@dataclass(frozen=True, slots=True)
class IdentityKeys:
    """The keys one platform signs and seals with."""

    signing: SigningKey
    data: DataKeys


async def _stored(purpose: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await IdentityKey.select()
        .where((IdentityKey.purpose == purpose) & IdentityKey.private.is_not_null())
        .order_by(IdentityKey.id)
        .first()
        .run()
    )
    return row


async def _generated(purpose: str, issuer: str, make: Any) -> dict[str, Any]:
    row = await _stored(purpose)
    if row is None:
        log.warning(
            "identity: no %s key in the settings; generated one and stored it in the database "
            "(development only: configure LINLI_IDENTITY_* keys for production)",
            purpose,
        )
        kid, algorithm, public, private = make()
        await IdentityKey.insert(
            IdentityKey(
                kid=kid,
                purpose=purpose,
                algorithm=algorithm,
                issuer=issuer,
                public_jwk=public,
                private=private,
                created_at=datetime.now(UTC),
            )
        )
        row = await _stored(purpose)
    assert row is not None
    return row


async def _signing_key(settings: Settings) -> SigningKey:
    issuer = settings.issuer
    if settings.identity_signing_key:
        signing = SigningKey.from_pem(settings.identity_signing_key, issuer)
    else:

        def make() -> tuple[str, str, str, str]:
            fresh = SigningKey.generate(issuer)
            private = json.dumps(key_dict(fresh.key, private=True))
            return fresh.kid, ALGORITHM, json.dumps(fresh.public_jwk()), private

        row = await _generated("signing", issuer, make)
        key = ECKey.import_key(json.loads(row["private"]))
        signing = SigningKey(key, row["kid"], issuer)
    await _publish(signing)
    return signing


async def _publish(signing: SigningKey) -> None:
    """Publish the signing key for its issuer (the public address may have changed since)."""
    if await IdentityKey.exists().where(IdentityKey.kid == signing.kid):
        await IdentityKey.update({IdentityKey.issuer: signing.issuer}).where(
            IdentityKey.kid == signing.kid
        )
        _PUBLISHED.pop(signing.kid, None)
        return
    await IdentityKey.insert(
        IdentityKey(
            kid=signing.kid,
            purpose="signing",
            algorithm=ALGORITHM,
            issuer=signing.issuer,
            public_jwk=json.dumps(signing.public_jwk()),
            private=None,
            created_at=datetime.now(UTC),
        )
    )


def _random_key(purpose: str) -> Any:
    def make() -> tuple[str, str, str, str]:
        secret = base64.b64encode(os.urandom(32)).decode()
        return f"{purpose}-{os.urandom(4).hex()}", "AES-256-GCM", "", secret

    return make


async def _data_keys(settings: Settings) -> DataKeys:
    data, index = settings.identity_data_keys, settings.identity_index_key
    if not data:
        row = await _generated("data", settings.issuer, _random_key("data"))
        data = f"{row['kid']}:{row['private']}"
    if not index:
        row = await _generated("index", settings.issuer, _random_key("index"))
        index = row["private"]
    return DataKeys.parse(data, index)


async def load_keys(settings: Settings) -> IdentityKeys:
    """The platform's keys, from the settings or (development) the database."""
    return IdentityKeys(await _signing_key(settings), await _data_keys(settings))


async def published_key(kid: str) -> dict[str, Any] | None:
    """The published signing key with this ``kid`` (cached for :data:`PUBLISHED_TTL`)."""
    cached = _PUBLISHED.get(kid)
    if cached is None or time.monotonic() - cached[0] > PUBLISHED_TTL:
        row = (
            await IdentityKey.select(
                IdentityKey.kid, IdentityKey.algorithm, IdentityKey.issuer, IdentityKey.public_jwk
            )
            .where((IdentityKey.kid == kid) & (IdentityKey.purpose == "signing"))
            .first()
            .run()
        )
        if row is None:
            _PUBLISHED.pop(kid, None)
            return None
        cached = (time.monotonic(), {**row, "public_jwk": json.loads(row["public_jwk"])})
        _PUBLISHED[kid] = cached
    return cached[1]


async def published_keys() -> list[dict[str, Any]]:
    """Every published signing key's public JWK (the JWKS document's ``keys``)."""
    rows = await IdentityKey.select(IdentityKey.public_jwk).where(IdentityKey.purpose == "signing")
    return [json.loads(row["public_jwk"]) for row in rows]
