"""The parcels module (快递代收): its manifest and its part in members' data rights.

The entry point ``linli.plugins: parcels`` names this module. Couriers' back ends register
parcels for a unit at a pickup point and pay the station a commission per parcel; each resident
of the unit collects with a code of their own, verified by the point's host (核销), paying a
storage fee only past the free days. Both charges are split by the rules below: the platform's
percentage, the point's host (the station) the remainder.
"""

from __future__ import annotations

from linli_sdk import Manifest, RevenueShareRules, percent, remainder

from . import couriers, parcels, pickup
from .models import ParcelsSettings
from .personal_data import linli_member_data, linli_member_erased

__all__ = ["REVENUE_SHARE", "linli_member_data", "linli_member_erased", "manifest"]

REVENUE_SHARE = RevenueShareRules(
    shares=(percent("platform", 1000, min=0, max=3000), remainder("station")),
)
"""Each commission and storage fee: the platform 10 % (0-30 %), the point's host the rest."""

manifest = Manifest(
    name="parcels",
    version="0.1.0",
    sdk=">=1.1,<2",
    title="Parcel collection (快递代收)",
    description=(
        "Couriers leave parcels at the pickup point for a unit and pay the station a commission"
        " per parcel; each resident of the unit collects with their own code, verified by the"
        " point's host; a storage fee past the free days, capped."
    ),
    settings=ParcelsSettings,
    operations=(
        couriers.add_courier,
        couriers.list_couriers,
        couriers.retire_courier,
        couriers.courier_statement,
        parcels.register_parcel,
        parcels.my_parcels,
        parcels.station_parcels,
        parcels.return_parcel,
        pickup.verify_pickup,
    ),
    revenue_share=REVENUE_SHARE,
    member_scopes=frozenset({"members.unit"}),
    piccolo_app="linli_parcels.piccolo_app",
)
