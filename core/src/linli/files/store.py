"""The host's ``files`` port: uploads of one module in one community, in the database.

Files live in a table, so a platform on several machines shares them and a backup of the
database holds them. An upload's id is a digest of its bytes: sending the same photo again (a
retried request with the same ``Idempotency-Key``) yields the same reference.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from linli_sdk import Community, InvalidInput, NotFound, Upload

from .tables import StoredFile

__all__ = ["CoreFiles", "purge_uploads", "upload_id"]


def upload_id(content: bytes) -> str:
    """The id of an upload: ``up_`` and the first 32 hex digits of its SHA-256."""
    return "up_" + hashlib.sha256(content).hexdigest()[:32]


class CoreFiles:
    """Files uploaded to one module in one community (the SDK's ``Files`` port)."""

    def __init__(self, community: Community, module: str) -> None:
        self._community, self._module = community, module

    def _scope(self, upload: str) -> str:
        return f"{self._community.id}:{self._module}:{upload}"

    async def save(self, *, filename: str, media_type: str, content: bytes) -> Upload:
        """Keep ``content`` (once per distinct bytes) and return its reference."""
        if not filename or len(filename) > 200 or "/" in filename or "\\" in filename:
            raise InvalidInput(f"invalid file name {filename[:200]!r}", field="filename")
        upload = Upload(
            id=upload_id(content), filename=filename, media_type=media_type, size=len(content)
        )
        await StoredFile.insert(
            StoredFile(
                community=self._community.id,
                module=self._module,
                upload_id=upload.id,
                scope_key=self._scope(upload.id),
                filename=filename,
                media_type=media_type,
                size=upload.size,
                content=content,
                created_at=datetime.now(UTC),
            )
        ).on_conflict(target=StoredFile.scope_key, action="DO NOTHING")
        return upload

    async def read(self, upload_id: str) -> bytes:
        """The bytes of an upload of this module in this community."""
        row = await (
            StoredFile.select(StoredFile.content)
            .where(
                (StoredFile.community == self._community.id)
                & (StoredFile.scope_key == self._scope(upload_id))
            )
            .first()
        )
        if row is None:
            raise NotFound(f"there is no upload {upload_id} here")
        return bytes(row["content"])


async def purge_uploads(community_id: int, before: datetime) -> int:
    """Delete a community's uploads stored before ``before`` (past their retention); how many."""
    gone = await (
        StoredFile.delete()
        .where((StoredFile.community == community_id) & (StoredFile.created_at < before))
        .returning(StoredFile.id)
    )
    return len(gone)
