"""The group buying module's own tables: prefixed ``group_buying_``, each row with its community.

Amounts are integers in minor units beside a currency column. Live flash sales keep their
tables in :mod:`.live_tables`.
"""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["CampaignRow", "ClaimRow", "OrderRow", "ParticipantRow", "PickupRow"]


class CampaignRow(Table, tablename="group_buying_campaign"):
    """A group buy (团购): one product at a unit price until its deadline, formed or refunded."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    title = Varchar(length=120)
    product = Text()
    currency = Varchar(length=3)
    unit_price = Integer()
    tiers = JSON(default=[])  # [{"at_least": n, "unit_price": minor units}]
    stock_cap = Integer()
    sold = Integer(default=0)  # decremented only by one conditional UPDATE
    per_person_limit = Integer()
    measure = Varchar(length=16)
    minimum = Integer()
    deadline = Timestamptz()
    pickup_points = JSON(default=[])  # [{"name": ..., "host_id": member id}]
    creator_id = Integer()
    leader_id = Integer()
    supplier_id = Integer()
    status = Varchar(length=16, default="open", index=True)  # open, confirmed, cancelled
    final_unit_price = Integer(null=True, default=None)
    uncollected_days = Integer()
    uncollected_policy = Varchar(length=16)
    created_at = Timestamptz()
    closed_at = Timestamptz(null=True, default=None)
    essential = Boolean(default=False)  # goes on while an emergency is in force


class ParticipantRow(Table, tablename="group_buying_participant"):
    """How many units one resident holds in one campaign (for the per-person limit)."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    campaign_id = Integer(index=True)
    member_id = Integer()
    key = Varchar(length=64, unique=True)  # "{community}:{campaign}:{member}"
    quantity = Integer(default=0)


class OrderRow(Table, tablename="group_buying_order"):
    """One resident's order in a campaign, for one pickup point (自提点)."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    campaign_id = Integer(index=True)
    member_id = Integer(index=True)
    quantity = Integer()
    pickup_point = Varchar(length=120)
    pickup_host_id = Integer()
    currency = Varchar(length=3)
    unit_price = Integer()  # the price authorised at join
    amount = Integer()
    charge_id = Varchar(length=64)
    status = Varchar(length=24, default="authorized", index=True)
    pickup_code = Varchar(length=16, null=True, default=None)
    code_key = Varchar(length=64, null=True, default=None, unique=True)
    collected = Integer(default=0)
    refunded = Integer(default=0)  # tier difference and uncollected units
    compensated = Integer(default=0)  # after-sale claims
    created_at = Timestamptz()
    confirmed_at = Timestamptz(null=True, default=None)
    collected_at = Timestamptz(null=True, default=None)


class PickupRow(Table, tablename="group_buying_pickup"):
    """One verification (核销) at a pickup point: who handed over how many, to whom."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    order_id = Integer(index=True)
    host_id = Integer()
    quantity = Integer()
    proxy = Varchar(length=60, default="")  # the neighbour who collected, if not the buyer
    verified_at = Timestamptz()


class ClaimRow(Table, tablename="group_buying_claim"):
    """A damaged-item claim (售后) and what it was compensated."""

    id: Serial  # Piccolo's implicit primary key, named for type checkers
    community_id = Integer(index=True)
    order_id = Integer(index=True)
    member_id = Integer(index=True)
    damaged = Integer()
    photo_id = Varchar(length=64)
    note = Text(default="")
    currency = Varchar(length=3)
    compensation = Integer()
    status = Varchar(length=16)  # compensated, refused
    reason = Text(default="")
    claimed_at = Timestamptz()
