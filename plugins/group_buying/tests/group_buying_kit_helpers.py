"""Helpers the group buying kit tests share: the campaign tables and a community's people."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from linli_group_buying import plugin as group_buying
from linli_group_buying.models import Campaign, Order
from linli_group_buying.tables import CampaignRow, ClaimRow, OrderRow, ParticipantRow, PickupRow
from linli_sdk import MemberView, PickupPointView, Role
from linli_sdk.testing import PluginKit, module_database
from piccolo.engine.sqlite import SQLiteEngine

CAMPAIGN_TABLES = (CampaignRow, ParticipantRow, OrderRow, PickupRow, ClaimRow)
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
POINT = "Building 3 lockers"


@contextmanager
def campaign_tables(path: Path) -> Iterator[SQLiteEngine]:
    """The module's tables on a SQLite file, migrated by its own migrations; engines put back."""
    with module_database(group_buying, path) as database:
        yield database.engine


async def empty_tables() -> None:
    """Delete every campaign row (on whatever engine the tables are bound to)."""
    for table in CAMPAIGN_TABLES:
        await table.delete(force=True)


@dataclass
class Community:
    """The kit with the people a group buy needs."""

    kit: PluginKit
    leader: MemberView
    supplier: MemberView
    host: MemberView
    residents: list[MemberView]
    point: PickupPointView

    async def open(self, **fields: Any) -> Campaign:
        """Open a campaign as the leader (CNY 10.00 a unit, 2 buyers to form, a day long)."""
        data: dict[str, Any] = {
            "title": "Strawberries",
            "product": "500 g, picked this morning",
            "unit_price": {"amount": 1000, "currency": "CNY"},
            "stock_cap": 10,
            "per_person_limit": 3,
            "minimum": 2,
            "deadline": (self.kit.clock + timedelta(days=1)).isoformat(),
            "pickup_point_ids": [self.point.id],
            "supplier_id": self.supplier.id,
        }
        data.update(fields)
        campaign = await self.kit.call("open-campaign", data, as_=self.leader)
        assert isinstance(campaign, Campaign)
        return campaign

    async def join(self, who: MemberView, campaign: Campaign, quantity: int = 1) -> Order:
        """Order ``quantity`` units as ``who`` for the campaign's pickup point."""
        order = await self.kit.call(
            "join-campaign",
            {"campaign_id": campaign.id, "quantity": quantity, "pickup_point_id": self.point.id},
            as_=who,
        )
        assert isinstance(order, Order)
        return order


def community_of(kit: PluginKit) -> Community:
    """Add a leader, a supplier, a pickup host and four residents to the kit's community."""
    host = kit.add_member("Host Li", Role.PICKUP_HOST, Role.RESIDENT)
    return Community(
        kit=kit,
        leader=kit.add_member("Leader Wang", Role.LEADER, Role.RESIDENT),
        supplier=kit.add_member("Farmer Zhang", Role.PROVIDER_STAFF),
        host=host,
        residents=[kit.add_member(name, Role.RESIDENT) for name in ("Chen", "Liu", "Zhou", "Wu")],
        point=kit.add_pickup_point(POINT, host=host),
    )
