"""The charity module's rows: reading them as models, and the fund ledger's once-only entries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from linli_sdk import InvalidInput, Money, NotFound
from piccolo.custom_types import Combinable

from .models import Campaign, Fund, FundEntry, FundKind, Purchase
from .rules import FUND_PARTY, RULES, EntryKind
from .tables import CampaignRow, FundEntryRow, FundRow


def money_of(amount: int, currency: str) -> Money:
    """An amount in minor units as money."""
    return Money(amount=amount, currency=currency)


def to_fund(row: dict[str, Any]) -> Fund:
    """A fund row as the model operations return."""
    return Fund(
        id=row["id"],
        name=row["name"],
        kind=FundKind(row["kind"]),
        balance=money_of(row["balance"], row["currency"]),
    )


def to_purchase(row: dict[str, Any]) -> Purchase:
    """A purchase row as the model operations return."""
    currency = row["currency"]
    donated = row["donated"]
    return Purchase(
        id=row["id"],
        campaign_id=row["campaign_id"],
        fund_id=row["fund_id"],
        buyer_id=row["buyer_id"],
        quantity=row["quantity"],
        amount=money_of(row["amount"], currency),
        charge_id=row["charge_id"],
        donated=None if donated is None else money_of(donated, currency),
        refunded_donation=money_of(row["refunded_donation"], currency),
        created_at=row["created_at"],
        failed=bool(row["failed"]),
    )


def to_entry(row: dict[str, Any]) -> FundEntry:
    """A fund ledger row as the model operations return."""
    return FundEntry(
        id=row["id"],
        kind=EntryKind(row["kind"]),
        amount=money_of(row["amount"], row["currency"]),
        purpose=row["purpose"],
        purchase_id=row["purchase_id"],
        recorded_at=row["recorded_at"],
    )


def order_ref(purchase_id: int) -> str:
    """The order reference a purchase is charged under."""
    return f"charity-{purchase_id}"


def declared_donation_bp() -> int:
    """The fund's share the rules declare, in basis points."""
    share = next(s for s in RULES.shares if s.party == FUND_PARTY)
    assert share.basis_points is not None
    return share.basis_points


async def one_row(table: type[Any], community_id: int, row_id: int, what: str) -> dict[str, Any]:
    """The row ``row_id`` of ``table`` in the community; :class:`NotFound` names ``what``."""
    row: dict[str, Any] | None = (
        await table.select()
        .where((table.community_id == community_id) & (table.id == row_id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no {what} {row_id} in this community")
    return row


async def load_campaigns(community_id: int, campaign_id: int | None = None) -> list[Campaign]:
    """The community's campaigns (or just ``campaign_id``), newest first, with their fund names."""
    where: Combinable = CampaignRow.community_id == community_id
    if campaign_id is not None:
        where &= CampaignRow.id == campaign_id
    rows = await CampaignRow.select().where(where).order_by(CampaignRow.id, ascending=False)
    funds = {
        f["id"]: f["name"]
        for f in await FundRow.select(FundRow.id, FundRow.name).where(
            FundRow.community_id == community_id
        )
    }
    return [
        Campaign(
            id=r["id"],
            title=r["title"],
            description=r["description"],
            fund_id=r["fund_id"],
            fund_name=funds.get(r["fund_id"], ""),
            seller_id=r["seller_id"],
            unit_price=money_of(r["unit_price"], r["currency"]),
            open=r["open"],
            declared_donation_bp=declared_donation_bp(),
        )
        for r in rows
    ]


async def fund_for(community_id: int, name: str, kind: FundKind, currency: str) -> int:
    """The id of the community's fund called ``name``, created on first use."""
    key = f"{community_id}:{name}"
    await FundRow.insert(
        FundRow(
            community_id=community_id,
            fund_key=key,
            name=name,
            kind=str(kind),
            currency=currency,
            created_at=datetime.now(UTC),
        )
    ).on_conflict(target=FundRow.fund_key, action="DO NOTHING")
    row = await FundRow.select().where(FundRow.fund_key == key).first()
    assert row is not None
    if row["currency"] != currency:
        raise InvalidInput(f"the fund {name} keeps {row['currency']}, not {currency}")
    fund_id: int = row["id"]
    return fund_id


async def record_entry(
    community_id: int,
    fund_id: int,
    entry_key: str,
    kind: EntryKind,
    amount: Money,
    purpose: str,
    *,
    purchase_id: int | None = None,
    recorded_by: int | None = None,
) -> dict[str, Any] | None:
    """Add a line to a fund's ledger and move its balance, once per ``entry_key``.

    A disbursement only succeeds if the balance covers it (a conditional update, so two
    disbursements racing cannot both spend the same money); returns ``None`` if it does not.
    """
    fund: Combinable = FundRow.id == fund_id
    if kind is EntryKind.DISBURSEMENT:
        fund &= FundRow.balance >= -amount.amount
    moved = await (
        FundRow.update({FundRow.balance: FundRow.balance + amount.amount})
        .where(fund & (FundRow.community_id == community_id))
        .returning(FundRow.id)
    )
    if not moved:
        return None
    row = FundEntryRow(
        community_id=community_id,
        fund_id=fund_id,
        entry_key=entry_key,
        kind=str(kind),
        amount=amount.amount,
        currency=amount.currency,
        purpose=purpose,
        purchase_id=purchase_id,
        recorded_by=recorded_by,
        recorded_at=datetime.now(UTC),
    )
    await row.save()
    saved: dict[str, Any] = row.to_dict()
    return saved


async def is_recorded(entry_key: str) -> bool:
    """Whether a fund ledger line with ``entry_key`` exists."""
    return bool(await FundEntryRow.exists().where(FundEntryRow.entry_key == entry_key))
