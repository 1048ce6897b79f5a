"""What the credit service's routes share: prefix, access, the book, the caller, explanations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from linli_sdk import Caller, Community, NotFound, Role
from litestar import Request

from ..http.access import Access
from ..platform import Platform
from ..tables import Member
from . import rules
from .ledger import CreditBook, Subject
from .schemas import (
    Contribution,
    Explained,
)

__all__ = [
    "OPERATOR",
    "READERS",
    "STAFF",
    "actor",
    "book_of",
    "descriptions",
    "explained",
    "member_in",
]

READERS = Access.of(Role.OPERATOR, Role.AUDITOR).opt
OPERATOR = Access.of(Role.OPERATOR).opt
STAFF = Access.of(Role.PROVIDER_STAFF).opt


def book_of(request: Request[Any, Any, Any]) -> CreditBook:
    """The platform's credit book."""
    platform: Platform = request.app.state.platform
    return platform.credit


def actor(caller: Caller) -> str:
    """How the audit log names the caller."""
    return f"member:{caller.member_id}" if caller.member_id else "platform"


def descriptions(request: Request[Any, Any, Any]) -> dict[tuple[str, str], str]:
    """What each credit event (core and every loaded module's) means, by module and name."""
    platform: Platform = request.app.state.platform
    found = {(rules.CORE, spec.name): spec.description for spec in rules.CORE_EVENTS}
    for loaded in platform.registry.modules.values():
        for spec in loaded.manifest.credit_events:
            found[(loaded.name, spec.name)] = spec.description
    return found


async def explained(
    request: Request[Any, Any, Any], where: Community, subject: Subject
) -> Explained:
    """The subject's score now with every counting event's part in it."""
    explanation = await book_of(request).explain(where, subject)
    described = descriptions(request)
    return Explained(
        subject=str(subject),
        score=explanation.score,
        base=explanation.base,
        at=explanation.at,
        contributions=[
            Contribution(
                event_ref=line.event.ref or None,
                module=line.event.module,
                event=line.event.name,
                description=described.get((line.event.module, line.event.name), ""),
                weight=line.event.weight,
                occurred=datetime.fromtimestamp(line.event.occurred_ms / 1000, UTC),
                cap_factor=line.cap_factor,
                decay=line.decay,
                points=line.points,
            )
            for line in explanation.lines
        ],
    )


async def member_in(where: Community, member_id: int) -> None:
    """Refuse a member id that is not a member of the community (404)."""
    if not await Member.exists().where((Member.id == member_id) & (Member.community == where.id)):
        raise NotFound(f"there is no member {member_id} in {where.slug}")
