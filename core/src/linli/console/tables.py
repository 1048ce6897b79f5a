"""The console's one table: its server-side sessions (a person's account, never a second user)."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.table import Table

from ..identity.tables import Account

__all__ = ["ConsoleSession"]


class ConsoleSession(Table, tablename="linli_console_session"):
    """One signed-in browser: the cookie's SHA-256, the account, the CSRF token, the expiry."""

    id = Serial(primary_key=True)

    token_hash = Varchar(length=64, unique=True, index=True)
    account = ForeignKey(references=Account, index=True)
    csrf = Varchar(length=64)
    created_at = Timestamptz()
    expires_at = Timestamptz()
