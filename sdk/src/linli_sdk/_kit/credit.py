"""The kit's credit port: standings the test sets, credit events checked against the manifest."""

from __future__ import annotations

from ..errors import InvalidInput
from ..host import CreditStanding
from ..manifest import Manifest

BASE_STANDING = CreditStanding(
    score=600, tier="standard", pay_after_service=False, deposits_waived=False, suspended=False
)
"""The standing of a member the test gave none: the platform's default base score and gates."""


class KitCredit:
    """The credit port: standings the test set, and the credit events emitted by id."""

    def __init__(self, manifest: Manifest) -> None:
        self._manifest = manifest
        self.events: dict[str, tuple[int, str, int]] = {}
        self.standings: dict[int, CreditStanding] = {}

    async def standing(self, member_id: int) -> CreditStanding:
        return self.standings.get(member_id, BASE_STANDING)

    async def emit(self, *, member_id: int, event: str, weight: int, event_id: str) -> None:
        spec = self._manifest.credit_event(event)
        if spec is None:
            raise InvalidInput(f"module {self._manifest.name} did not declare credit event {event}")
        if not spec.min_weight <= weight <= spec.max_weight:
            raise InvalidInput(
                f"{event}: weight {weight} is outside the declared "
                f"{spec.min_weight}..{spec.max_weight}"
            )
        self.events.setdefault(event_id, (member_id, event, weight))
