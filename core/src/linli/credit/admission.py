"""Provider admission (准入): a provider applies with its documents; an operator admits or rejects.

Admission links the applicant to the provider (as ``provider_staff``) and starts probation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from linli_sdk import Community, Conflict, InvalidInput, NotFound, Role

from ..dispatch.ports import record_event
from ..dispatch.store import json_value
from ..identity.auth import forget_callers
from ..settings import Settings
from ..tables import Member, Provider
from . import ledger
from .rules import ProviderStatus
from .tables import ProviderApplication, ProviderStanding

__all__ = ["REQUIRED_DOCUMENTS", "admit_or_reject", "applications", "apply"]


REQUIRED_DOCUMENTS = frozenset({"business_license"})
"""Document kinds every application must carry (others, e.g. ``health_certificate``, may)."""


async def apply(
    community: Community,
    applicant_id: int,
    provider_name: str,
    documents: Sequence[dict[str, str]],
    note: str = "",
) -> dict[str, Any]:
    """File a provider's application to serve the community, with its documents."""
    missing = REQUIRED_DOCUMENTS - {d["kind"] for d in documents}
    if missing:
        raise InvalidInput(
            f"the application lacks the documents: {', '.join(sorted(missing))}",
            field="documents",
        )
    now = datetime.now(UTC)
    (row,) = await ProviderApplication.insert(
        ProviderApplication(
            community=community.id,
            applicant=applicant_id,
            provider_name=provider_name,
            documents=list(documents),
            note=note,
            status="submitted",
            submitted_at=now,
        )
    ).returning(ProviderApplication.id)
    await ledger.audit(
        community, f"member:{applicant_id}", "application_filed", f"application:{row['id']}"
    )
    return await _application(community, int(row["id"]))


async def applications(community: Community) -> list[dict[str, Any]]:
    """Every application filed in ``community`` with its review, newest first."""
    rows: list[dict[str, Any]] = (
        await ProviderApplication.select()
        .output(load_json=True)
        .where(ProviderApplication.community == community.id)
        .order_by(ProviderApplication.id, ascending=False)
    )
    return rows


async def _application(community: Community, application_id: int) -> dict[str, Any]:
    row = (
        await ProviderApplication.select()
        .output(load_json=True)
        .where(
            (ProviderApplication.id == application_id)
            & (ProviderApplication.community == community.id)
        )
        .first()
        .run()
    )
    if row is None:
        raise NotFound(f"there is no application {application_id} in {community.slug}")
    return row


async def admit_or_reject(
    settings: Settings,
    community: Community,
    application_id: int,
    *,
    admit: bool,
    reason: str,
    actor: str,
) -> dict[str, Any]:
    """An operator's review: admit (on probation) or reject a submitted application."""
    row = await _application(community, application_id)
    if row["status"] != "submitted":
        raise Conflict(f"application {application_id} was already {row['status']}")
    now = datetime.now(UTC)
    provider_id: int | None = None
    if admit:
        (made,) = await Provider.insert(
            Provider(name=row["provider_name"], created_at=now)
        ).returning(Provider.id)
        provider_id = int(made["id"])
        until = now + timedelta(days=settings.credit_provider_probation_days)
        await ProviderStanding.insert(
            ProviderStanding(
                community=community.id,
                provider=provider_id,
                scope_key=f"{community.id}:{provider_id}",
                status=ProviderStatus.PROBATION.value,
                reason=f"admitted: {reason}",
                probation_until=until,
                changed_at=now,
            )
        ).run()
        await _make_staff(community, row["applicant"], provider_id)
    status = "admitted" if admit else "rejected"
    await (
        ProviderApplication.update(
            {
                ProviderApplication.status: status,
                ProviderApplication.provider: provider_id,
                ProviderApplication.decision_reason: reason,
                ProviderApplication.decided_by: _member(actor),
                ProviderApplication.decided_at: now,
            }
        )
        .where(
            (ProviderApplication.id == application_id)
            & (ProviderApplication.community == community.id)
        )
        .run()
    )
    subject = f"application:{application_id}"
    await ledger.audit(community, actor, f"application_{status}", subject, reason=reason)
    if provider_id is not None:
        payload = {"provider": provider_id, "application": application_id}
        await record_event(community, None, "credit.provider_admitted", payload)
    return await _application(community, application_id)


async def _make_staff(community: Community, member_id: int, provider_id: int) -> None:
    row = await Member.select(Member.roles).where(Member.id == member_id).first().run()
    roles = json_value(row["roles"]) if row else []
    await (
        Member.update(
            {Member.provider: provider_id, Member.roles: sorted({*roles, Role.PROVIDER_STAFF})}
        )
        .where((Member.id == member_id) & (Member.community == community.id))
        .run()
    )
    forget_callers()  # the member's roles changed


def _member(actor: str) -> int | None:
    return int(actor.removeprefix("member:")) if actor.startswith("member:") else None
