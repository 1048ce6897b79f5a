"""Server-side console sessions: a random cookie value, stored only as its SHA-256.

The cookie (``linli_console``) is HttpOnly, ``SameSite=Strict`` and ``Secure`` when the public
base URL is https; it names a row holding the account and the session's CSRF token, which
every POST must send back. A session ends when the operator signs out or after `SESSION_TTL`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..identity.auth import hash_token
from .tables import ConsoleSession

__all__ = [
    "COOKIE",
    "SESSION_TTL",
    "Session",
    "close_session",
    "find_session",
    "open_session",
    "purge_sessions",
]

COOKIE = "linli_console"
"""The session cookie's name."""

SESSION_TTL = timedelta(hours=8)
"""How long a console session lasts (one working day)."""


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in browser: whose account it is and the CSRF token its forms carry."""

    account: int
    csrf: str
    expires_at: datetime


async def open_session(account: int) -> tuple[str, Session]:
    """Start a session for ``account``: the cookie value (shown once) and the session."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    session = Session(account, secrets.token_urlsafe(32), now + SESSION_TTL)
    await ConsoleSession.insert(
        ConsoleSession(
            token_hash=hash_token(token),
            account=account,
            csrf=session.csrf,
            created_at=now,
            expires_at=session.expires_at,
        )
    )
    return token, session


async def find_session(token: str | None) -> Session | None:
    """The live session behind a cookie value, or ``None`` (none, unknown or expired)."""
    if not token:
        return None
    row = (
        await ConsoleSession.select(
            ConsoleSession.account, ConsoleSession.csrf, ConsoleSession.expires_at
        )
        .where(
            (ConsoleSession.token_hash == hash_token(token))
            & (ConsoleSession.expires_at > datetime.now(UTC))
        )
        .first()
    )
    return None if row is None else Session(row["account"], row["csrf"], row["expires_at"])


async def close_session(token: str | None) -> None:
    """End the session behind a cookie value (signing out), and every expired one."""
    if token:
        await ConsoleSession.delete().where(ConsoleSession.token_hash == hash_token(token))
    await purge_sessions(datetime.now(UTC))


async def purge_sessions(now: datetime) -> int:
    """Delete every session expired at ``now`` (the worker's purge); how many."""
    gone = (
        await ConsoleSession.delete()
        .where(ConsoleSession.expires_at <= now)
        .returning(ConsoleSession.id)
    )
    return len(gone)
