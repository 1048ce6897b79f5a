"""Errors a plugin raises (or the SDK raises for it) that the core serves as problem documents.

Every error here carries what an RFC 9457 problem document needs: an HTTP ``status``, a short
``title`` that is the same for every occurrence, a ``detail`` that explains this occurrence, and
optional extension members. A plugin raises them from an operation; the core answers with
``application/problem+json``. Any other exception a plugin raises is contained and served as a
500 problem without its message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = [
    "CapabilityUnavailable",
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "LinliError",
    "NotFound",
]


class LinliError(Exception):
    """Base of every error the SDK defines.

    Args:
        detail: A human-readable explanation of this occurrence.
        **extensions: Extra JSON-serialisable members added to the problem document.

    """

    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"
    slug: ClassVar[str] = "bad-request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class InvalidInput(LinliError):
    """The request is well-formed but breaks a rule (HTTP 422)."""

    status = 422
    title = "Invalid input"
    slug = "invalid-input"

    @classmethod
    def from_validation(cls, exc: ValidationError, what: str, prefix: str = "") -> InvalidInput:
        """The 422 for a pydantic error, naming every bad field as the platform answers it.

        ``detail`` reads ``invalid <what>: <field>: <message>; ...`` and the ``errors``
        member lists ``{"field": ..., "message": ...}``, each field a dotted path (after
        ``prefix``, e.g. ``settings``).
        """
        errors = [
            {
                "field": ".".join([*([prefix] if prefix else []), *map(str, e["loc"])]),
                "message": e["msg"],
            }
            for e in exc.errors(include_url=False)
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return cls(f"invalid {what}: {detail}", errors=errors)


class NotFound(LinliError):
    """The thing asked for does not exist for this caller (HTTP 404)."""

    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(LinliError):
    """The request conflicts with the current state, e.g. a sold-out item (HTTP 409)."""

    status = 409
    title = "Conflict"
    slug = "conflict"


class Forbidden(LinliError):
    """The caller is known but may not do this (HTTP 403)."""

    status = 403
    title = "Forbidden"
    slug = "forbidden"


class CapabilityUnavailable(LinliError):
    """The host cannot provide a capability on this platform yet (HTTP 501)."""

    status = 501
    title = "Capability unavailable"
    slug = "capability-unavailable"
