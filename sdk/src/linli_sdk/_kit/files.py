"""The kit's files port: uploads kept in memory by content hash."""

from __future__ import annotations

import hashlib

from ..errors import NotFound
from ..host import Upload


class KitFiles:
    """The files port: uploads by id, with their bytes."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[Upload, bytes]] = {}

    async def save(self, *, filename: str, media_type: str, content: bytes) -> Upload:
        upload = Upload(
            id="up_" + hashlib.sha256(content).hexdigest()[:32],
            filename=filename,
            media_type=media_type,
            size=len(content),
        )
        self.files.setdefault(upload.id, (upload, content))
        return upload

    async def read(self, upload_id: str) -> bytes:
        if upload_id not in self.files:
            raise NotFound(f"no upload {upload_id}")
        return self.files[upload_id][1]
