"""Provider appeals: a suspended provider appeals; an operator grants or refuses the appeal.

Granting reinstates the provider on probation, annulling the events found unfair, if any.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from linli_sdk import Community, Conflict, InvalidInput, NotFound

from ..dispatch.ports import record_event
from ..settings import Settings
from . import ledger
from .provider_standing import set_status, standing_row
from .rules import ProviderStatus
from .tables import ProviderAppeal

__all__ = ["decide_appeal", "file_appeal"]


async def file_appeal(
    community: Community, provider_id: int, statement: str, filed_by: int | None
) -> dict[str, Any]:
    """A suspended provider appeals (one pending appeal at a time)."""
    row = await standing_row(community, provider_id)
    if row["status"] != ProviderStatus.SUSPENDED.value:
        raise Conflict("only a suspended provider can appeal")
    if await ProviderAppeal.exists().where(
        (ProviderAppeal.community == community.id)
        & (ProviderAppeal.provider == provider_id)
        & (ProviderAppeal.status == "pending")
    ):
        raise Conflict("an appeal is already pending")
    (made,) = await ProviderAppeal.insert(
        ProviderAppeal(
            community=community.id,
            provider=provider_id,
            filed_by=filed_by,
            statement=statement,
            status="pending",
            filed_at=datetime.now(UTC),
        )
    ).returning(ProviderAppeal.id)
    actor = f"member:{filed_by}" if filed_by else "platform"
    await ledger.audit(community, actor, "appeal_filed", f"provider:{provider_id}")
    return await _appeal(community, int(made["id"]))


async def _appeal(community: Community, appeal_id: int) -> dict[str, Any]:
    row = (
        await ProviderAppeal.select()
        .where((ProviderAppeal.id == appeal_id) & (ProviderAppeal.community == community.id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound(f"there is no appeal {appeal_id} in {community.slug}")
    return row


async def decide_appeal(
    settings: Settings,
    community: Community,
    appeal_id: int,
    *,
    grant: bool,
    reason: str,
    annul_events: Sequence[int],
    actor: str,
) -> dict[str, Any]:
    """Grant (reinstate on probation, annulling ``annul_events``) or refuse a pending appeal."""
    row = await _appeal(community, appeal_id)
    if row["status"] != "pending":
        raise Conflict(f"appeal {appeal_id} was already {row['status']}")
    provider_id = int(row["provider"])
    for event_ref in annul_events:
        annulled = await ledger.annul(community, event_ref, f"appeal {appeal_id}: {reason}", actor)
        if annulled["subject_kind"] != "provider" or annulled["subject_id"] != provider_id:
            raise InvalidInput(f"event {event_ref} is not about provider {provider_id}")
    now = datetime.now(UTC)
    status = "granted" if grant else "refused"
    await (
        ProviderAppeal.update(
            {
                ProviderAppeal.status: status,
                ProviderAppeal.decision_reason: reason,
                ProviderAppeal.decided_at: now,
            }
        )
        .where((ProviderAppeal.id == appeal_id) & (ProviderAppeal.community == community.id))
        .run()
    )
    subject = f"provider:{provider_id}"
    await ledger.audit(community, actor, f"appeal_{status}", subject, reason=reason)
    if grant:
        until = now + timedelta(days=settings.credit_provider_probation_days)
        why = f"reinstated on appeal: {reason}"
        await set_status(community, provider_id, ProviderStatus.PROBATION, why, until)
        payload = {"provider": provider_id, "appeal": appeal_id, "reason": reason}
        await record_event(community, None, "credit.provider_reinstated", payload)
    return await _appeal(community, appeal_id)
