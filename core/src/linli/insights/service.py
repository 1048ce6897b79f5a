"""The insights service: k-anonymous aggregates for suppliers, remarks from residents.

Answers read complete days only (the window ends yesterday, in the community's time zone), so
a community's answer is the same all day: it is computed once a day per community and ``k``
(in a thread, off the event loop: 400 cells of twelve weeks take about a second) and kept in
this process (`InsightsService.forget` drops it, e.g. after an erasure).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from linli_sdk import Community, InvalidInput, NotFound

from . import aggregates, store
from .anonymity import MAX_K, MIN_K
from .remarks import clean
from .schemas import (
    DemandForecast,
    FeedbackSummary,
    InsightSettings,
    MyFeedback,
    RepurchaseRates,
)

__all__ = ["InsightsService"]


class InsightsService:
    """Supplier insights of every community (``platform.insights``).

    It also holds residents' remarks, which a person's export lists (under ``insights``) and
    their erasure deletes (identity calls `export_members` and `erase_members`).

    Args:
        clock: The current time (UTC); tests pass their own.
    """

    name = "insights"
    """The key of the remarks in a person's export."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._clock = clock
        self._answers: dict[tuple[str, int, date, int], Any] = {}

    def today(self, where: Community) -> date:
        """The community's local date now."""
        return where.local(self._clock()).date()

    def forget(self) -> None:
        """Drop every answer kept for today (the facts behind them changed)."""
        self._answers.clear()

    async def _kept(self, kind: str, where: Community, compute: Any) -> Any:
        today, k = self.today(where), await store.k_of(where.id)
        key = (kind, where.id, today, k)
        if key not in self._answers:
            for old in [old for old in self._answers if old[2] != today]:
                del self._answers[old]  # yesterday's answers are never asked again
            self._answers[key] = await compute(today, k)
        return self._answers[key]

    async def demand(self, where: Community) -> DemandForecast:
        """Tomorrow's demand per item and pickup point, over cells of at least k residents."""

        async def compute(today: date, k: int) -> DemandForecast:
            first, last = aggregates.window(today)
            facts = await store.facts_between(where.id, first, last)
            points = await store.pickup_points(where.id)
            # seconds of arithmetic for a large community: off the event loop
            return await asyncio.to_thread(aggregates.demand, where.slug, facts, today, k, points)

        answer: DemandForecast = await self._kept("demand", where, compute)
        return answer

    async def repurchase(self, where: Community) -> RepurchaseRates:
        """Per item, the share of its buyers (at least k) who bought it again."""

        async def compute(today: date, k: int) -> RepurchaseRates:
            first, last = aggregates.window(today)
            facts = await store.facts_between(where.id, first, last)
            return await asyncio.to_thread(aggregates.repurchase, where.slug, facts, today, k)

        answer: RepurchaseRates = await self._kept("repurchase", where, compute)
        return answer

    async def feedback(self, where: Community) -> FeedbackSummary:
        """Residents' remarks per item remarked on by at least k residents, without authors."""
        k = await store.k_of(where.id)
        remarks = await store.remarks(where.id)
        names = await store.item_names(where.id, sorted({r.item for r in remarks}))
        return aggregates.feedback(where.slug, remarks, k, names)

    async def settings(self, where: Community) -> InsightSettings:
        """The community's insight settings."""
        return InsightSettings(k=await store.k_of(where.id))

    async def set_k(self, where: Community, k: int) -> InsightSettings:
        """Set the smallest crowd an aggregate is answered over in the community."""
        if not MIN_K <= k <= MAX_K:
            raise InvalidInput(f"k must be from {MIN_K} to {MAX_K}", field="k")
        await store.set_k(where.id, k)
        return InsightSettings(k=k)

    async def remark(self, where: Community, member_id: int, item: str, text: str) -> MyFeedback:
        """Keep a resident's remark on an item sold in the community (cleaned; one per item).

        Raises:
            NotFound: No such item was ever sold in the community.
            InvalidInput: Nothing is left of the text once cleaned.
        """
        if not await store.item_names(where.id, [item]):
            raise NotFound(f"no item {item!r} was sold in {where.slug}")
        cleaned = clean(text)
        if not cleaned:
            raise InvalidInput("the remark is empty", field="text")
        await store.save_remark(where.id, member_id, item, cleaned)
        return MyFeedback(item=item, text=cleaned)

    async def my_remarks(self, where: Community, member_id: int) -> list[MyFeedback]:
        """A resident's own remarks in the community."""
        rows = await store.remarks_of(where.id, member_id)
        return [MyFeedback(item=r["item"], text=r["text"]) for r in rows]

    async def withdraw_remark(self, where: Community, member_id: int, item: str) -> None:
        """Delete a resident's remark on an item.

        Raises:
            NotFound: They left none on it.
        """
        if not await store.delete_remark(where.id, member_id, item):
            raise NotFound(f"you left no remark on {item!r}")

    async def my_items(self, where: Community, member_id: int) -> dict[str, str]:
        """The items a resident bought in the community (to remark on), with their names."""
        return await store.items_bought_by(where.id, member_id)

    async def export_members(self, member_ids: Sequence[int]) -> list[dict[str, Any]]:
        """The remarks these members (one person's memberships) left, for their export."""
        return await store.remarks_of_members(member_ids)

    async def erase_members(self, member_ids: Sequence[int]) -> None:
        """Erase what the insights keep of these members (their remarks) and today's answers."""
        await store.erase_remarks(member_ids)
        self.forget()
