"""The profiles' store: purchase facts, consents to personalisation, tags and reminders (SQL).

Every query carries the community id. A fact's household is the member's unit as identity
knows it when the fact is recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from linli_sdk import Community, Money, NotFound, PurchaseFact

from linli.db.raw import fetch

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
    "has_consent",
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


_INSERT_FACT = (
    "INSERT INTO linli_profiles_fact (community, member, unit, module, order_ref, item, "
    "item_name, category, quantity, amount, currency, pickup_point, day, recorded_at, scope_key) "
    "SELECT m.community, m.id, (SELECT s.unit FROM linli_identity_membership s "
    "WHERE s.member = m.id), {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {} "
    "FROM linli_member m WHERE m.id = {} AND m.community = {} "
    "ON CONFLICT (scope_key) DO NOTHING RETURNING id, EXISTS (SELECT 1 FROM "
    "linli_profiles_consent c WHERE c.community = {} AND c.member = {} "
    "AND c.withdrawn_at IS NULL) AS consented"
)
"""One statement: the fact with the member's household, only if the member is here; and
whether the member's consent to personalisation is in force."""


async def record_fact(community: Community, fact: PurchaseFact) -> tuple[PurchaseFact, bool]:
    """Store ``fact`` in the current transaction; the first fact for its ref and item wins.

    One raw statement on the hot path (a flash-sale buy records one): it checks that the
    member belongs to the community, reads their household and inserts, or does nothing for
    a ref and item already recorded. Returns the fact kept and whether it is new *and* its
    member consented to personalisation (so their tag for the item needs refreshing).

    Raises:
        NotFound: No such member in this community.

    """
    key = _scope_key(community.id, fact)
    inserted = await fetch(
        PurchaseFactRow._meta.db,
        _INSERT_FACT,
        fact.module,
        fact.ref,
        fact.item,
        fact.item_name,
        fact.category,
        fact.quantity,
        fact.amount.amount,
        fact.amount.currency,
        fact.pickup_point_id,
        fact.day,
        fact.recorded_at,
        key,
        fact.member_id,
        community.id,
        community.id,
        fact.member_id,
    )
    if inserted:
        return fact, bool(inserted[0]["consented"])
    row = await PurchaseFactRow.select().where(PurchaseFactRow.scope_key == key).first()
    if row is None:
        raise NotFound(f"there is no member {fact.member_id} in {community.slug}")
    return row_to_fact(row), False


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


async def has_consent(community_id: int, member_id: int) -> bool:
    """Whether the member's consent to personalisation is in force (one raw statement)."""
    return bool(
        await fetch(
            PersonalisationConsent._meta.db,
            "SELECT 1 FROM linli_profiles_consent WHERE community = {} AND member = {} "
            "AND withdrawn_at IS NULL LIMIT 1",
            community_id,
            member_id,
        )
    )


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
