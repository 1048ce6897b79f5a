"""The SDK's ``host.vault`` port: a module's sensitive values sealed with the platform's data keys.

The same AES-GCM keys that seal phone and ID numbers (:class:`~.personal_data.DataKeys`), with
the module, the community and the purpose bound in as associated data: a token opens only for
the module and community that sealed it, for the same purpose. Values never reach a log line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from linli_sdk import Community, InvalidInput

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["HostVault"]


class HostVault:
    """``host.vault`` for one module in one community."""

    def __init__(self, platform: Platform, community: Community, module: str) -> None:
        self._platform = platform
        self._binding = f"module:{module}:{community.id}"

    def _purpose(self, purpose: str) -> str:
        return f"{self._binding}:{purpose}"

    async def seal(self, value: str, purpose: str) -> str:
        """Encrypt ``value`` for this module, community and ``purpose``."""
        keys = (await self._platform.identity.keys()).data
        return keys.seal(value, self._purpose(purpose))

    async def open(self, token: str, purpose: str) -> str:
        """Decrypt a token sealed here for ``purpose``; :class:`InvalidInput` otherwise."""
        keys = (await self._platform.identity.keys()).data
        try:
            return keys.open(token, self._purpose(purpose))
        except (InvalidTag, KeyError, ValueError) as exc:
            raise InvalidInput("this value was not sealed here for this purpose") from exc
