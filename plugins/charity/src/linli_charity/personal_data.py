"""A member's charity purchases: their copy (PIPL art. 45) and their erasure (art. 47)."""

from __future__ import annotations

from linli_sdk import Host, MemberErasure, MemberRecords, hookimpl

from .tables import CampaignRow, PurchaseRow

__all__ = ["linli_member_data", "linli_member_erased"]

KEPT = (
    "Purchases stay as they are: they hold nothing personal beyond the (now pseudonymous) "
    "member id, and they are the accounting records behind the fund's public ledger and the "
    "charges, which charity and accounting law require to be kept. Campaigns stay as the "
    "community's."
)


@hookimpl
async def linli_member_data(host: Host, member_id: int) -> list[MemberRecords]:
    """The member's purchases and the campaigns they created."""
    community = host.community.id
    purchases = await PurchaseRow.select().where(
        (PurchaseRow.community_id == community) & (PurchaseRow.buyer_id == member_id)
    )
    campaigns = await CampaignRow.select().where(
        (CampaignRow.community_id == community) & (CampaignRow.created_by == member_id)
    )
    return [
        MemberRecords.of(
            "purchases",
            "What you bought in charity and farm-aid campaigns, and what it donated.",
            purchases,
        ),
        MemberRecords.of("campaigns", "Campaigns you created.", campaigns),
    ]


@hookimpl
async def linli_member_erased(host: Host, member_id: int) -> MemberErasure:
    """Nothing to erase: the module holds no personal detail beyond money records."""
    return MemberErasure(erased=0, kept=KEPT)
