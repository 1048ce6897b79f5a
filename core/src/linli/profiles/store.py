"""The profiles' store: purchase facts, consents to personalisation, tags and reminders (SQL).

Every query carries the community id. A fact's household is the member's unit as identity
knows it when the fact is recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from linli_sdk import Community, Money, NotFound, PurchaseFact

from linli.identity.tables import Membership
from linli.tables import Member

from .tables import PersonalisationConsent, PurchaseFactRow, Reminder, Tag

__all__ = [
    "add_consent",
    "consent_of",
    "consents_of",
    "correct_tag",
    "delete_tags",
    "erase_consents",
    "erase_facts",
    "facts_of",
    "record_fact",
    "record_reminder",
    "reminder_candidates",
    "row_to_fact",
    "save_tag",
    "sent_cycles",
    "tag_of",
    "tags_of",
    "withdraw_consent",
]


def _scope_key(community_id: int, fact: PurchaseFact) -> str:
    return f"{community_id}:{fact.module}:{fact.ref}:{fact.item}"


def row_to_fact(row: dict[str, Any]) -> PurchaseFact:
    """A stored row as the SDK's :class:`~linli_sdk.PurchaseFact`."""
    return PurchaseFact(
        module=row["module"],
        ref=row["order_ref"],
        member_id=row["member"],
        item=row["item"],
        item_name=row["item_name"],
        category=row["category"],
        quantity=row["quantity"],
        amount=Money(amount=row["amount"], currency=row["currency"]),
        pickup_point_id=row["pickup_point"],
        day=_day(row["day"]),
        recorded_at=row["recorded_at"],
    )


async def _household(community: Community, member_id: int) -> int | None:
    if not await Member.exists().where(
        (Member.id == member_id) & (Member.community == community.id)
    ):
        raise NotFound(f"there is no member {member_id} in {community.slug}")
    link = await Membership.select(Membership.unit).where(Membership.member == member_id).first()
    return None if link is None else link["unit"]


async def record_fact(community: Community, fact: PurchaseFact) -> PurchaseFact:
    """Store ``fact`` in the current transaction; the first fact for its ref and item wins."""
    unit = await _household(community, fact.member_id)
    key = _scope_key(community.id, fact)
    await PurchaseFactRow.insert(
        PurchaseFactRow(
            community=community.id,
            member=fact.member_id,
            unit=unit,
            module=fact.module,
            order_ref=fact.ref,
            item=fact.item,
            item_name=fact.item_name,
            category=fact.category,
            quantity=fact.quantity,
            amount=fact.amount.amount,
            currency=fact.amount.currency,
            pickup_point=fact.pickup_point_id,
            day=fact.day,
            recorded_at=fact.recorded_at,
            scope_key=key,
        )
    ).on_conflict(target=PurchaseFactRow.scope_key, action="DO NOTHING")
    row = await PurchaseFactRow.select().where(PurchaseFactRow.scope_key == key).first()
    assert row is not None
    return row_to_fact(row)


async def facts_of(
    community_id: int, member_id: int, item: str | None = None
) -> list[PurchaseFact]:
    """A member's facts in a community (of one item if given), oldest first."""
    where = (PurchaseFactRow.community == community_id) & (PurchaseFactRow.member == member_id)
    if item is not None:
        where &= PurchaseFactRow.item == item
    rows = await PurchaseFactRow.select().where(where).order_by(PurchaseFactRow.day)
    return [row_to_fact(r) for r in rows]


async def erase_facts(community_id: int, member_id: int, item: str | None = None) -> int:
    """Delete a member's facts (of one item if given); how many were deleted."""
    where = (PurchaseFactRow.community == community_id) & (PurchaseFactRow.member == member_id)
    if item is not None:
        where &= PurchaseFactRow.item == item
    deleted = await PurchaseFactRow.delete().where(where).returning(PurchaseFactRow.id)
    return len(deleted)


# --- consent -----------------------------------------------------------------------------------


async def consent_of(community_id: int, member_id: int) -> dict[str, Any] | None:
    """The member's consent to personalisation in force, if any."""
    row: dict[str, Any] | None = (
        await PersonalisationConsent.select()
        .where(
            (PersonalisationConsent.community == community_id)
            & (PersonalisationConsent.member == member_id)
            & PersonalisationConsent.withdrawn_at.is_null()
        )
        .first()
    )
    return row


async def add_consent(community_id: int, member_id: int, wording: str, at: datetime) -> None:
    """Record consent given at ``at`` with the wording the member agreed to."""
    await PersonalisationConsent.insert(
        PersonalisationConsent(
            community=community_id, member=member_id, wording=wording, given_at=at
        )
    )


