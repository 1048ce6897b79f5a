"""Resident profiles: consent, tags derived from the resident's own facts, corrections, erasure.

No tag is computed or kept without the resident's consent to personalisation in force (PIPL
art. 24: a separate consent; refusing it changes no price and closes no service). A tag comes
only from the resident's *own* purchases — never a housemate's, who did not consent — and
carries its explanation. Withdrawing consent deletes every tag; deleting one tag deletes the
purchase facts it was derived from, so it does not come back unless new purchases form a new
cycle.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from linli_sdk import Community, Conflict, NotFound, PurchaseFact

from linli.tables import Member

from . import rules, store
from .reminders import ReminderChannel, send_due_reminders

__all__ = ["CONSENT_WORDING", "Profiles"]

CONSENT_WORDING = (
    "I agree that Linli derives repurchase cycles from my own orders and bookings in this "
    "community (e.g. 'buys baby formula every ~18 days'), shows me each one with its reasons, "
    "and reminds me before a cycle runs out. I can correct or delete any of them, withdraw "
    "this consent at any time (which deletes them all), and refusing changes no price and "
    "no service I can use."
)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def tag_view(row: dict[str, Any]) -> dict[str, Any]:
    """A stored tag as the resident sees it: the cycle in force and where it came from."""
    refs = json.loads(row["refs"]) if isinstance(row["refs"], str) else list(row["refs"])
    corrected = row["corrected_cycle_days"]
    return {
        "item": row["item"],
        "item_name": row["item_name"],
        "cycle_days": corrected if corrected is not None else row["cycle_days"],
        "estimated_cycle_days": row["cycle_days"],
        "corrected": corrected is not None,
        "not_for_me": bool(row["not_for_me"]),
        "confidence": float(row["confidence"]),
        "purchases": row["purchases"],
        "last_purchase": _day(row["last_purchase"]),
        "orders": refs,
        "explanation": row["explanation"],
    }


@dataclass(slots=True)
class Profiles:
    """The profiles service (``platform.profiles``): consent, tags and their lifecycle.

    Args:
        lead_days: How many days before a cycle's estimated end its reminder is due.
        channel: Where reminders go (the notifications service); none sends none.
    """

    lead_days: int = rules.LEAD_DAYS
    channel: ReminderChannel | None = None

    async def remind(self, communities: Sequence[Community], now: datetime) -> int:
        """Send the reminders due at ``now`` in ``communities``; how many were sent."""
        if self.channel is None:
            return 0
        sent = 0
        for community in communities:
            sent += await send_due_reminders(community, now, self.channel, lead_days=self.lead_days)
        return sent

    async def consent(self, community: Community, member_id: int) -> dict[str, Any]:
        """Whether the member's consent is in force, the wording and every record of it."""
        current = await store.consent_of(community.id, member_id)
        return {
            "given": current is not None,
            "wording": CONSENT_WORDING,
            "history": await store.consents_of(community.id, member_id),
        }

    async def give_consent(self, community: Community, member_id: int) -> dict[str, Any]:
        """Record consent (once while in force) and derive the member's tags from their facts."""
        if await store.consent_of(community.id, member_id) is None:
            await store.add_consent(community.id, member_id, CONSENT_WORDING, datetime.now(UTC))
        await self.refresh(community, member_id)
        return await self.consent(community, member_id)

    async def withdraw_consent(self, community: Community, member_id: int) -> dict[str, Any]:
        """Withdraw consent; every tag and reminder record of the member is deleted with it."""
        if not await store.withdraw_consent(community.id, member_id, datetime.now(UTC)):
            raise NotFound("there is no consent to personalisation to withdraw")
        await store.delete_tags(community.id, member_id)
        return await self.consent(community, member_id)

    async def refresh(self, community: Community, member_id: int, item: str | None = None) -> None:
        """Derive the member's tags (one item's if given) from their own facts, with consent.

        Without consent in force nothing is computed or written.
        """
        if not await store.has_consent(community.id, member_id):
            return
        by_item: dict[str, list[PurchaseFact]] = defaultdict(list)
        for fact in await store.facts_of(community.id, member_id, item):
            by_item[fact.item].append(fact)
        for key, facts in by_item.items():
            cycle = rules.estimate_cycle([f.day for f in facts])
            if cycle is None:
                continue
            refs = [f.ref for f in facts]
            name = facts[-1].item_name
            await store.save_tag(
                community.id,
                member_id,
                key,
                {
                    "item_name": name,
                    "cycle_days": cycle.days,
                    "confidence": cycle.confidence,
                    "purchases": len(refs),
                    "last_purchase": cycle.last,
                    "refs": json.dumps(refs),
                    "explanation": rules.explain(name, cycle, refs),
                    "updated_at": datetime.now(UTC),
                },
            )

    async def fact_recorded(self, community: Community, fact: PurchaseFact) -> None:
        """A module recorded ``fact``: refresh that item's tag (if the member consented)."""
        await self.refresh(community, fact.member_id, fact.item)

    async def tags(self, community: Community, member_id: int) -> list[dict[str, Any]]:
        """The member's tags with their explanations."""
        return [tag_view(row) for row in await store.tags_of(community.id, member_id)]

    async def correct(
        self,
        community: Community,
        member_id: int,
        item: str,
        *,
        cycle_days: int | None = None,
        not_for_me: bool | None = None,
    ) -> dict[str, Any]:
        """Correct a tag: set its cycle, or mark it "not for me" (no reminders), or undo that."""
        if await store.consent_of(community.id, member_id) is None:
            raise Conflict("give your consent to personalisation before correcting tags")
        values: dict[str, Any] = {}
        if cycle_days is not None:
            values["corrected_cycle_days"] = cycle_days
        if not_for_me is not None:
            values["not_for_me"] = not_for_me
        if values and not await store.correct_tag(community.id, member_id, item, values):
            raise NotFound(f"you have no tag for {item!r}")
        row = await store.tag_of(community.id, member_id, item)
        if row is None:
            raise NotFound(f"you have no tag for {item!r}")
        return tag_view(row)

    async def delete_tag(self, community: Community, member_id: int, item: str) -> int:
        """Delete one tag and the member's facts of that item; how many facts went with it."""
        if not await store.delete_tags(community.id, member_id, item):
            raise NotFound(f"you have no tag for {item!r}")
        return await store.erase_facts(community.id, member_id, item)

    async def erase(self, community_id: int, member_id: int) -> dict[str, int]:
        """Erase everything profiles keep of the member: facts, tags, reminders, consents."""
        tags = await store.delete_tags(community_id, member_id)
        facts = await store.erase_facts(community_id, member_id)
        await store.erase_consents(community_id, member_id)
        return {"tags": tags, "facts": facts}

    async def export(self, community_id: int, member_id: int) -> dict[str, Any]:
        """The member's consent records, tags (with explanations) and purchase facts."""
        facts = await store.facts_of(community_id, member_id)
        return {
            "consents": await store.consents_of(community_id, member_id),
            "tags": [tag_view(r) for r in await store.tags_of(community_id, member_id)],
            "purchases": [f.model_dump(mode="json") for f in facts],
        }

    # --- personal data of a person (identity's export and erasure) ---------------------------

    name = "profiles"

    async def export_members(self, member_ids: Sequence[int]) -> list[dict[str, Any]]:
        """Each member's profile data, with the community it is kept in."""
        return [
            {"community": community, "member": member, **await self.export(community, member)}
            for member, community in await _communities(member_ids)
        ]

    async def erase_members(self, member_ids: Sequence[int]) -> None:
        """Erase each member's profile data."""
        for member, community in await _communities(member_ids):
            await self.erase(community, member)


async def _communities(member_ids: Sequence[int]) -> list[tuple[int, int]]:
    """``(member, community)`` for each member id that exists."""
    if not member_ids:
        return []
    rows = await Member.select(Member.id, Member.community).where(Member.id.is_in(list(member_ids)))
    return sorted((r["id"], r["community"]) for r in rows)
