"""Emergency supply (应急保供): ration packs per household during an emergency.

While an emergency is in force in a community (``host.emergency``), its operator adds ration
packs to the emergency's catalogue, each with a quota per household; residents register their
household and order within the quota, with no minimum threshold; a priced pack is charged and
split by the declared rules, whose platform share is zero by default. A household may, with
its separate consent, be marked vulnerable (an elder living alone, a disability): the fact is
sealed by the platform's vault and seen only by the operator, the appointed dispatcher and the
household, and its orders are dispatched first. Volunteers — dispatch workers with the
volunteer skill — take each order to the door and confirm it with the household's code. Every
member reads the public account per building, counts only.

The entry point ``linli.plugins: emergency_supply`` names this module.
"""

from __future__ import annotations

from linli_sdk import Event, Host, Manifest, hookimpl

from . import deliveries, households, packs
from .models import SupplySettings
from .personal_data import linli_member_data, linli_member_erased
from .rules import RULES

__all__ = ["linli_event", "linli_member_data", "linli_member_erased", "manifest"]


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
    """A volunteer accepted a delivery job: its order is on the way."""
    await deliveries.dispatch_changed(host, event)


manifest = Manifest(
    name="emergency_supply",
    version="0.1.0",
    sdk=">=1.1,<2",
    title="Emergency supply (应急保供)",
    description="Ration packs per household during an emergency, within quotas; vulnerable "
    "households first; volunteers delivering to doors; a public account per building.",
    settings=SupplySettings,
    operations=(*households.OPERATIONS, *packs.OPERATIONS, *deliveries.OPERATIONS),
    revenue_share=RULES,
    piccolo_app="linli_emergency_supply.piccolo_app",
    member_scopes=frozenset({"members.unit"}),
)
"""The module's manifest."""
