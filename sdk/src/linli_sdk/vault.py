"""Sealing sensitive personal information (敏感个人信息) a module must keep, as the platform does.

PIPL art. 28-29: information whose leak could harm a person (health, disability, living alone
in old age) needs a specific purpose, a separate consent and strict protection. A module that
must keep such a fact asks ``host.vault`` to seal it: the platform encrypts it with its own data
keys (AES-GCM, the keys that seal phone and ID numbers), bound to the module, the community and
a purpose, and hands back an opaque token to store. Only the same module in the same community
can open it, for the same purpose; a database dump shows only tokens.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["Vault"]


class Vault(Protocol):
    """``host.vault``: seal and open sensitive values; the module stores only the tokens."""

    async def seal(self, value: str, purpose: str) -> str:
        """Encrypt ``value`` for ``purpose`` (e.g. ``"vulnerability"``); return the token.

        Sealing the same value twice gives different tokens (a fresh nonce each time), so equal
        values cannot be told apart in the database.
        """
        ...

    async def open(self, token: str, purpose: str) -> str:
        """Decrypt a token this module sealed in this community for ``purpose``.

        Raises:
            InvalidInput: The token was sealed for another purpose, module or community, or
                was altered.

        """
        ...
