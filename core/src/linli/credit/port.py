"""The host's ``credit`` port for one module in one community.

``emit`` checks the event against what the module's manifest declares (read from the running
platform's registry) and refuses anything outside the bounds, naming the bound; ``standing``
answers the member's score and the gates it opens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linli_sdk import Community, CreditStanding, InvalidInput, NotFound

from ..tables import Member
from . import governance, ledger, rules
from .ledger import CreditBook, Subject

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["HostCredit", "member_standing"]


async def _member_exists(community: Community, member_id: int) -> bool:
    return bool(
        await Member.exists().where((Member.id == member_id) & (Member.community == community.id))
    )


async def member_standing(book: CreditBook, community: Community, member_id: int) -> CreditStanding:
    """A member's score and gates; suspended when the provider they work for is."""
    if not await _member_exists(community, member_id):
        raise NotFound(f"there is no member {member_id} in {community.slug}")
    score = await book.score(community, Subject("member", member_id))
    provider = await governance.provider_of(community, member_id)
    suspended = provider is not None and provider in await governance.suspended_providers(
        community.id
    )
    return rules.standing(score, book.thresholds, suspended=suspended)


class HostCredit:
    """Community credit as one module sees it: emit declared events, read standings."""

    def __init__(self, platform: Platform, community: Community, module: str) -> None:
        self._book = platform.credit
        loaded = platform.registry.get(module)
        self._manifest = loaded.manifest if loaded is not None else None
        self._community, self._module = community, module

    async def emit(self, *, member_id: int, event: str, weight: int, event_id: str) -> None:
        """Record a declared credit event inside its bounds; the same ``event_id`` once."""
        spec = self._manifest.credit_event(event) if self._manifest is not None else None
        problem = rules.out_of_bounds(self._module, spec, event, weight)
        if problem:
            raise InvalidInput(problem, field="weight" if spec else "event", module=self._module)
        if not await _member_exists(self._community, member_id):
            raise NotFound(f"there is no member {member_id} in {self._community.slug}")
        await ledger.record(
            self._community,
            Subject("member", member_id),
            module=self._module,
            event=event,
            weight=weight,
            event_id=event_id,
        )

    async def standing(self, member_id: int) -> CreditStanding:
        """The member's score, tier and gates in this community."""
        return await member_standing(self._book, self._community, member_id)
