"""Uploads: operations whose input carries files, served as ``multipart/form-data``.

An operation's input field typed :class:`~linli_sdk.Upload` is a file part of that name. The
core checks each file (size, declared media type, and that the bytes look like it), keeps it
in the file store of the module and community, and validates the input with the file's
reference in its place. Other fields are ordinary form fields. An upload can never be named in
a JSON body, so a caller refers only to files it sent itself.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any, Union, get_args, get_origin

from linli_sdk import InvalidInput, Upload
from litestar.datastructures import UploadFile
from pydantic import BaseModel

from ..files.store import CoreFiles
from ..settings import Settings

__all__ = ["form_input", "upload_fields"]

_SIGNATURES: dict[str, tuple[tuple[int, bytes], ...]] = {
    "image/jpeg": ((0, b"\xff\xd8\xff"),),
    "image/png": ((0, b"\x89PNG\r\n\x1a\n"),),
    "image/webp": ((0, b"RIFF"), (8, b"WEBP")),
    "image/heic": ((4, b"ftyp"),),
    "application/pdf": ((0, b"%PDF-"),),
}
"""Leading bytes each known media type must have (a declared type is not trusted alone)."""


def _is_upload(annotation: Any) -> bool:
    if annotation is Upload:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return Upload in get_args(annotation)
    return False


def upload_fields(model: type[BaseModel]) -> frozenset[str]:
    """The names of ``model``'s fields that are uploads (``Upload`` or ``Upload | None``)."""
    return frozenset(
        name for name, info in model.model_fields.items() if _is_upload(info.annotation)
    )


def _looks_like(media_type: str, content: bytes) -> bool:
    signatures = _SIGNATURES.get(media_type, ())
    return all(content[at : at + len(magic)] == magic for at, magic in signatures)


async def _keep(settings: Settings, files: CoreFiles, name: str, part: UploadFile) -> Upload:
    media_type = (part.content_type or "").split(";")[0].strip().lower()
    if media_type not in settings.upload_media_types:
        allowed = ", ".join(settings.upload_media_types)
        raise InvalidInput(f"{name}: {media_type or 'no media type'} is not one of {allowed}")
    content = await part.read(settings.upload_max_bytes + 1)
    if len(content) > settings.upload_max_bytes:
        raise InvalidInput(f"{name}: the file is larger than {settings.upload_max_bytes} bytes")
    if not _looks_like(media_type, content):
        raise InvalidInput(f"{name}: the file's content is not {media_type}")
    return await files.save(filename=part.filename or name, media_type=media_type, content=content)


async def form_input(
    settings: Settings, files: CoreFiles, model: type[BaseModel], form: Mapping[str, Any]
) -> dict[str, Any]:
    """The operation's input from a parsed form: each file kept and replaced by its reference.

    Raises:
        InvalidInput: A file field sent as text, a text field sent as a file, or a file that is
            too large, of a media type not allowed, or whose bytes are not of its type.

    """
    uploads = upload_fields(model)
    fields: dict[str, Any] = {}
    for name, value in form.items():
        if name in uploads:
            if not isinstance(value, UploadFile):
                raise InvalidInput(f"{name}: send the file as a part of multipart/form-data")
            fields[name] = await _keep(settings, files, name, value)
        elif isinstance(value, UploadFile):
            raise InvalidInput(f"{name}: a file was sent where a value is expected")
        else:
            fields[name] = value
    return fields
