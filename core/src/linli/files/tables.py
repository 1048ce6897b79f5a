"""The file store's table: each upload's bytes, per community and module, content-addressed."""

from __future__ import annotations

from piccolo.columns import Bytea, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from ..tables import Community

__all__ = ["StoredFile"]


class StoredFile(Table, tablename="linli_files_upload"):
    """One upload: the same bytes sent to the same module in the same community are kept once."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    module = Varchar(length=40)
    upload_id = Varchar(length=40)
    scope_key = Varchar(length=200, unique=True)  # "<community id>:<module>:<upload id>"
    filename = Varchar(length=200)
    media_type = Varchar(length=100)
    size = Integer()
    content = Bytea()
    created_at = Timestamptz()