async def withdraw_consent(community_id: int, member_id: int, at: datetime) -> bool:
    """Mark the consent in force withdrawn at ``at``; ``False`` if there was none."""
    withdrawn = (
        await PersonalisationConsent.update({PersonalisationConsent.withdrawn_at: at})
        .where(
            (PersonalisationConsent.community == community_id)
            & (PersonalisationConsent.member == member_id)
            & PersonalisationConsent.withdrawn_at.is_null()
        )
        .returning(PersonalisationConsent.id)
    )
    return bool(withdrawn)


async def consents_of(community_id: int, member_id: int) -> list[dict[str, Any]]:
    """Every consent the member gave here (withdrawn ones too), oldest first."""
    rows: list[dict[str, Any]] = (
        await PersonalisationConsent.select(
            PersonalisationConsent.wording,
            PersonalisationConsent.given_at,
            PersonalisationConsent.withdrawn_at,
        )
        .where(
            (PersonalisationConsent.community == community_id)
            & (PersonalisationConsent.member == member_id)
        )
        .order_by(PersonalisationConsent.id)
    )
    return rows


# --- tags and reminders ------------------------------------------------------------------------


def _tag_key(community_id: int, member_id: int, item: str) -> str:
    return f"{community_id}:{member_id}:{item}"


async def tag_of(community_id: int, member_id: int, item: str) -> dict[str, Any] | None:
    """The member's tag for ``item``, if any."""
    row: dict[str, Any] | None = (
        await Tag.select().where(Tag.scope_key == _tag_key(community_id, member_id, item)).first()
    )
    return row


async def tags_of(community_id: int, member_id: int) -> list[dict[str, Any]]:
    """The member's tags, by item."""
    rows: list[dict[str, Any]] = (
        await Tag.select()
        .where((Tag.community == community_id) & (Tag.member == member_id))
        .order_by(Tag.item)
    )
    return rows


async def save_tag(community_id: int, member_id: int, item: str, values: dict[str, Any]) -> None:
    """Write the tag's derived values; a resident's corrections on it stay."""
    key = _tag_key(community_id, member_id, item)
    columns = {getattr(Tag, name): value for name, value in values.items()}
    updated = await Tag.update(columns).where(Tag.scope_key == key).returning(Tag.id)
    if not updated:
        await Tag.insert(
            Tag(community=community_id, member=member_id, item=item, scope_key=key, **values)
        )


async def correct_tag(community_id: int, member_id: int, item: str, values: dict[str, Any]) -> bool:
    """Apply a resident's correction; ``False`` if there is no such tag."""
    columns = {getattr(Tag, name): value for name, value in values.items()}
    key = _tag_key(community_id, member_id, item)
    return bool(await Tag.update(columns).where(Tag.scope_key == key).returning(Tag.id))


async def delete_tags(community_id: int, member_id: int, item: str | None = None) -> int:
    """Delete the member's tags (one item's if given) and their reminders; how many tags."""
    where = (Tag.community == community_id) & (Tag.member == member_id)
    sent = (Reminder.community == community_id) & (Reminder.member == member_id)
    if item is not None:
        where &= Tag.item == item
        sent &= Reminder.item == item
    await Reminder.delete().where(sent)
    return len(await Tag.delete().where(where).returning(Tag.id))


async def erase_consents(community_id: int, member_id: int) -> None:
    """Delete every consent record of the member here (erasure)."""
    await PersonalisationConsent.delete().where(
        (PersonalisationConsent.community == community_id)
        & (PersonalisationConsent.member == member_id)
    )


async def reminder_candidates(community_id: int) -> list[dict[str, Any]]:
    """Tags of consenting members with a cycle and no "not for me", for the reminder sweep."""
    consenting = PersonalisationConsent.select(PersonalisationConsent.member).where(
        (PersonalisationConsent.community == community_id)
        & PersonalisationConsent.withdrawn_at.is_null()
    )
    rows: list[dict[str, Any]] = await Tag.select().where(
        (Tag.community == community_id)
        & (Tag.not_for_me == False)  # noqa: E712
        & Tag.member.is_in(consenting)
    )
    return rows


async def sent_cycles(community_id: int, member_id: int, item: str) -> set[date]:
    """The cycles (by start day) of ``item`` that already had their reminder."""
    rows = await Reminder.select(Reminder.cycle_start).where(
        (Reminder.community == community_id)
        & (Reminder.member == member_id)
        & (Reminder.item == item)
    )
    return {_day(r["cycle_start"]) for r in rows}


async def record_reminder(
    community_id: int, member_id: int, item: str, cycle_start: date, at: datetime
) -> bool:
    """Record the cycle's reminder as sent; ``False`` if it already was (one per cycle)."""
    key = f"{community_id}:{member_id}:{item}:{cycle_start.isoformat()}"
    inserted = (
        await Reminder.insert(
            Reminder(
                community=community_id,
                member=member_id,
                item=item,
                cycle_start=cycle_start,
                due_at=at,
                sent_at=at,
                scope_key=key,
            )
        )
        .on_conflict(target=Reminder.scope_key, action="DO NOTHING")
        .returning(Reminder.id)
    )
    return bool(inserted)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
