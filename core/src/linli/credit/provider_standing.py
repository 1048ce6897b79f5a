"""A provider's standing in a community: admitted, on probation or suspended, and why.

Dispatch reads :func:`suspended_providers`; the provider reads :func:`provider_view`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from linli_sdk import Community, Forbidden, NotFound

from ..tables import Member
from . import rules
from .ledger import CreditBook, Subject
from .rules import ProviderStatus
from .tables import ProviderAppeal, ProviderStanding

__all__ = [
    "provider_of",
    "provider_view",
    "require_staff",
    "set_status",
    "standing_row",
    "suspended_providers",
]


async def suspended_providers(community_id: int) -> frozenset[int]:
    """The providers suspended in the community: dispatch offers their workers nothing."""
    rows = await ProviderStanding.select(ProviderStanding.provider).where(
        (ProviderStanding.community == community_id)
        & (ProviderStanding.status == ProviderStatus.SUSPENDED.value)
    )
    return frozenset(int(row["provider"]) for row in rows)


async def provider_of(community: Community, member_id: int | None) -> int | None:
    """The provider the member works for in this community, if any."""
    if member_id is None:
        return None
    row = (
        await Member.select(Member.provider)
        .where((Member.id == member_id) & (Member.community == community.id))
        .first()
        .run()
    )
    return None if row is None or row["provider"] is None else int(row["provider"])


async def require_staff(community: Community, member_id: int | None) -> int:
    """The provider the calling member works for; :class:`Forbidden` if none."""
    provider_id = await provider_of(community, member_id)
    if provider_id is None:
        raise Forbidden("the caller works for no provider admitted in this community")
    return provider_id


async def standing_row(community: Community, provider_id: int) -> dict[str, Any]:
    """The provider's standing row in the community; :class:`NotFound` if it was not admitted."""
    row = (
        await ProviderStanding.select()
        .where(
            (ProviderStanding.community == community.id)
            & (ProviderStanding.provider == provider_id)
        )
        .first()
        .run()
    )
    if row is None:
        raise NotFound(f"provider {provider_id} is not admitted in {community.slug}")
    return row


async def set_status(
    community: Community,
    provider_id: int,
    status: ProviderStatus,
    reason: str,
    probation_until: datetime | None = None,
) -> None:
    """Change the provider's status and the reason it reads (now)."""
    await (
        ProviderStanding.update(
            {
                ProviderStanding.status: status.value,
                ProviderStanding.reason: reason,
                ProviderStanding.probation_until: probation_until,
                ProviderStanding.changed_at: datetime.now(UTC),
            }
        )
        .where(
            (ProviderStanding.community == community.id)
            & (ProviderStanding.provider == provider_id)
        )
        .run()
    )


async def provider_view(book: CreditBook, community: Community, provider_id: int) -> dict[str, Any]:
    """A provider's standing: status now, the reason it reads, score, threshold, appeals."""
    row = await standing_row(community, provider_id)
    now = datetime.now(UTC)
    status = rules.current_status(row["status"], row["probation_until"], now)
    appeals = (
        await ProviderAppeal.select()
        .where(
            (ProviderAppeal.community == community.id) & (ProviderAppeal.provider == provider_id)
        )
        .order_by(ProviderAppeal.id)
    )
    threshold = rules.suspend_threshold(status, book.thresholds)
    return {
        "provider": provider_id,
        "status": status.value,
        "reason": row["reason"],
        "probation_until": row["probation_until"],
        "score": await book.score(community, Subject("provider", provider_id)),
        "threshold": threshold,
        "appeals": appeals,
    }
