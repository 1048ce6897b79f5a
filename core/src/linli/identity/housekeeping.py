"""Dropping what has expired: sign-in codes, authorization codes, refresh tokens, revocations.

Nothing here is needed for correctness (every read checks expiry); it keeps the tables small.
Run it from a scheduler (``linli identity purge``), e.g. hourly.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .tables import AuthorizationCode, OneTimeCode, RefreshToken, RevokedToken

__all__ = ["purge_expired"]


async def purge_expired(now: datetime | None = None) -> dict[str, int]:
    """Delete every expired row; how many of each kind."""
    now = now or datetime.now(UTC)
    purged = {
        "sign_in_codes": await OneTimeCode.delete()
        .where((OneTimeCode.expires_at < now) | (OneTimeCode.used == True))  # noqa: E712
        .returning(OneTimeCode.id),
        "authorization_codes": await AuthorizationCode.delete()
        .where(AuthorizationCode.expires_at < now)
        .returning(AuthorizationCode.id),
        "refresh_tokens": await RefreshToken.delete()
        .where(RefreshToken.expires_at < now)
        .returning(RefreshToken.id),
        "revoked_access_tokens": await RevokedToken.delete()
        .where(RevokedToken.expires_at < now)
        .returning(RevokedToken.id),
    }
    return {kind: len(rows) for kind, rows in purged.items()}
