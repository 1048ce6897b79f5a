"""Charity purchases (公益团购 / 助农): campaigns where part of every purchase goes to a fund.

An operator or leader opens a campaign for a named community fund or NGO; residents buy; the
revenue-share rules give the ``community_fund`` party its declared part of each charge, and the
module records exactly that in the fund's public ledger once the charge is captured. Refunds
take the fund's part back, disbursements (with their purpose) take money out, and every member
of the community can read the ledger. Buyers get a donation receipt. A purchase whose charge
the gateway refuses (``settlement.charge_failed``) is marked failed and gives nothing.

The entry point ``linli.plugins: charity`` names this module.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from linli_sdk import (
    CHARGE_FAILED,
    ChargeStatus,
    Conflict,
    Context,
    Deadline,
    Document,
    Empty,
    Event,
    Host,
    InvalidInput,
    Manifest,
    Money,
    NotFound,
    Role,
    command,
    hookimpl,
    query,
)
from piccolo.custom_types import Combinable
from pydantic import BaseModel, Field

from .rules import FUND_PARTY, RULES, EntryKind, FundTotals, retry_after, totals
from .tables import CampaignRow, FundEntryRow, FundRow, PurchaseRow

__all__ = ["manifest"]

_DONATION = "donation:"
"""Deadline keys ``donation:<purchase id>``: record the fund's part once the charge is captured."""

_STAFF = (Role.OPERATOR, Role.LEADER)


class FundKind(StrEnum):
    """Who a fund is."""

    COMMUNITY = "community"
    """The community's own fund (社区基金)."""
    NGO = "ngo"
    """A named charity or NGO the community supports (公益组织)."""


class NewCampaign(BaseModel):
    """A campaign to open: what is sold, by whom, for which fund."""

    title: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    fund_name: str = Field(min_length=1, max_length=120)
    fund_kind: FundKind = FundKind.COMMUNITY
    seller_id: int
    unit_price: Money


class Campaign(BaseModel):
    """A campaign and the fund it donates to."""

    id: int
    title: str
    description: str
    fund_id: int
    fund_name: str
    seller_id: int
    unit_price: Money
    open: bool
    declared_donation_bp: int = Field(
        description="The fund's declared share in basis points; an operator may have moved it "
        "within its bounds, and each purchase's receipt shows what was given."
    )


class CampaignList(BaseModel):
    """The community's campaigns, newest first."""

    items: list[Campaign]


class Buy(BaseModel):
    """What to buy in a campaign."""

    campaign_id: int
    quantity: int = Field(default=1, ge=1, le=100)


class Purchase(BaseModel):
    """A purchase and what it gave its fund (``None`` until the charge is captured).

    ``failed`` is true when the gateway refused the charge: nothing was paid nor given.
    """

    id: int
    campaign_id: int
    fund_id: int
    buyer_id: int
    quantity: int
    amount: Money
    charge_id: str
    donated: Money | None
    refunded_donation: Money
    created_at: datetime
    failed: bool = False


class PurchaseList(BaseModel):
    """Purchases, newest first."""

    items: list[Purchase]


class PurchaseRef(BaseModel):
    """One purchase, by id."""

    purchase_id: int


class RefundPurchase(BaseModel):
    """Refund part or all of a purchase; ``ref`` makes it happen once."""

    purchase_id: int
    amount: Money
    reason: str = Field(min_length=1, max_length=500)
    ref: str = Field(min_length=1, max_length=80)


class Disbursement(BaseModel):
    """Money paid out of a fund, and what for."""

    fund_id: int
    amount: Money
    purpose: str = Field(min_length=1, max_length=500)


class FundRef(BaseModel):
    """One fund, by id."""

    fund_id: int


class Fund(BaseModel):
    """A fund and its balance."""

    id: int
    name: str
    kind: FundKind
    balance: Money


class FundList(BaseModel):
    """The community's funds."""

    items: list[Fund]


class FundEntry(BaseModel):
    """One line of a fund's public ledger: signed, positive in, negative out."""

    id: int
    kind: EntryKind
    amount: Money
    purpose: str
    purchase_id: int | None
    recorded_at: datetime


class FundLedger(BaseModel):
    """A fund's public ledger: every line, oldest first, and its totals (minor units)."""

    fund: Fund
    entries: list[FundEntry]
    totals: FundTotals


Ctx = Context[Empty]


def _money(amount: int, currency: str) -> Money:
    return Money(amount=amount, currency=currency)


def _fund(row: dict[str, Any]) -> Fund:
    return Fund(
        id=row["id"],
        name=row["name"],
        kind=FundKind(row["kind"]),
        balance=_money(row["balance"], row["currency"]),
    )


def _purchase(row: dict[str, Any]) -> Purchase:
    currency = row["currency"]
    donated = row["donated"]
    return Purchase(
        id=row["id"],
        campaign_id=row["campaign_id"],
        fund_id=row["fund_id"],
        buyer_id=row["buyer_id"],
        quantity=row["quantity"],
        amount=_money(row["amount"], currency),
        charge_id=row["charge_id"],
        donated=None if donated is None else _money(donated, currency),
        refunded_donation=_money(row["refunded_donation"], currency),
        created_at=row["created_at"],
        failed=bool(row["failed"]),
    )


def _order_ref(purchase_id: int) -> str:
    return f"charity-{purchase_id}"


def _declared_donation_bp() -> int:
    share = next(s for s in RULES.shares if s.party == FUND_PARTY)
    assert share.basis_points is not None
    return share.basis_points


async def _one(table: type[Any], community_id: int, row_id: int, what: str) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await table.select()
        .where((table.community_id == community_id) & (table.id == row_id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no {what} {row_id} in this community")
    return row


async def _campaigns(community_id: int, campaign_id: int | None = None) -> list[Campaign]:
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
            unit_price=_money(r["unit_price"], r["currency"]),
            open=r["open"],
            declared_donation_bp=_declared_donation_bp(),
        )
        for r in rows
    ]


async def _fund_for(community_id: int, name: str, kind: FundKind, currency: str) -> int:
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


async def _record(
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


def _entry(row: dict[str, Any]) -> FundEntry:
    return FundEntry(
        id=row["id"],
        kind=EntryKind(row["kind"]),
        amount=_money(row["amount"], row["currency"]),
        purpose=row["purpose"],
        purchase_id=row["purchase_id"],
        recorded_at=row["recorded_at"],
    )


@command(*_STAFF)
async def create_campaign(ctx: Ctx, data: NewCampaign) -> Campaign:
    """Open a campaign for a named fund (created on first use) and a seller."""
    if data.unit_price.amount <= 0:
        raise InvalidInput("the unit price must be positive", field="unit_price")
    if await ctx.host.members.get(data.seller_id) is None:
        raise InvalidInput(f"member {data.seller_id} is not in this community", field="seller_id")
    community = ctx.community.id
    fund_id = await _fund_for(community, data.fund_name, data.fund_kind, data.unit_price.currency)
    row = CampaignRow(
        community_id=community,
        fund_id=fund_id,
        title=data.title,
        description=data.description,
        seller_id=data.seller_id,
        unit_price=data.unit_price.amount,
        currency=data.unit_price.currency,
        created_by=ctx.caller.member_id or 0,
        created_at=ctx.now,
    )
    await row.save()
    (campaign,) = await _campaigns(community, row.id)
    return campaign


@query(Role.MEMBER)
async def list_campaigns(ctx: Ctx, data: Empty) -> CampaignList:
    """List the community's campaigns, newest first."""
    return CampaignList(items=await _campaigns(ctx.community.id))


@command(Role.RESIDENT)
async def buy(ctx: Ctx, data: Buy) -> Purchase:
    """Buy in a campaign; the fund's part is recorded once the charge is captured."""
    campaign = await _one(CampaignRow, ctx.community.id, data.campaign_id, "campaign")
    if not campaign["open"]:
        raise Conflict(f"campaign {data.campaign_id} is closed")
    buyer = ctx.caller.member_id
    assert buyer is not None  # residents are members
    amount = _money(campaign["unit_price"] * data.quantity, campaign["currency"])
    row = PurchaseRow(
        community_id=ctx.community.id,
        campaign_id=campaign["id"],
        fund_id=campaign["fund_id"],
        buyer_id=buyer,
        seller_id=campaign["seller_id"],
        quantity=data.quantity,
        amount=amount.amount,
        currency=amount.currency,
        created_at=ctx.now,
    )
    await row.save()
    charge = await ctx.host.payments.charge(
        order_ref=_order_ref(row.id),
        amount=amount,
        payer_id=buyer,
        payees={"seller": campaign["seller_id"]},
    )
    await PurchaseRow.update({PurchaseRow.charge_id: charge.id}).where(PurchaseRow.id == row.id)
    await ctx.host.deadlines.schedule(f"{_DONATION}{row.id}", ctx.now, {})
    return _purchase(await _one(PurchaseRow, ctx.community.id, row.id, "purchase"))


@query(Role.MEMBER)
async def my_purchases(ctx: Ctx, data: Empty) -> PurchaseList:
    """List the caller's purchases, newest first."""
    rows = (
        await PurchaseRow.select()
        .where(
            (PurchaseRow.community_id == ctx.community.id)
            & (PurchaseRow.buyer_id == (ctx.caller.member_id or 0))
        )
        .order_by(PurchaseRow.id, ascending=False)
        .limit(100)
    )
    return PurchaseList(items=[_purchase(r) for r in rows])


@command(*_STAFF)
async def refund_purchase(ctx: Ctx, data: RefundPurchase) -> Purchase:
    """Refund part or all of a purchase; the fund gives back its part, pro rata, on its ledger."""
    community = ctx.community.id
    row = await _one(PurchaseRow, community, data.purchase_id, "purchase")
    if row["failed"]:
        raise Conflict(f"purchase {row['id']} failed: the payment was refused, nothing to refund")
    if row["donated"] is None:
        raise Conflict(f"purchase {row['id']} is not confirmed yet; refund it a little later")
    refund = await ctx.host.payments.refund(
        row["charge_id"], data.amount, reason=data.reason, ref=f"{row['id']}-{data.ref}"
    )
    given_back = refund.parts.get(FUND_PARTY, Money.zero(data.amount.currency))
    key = f"{community}:refund:{refund.id}"
    if not await _recorded(key):  # a repeated ref returns the first refund: record it once
        await _record(
            community,
            row["fund_id"],
            key,
            EntryKind.REFUND,
            -given_back,
            f"refund of purchase {row['id']}: {data.reason}",
            purchase_id=row["id"],
            recorded_by=ctx.caller.member_id,
        )
        await PurchaseRow.update(
            {PurchaseRow.refunded_donation: PurchaseRow.refunded_donation + given_back.amount}
        ).where(PurchaseRow.id == row["id"])
    return _purchase(await _one(PurchaseRow, community, row["id"], "purchase"))


async def _recorded(entry_key: str) -> bool:
    return bool(await FundEntryRow.exists().where(FundEntryRow.entry_key == entry_key))


@command(*_STAFF)
async def disburse(ctx: Ctx, data: Disbursement) -> FundEntry:
    """Record money paid out of a fund and its purpose; never more than the fund holds."""
    community = ctx.community.id
    fund = await _one(FundRow, community, data.fund_id, "fund")
    if data.amount.currency != fund["currency"] or data.amount.amount <= 0:
        raise InvalidInput(f"a disbursement is a positive amount in {fund['currency']}")
    entry = await _record(
        community,
        fund["id"],
        f"{community}:out:{uuid.uuid4()}",
        EntryKind.DISBURSEMENT,
        -data.amount,
        data.purpose,
        recorded_by=ctx.caller.member_id,
    )
    if entry is None:
        balance = _money(fund["balance"], fund["currency"])
        raise Conflict(f"the fund holds {balance}, less than {data.amount}", fund_id=fund["id"])
    return _entry(entry)


@query(Role.MEMBER)
async def list_funds(ctx: Ctx, data: Empty) -> FundList:
    """List the community's funds and their balances."""
    rows = (
        await FundRow.select().where(FundRow.community_id == ctx.community.id).order_by(FundRow.id)
    )
    return FundList(items=[_fund(r) for r in rows])


@query(Role.MEMBER)
async def fund_ledger(ctx: Ctx, data: FundRef) -> FundLedger:
    """Read a fund's public ledger: every donation, refund and disbursement, with purposes."""
    fund = await _one(FundRow, ctx.community.id, data.fund_id, "fund")
    rows = (
        await FundEntryRow.select()
        .where(
            (FundEntryRow.community_id == ctx.community.id) & (FundEntryRow.fund_id == fund["id"])
        )
        .order_by(FundEntryRow.id)
    )
    entries = [_entry(r) for r in rows]
    return FundLedger(
        fund=_fund(fund),
        entries=entries,
        totals=totals((e.kind, e.amount.amount) for e in entries),
    )


@query(Role.MEMBER)
async def donation_receipt(ctx: Ctx, data: PurchaseRef) -> Document:
    """Download the donation receipt (捐赠凭证) of one of the caller's purchases, as JSON."""
    row = await _one(PurchaseRow, ctx.community.id, data.purchase_id, "purchase")
    staff = ctx.caller.has_role(Role.OPERATOR, Role.AUDITOR)
    if not (staff or row["buyer_id"] == ctx.caller.member_id):
        raise NotFound(f"there is no purchase {data.purchase_id} of yours in this community")
    purchase = _purchase(row)
    if purchase.donated is None:
        raise Conflict(f"purchase {purchase.id} is not confirmed yet: no receipt")
    fund = await _one(FundRow, ctx.community.id, purchase.fund_id, "fund")
    body = {
        "receipt": f"DON-{ctx.community.slug}-{purchase.id}",
        "community": ctx.community.name,
        "fund": fund["name"],
        "fund_kind": fund["kind"],
        "donor_member_id": purchase.buyer_id,
        "purchase_amount": purchase.amount.model_dump(),
        "donated": purchase.donated.model_dump(),
        "refunded_donation": purchase.refunded_donation.model_dump(),
        "net_donation": (purchase.donated - purchase.refunded_donation).model_dump(),
        "purchased_at": purchase.created_at.isoformat(),
    }
    return Document(
        content=json.dumps(body, ensure_ascii=False, indent=2).encode(),
        media_type="application/json",
        filename=f"donation-receipt-{purchase.id}.json",
    )


async def record_donation(host: Host, purchase_id: int, now: datetime) -> None:
    """Record the fund's part of a captured purchase in its public ledger, once.

    Runs from the ``donation:<id>`` deadline; a charge the gateway has not captured yet is
    looked at again later.
    """
    community = host.community.id
    row = (
        await PurchaseRow.select()
        .where((PurchaseRow.community_id == community) & (PurchaseRow.id == purchase_id))
        .first()
    )
    if row is None or row["donated"] is not None or row["failed"]:
        return
    amount = _money(row["amount"], row["currency"])
    charge = await host.payments.charge(  # the same order returns the first charge
        order_ref=_order_ref(purchase_id),
        amount=amount,
        payer_id=row["buyer_id"],
        payees={"seller": row["seller_id"]},
    )
    if charge.status is ChargeStatus.FAILED:  # final: the event says so too, whichever is first
        await _fail(host, purchase_id)
        return
    if charge.status in (ChargeStatus.PENDING, ChargeStatus.AUTHORIZED):  # not captured yet
        waits = row["waits"] + 1
        await PurchaseRow.update({PurchaseRow.waits: waits}).where(PurchaseRow.id == purchase_id)
        await host.deadlines.schedule(f"{_DONATION}{purchase_id}", now + retry_after(waits), {})
        return
    donated = charge.parts.get(FUND_PARTY, Money.zero(amount.currency))
    await _record(
        community,
        row["fund_id"],
        f"{community}:in:{purchase_id}",
        EntryKind.DONATION,
        donated,
        f"purchase {purchase_id}",
        purchase_id=purchase_id,
    )
    await PurchaseRow.update({PurchaseRow.donated: donated.amount}).where(
        PurchaseRow.id == purchase_id
    )
    await host.events.publish(
        "donation_recorded",
        {"purchase_id": purchase_id, "fund_id": row["fund_id"], "amount": donated.model_dump()},
    )


async def _fail(host: Host, purchase_id: int) -> None:
    """The gateway refused the purchase's charge: mark it failed, stop waiting; once."""
    failed = await (
        PurchaseRow.update({PurchaseRow.failed: True})
        .where(
            (PurchaseRow.community_id == host.community.id)
            & (PurchaseRow.id == purchase_id)
            & (PurchaseRow.failed == False)  # noqa: E712
            & PurchaseRow.donated.is_null()
        )
        .returning(PurchaseRow.id)
    )
    await host.deadlines.cancel(f"{_DONATION}{purchase_id}")
    if failed:
        await host.events.publish("purchase_failed", {"purchase_id": purchase_id})


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
    """A charge the gateway refused fails its purchase at once (no more waiting for it)."""
    if event.type != CHARGE_FAILED or event.payload.get("module") != host.module:
        return
    row = (
        await PurchaseRow.select(PurchaseRow.id)
        .where(
            (PurchaseRow.community_id == host.community.id)
            & (PurchaseRow.charge_id == event.payload["charge_id"])
        )
        .first()
    )
    if row is not None:
        await _fail(host, row["id"])


@hookimpl
async def linli_deadline_reached(host: Host, deadline: Deadline) -> None:
    """Record a purchase's donation when its ``donation:<id>`` deadline is due."""
    if deadline.key.startswith(_DONATION):
        purchase_id = int(deadline.key.removeprefix(_DONATION))
        await record_donation(host, purchase_id, datetime.now(UTC))


@hookimpl
async def linli_seed_demo(host: Host) -> None:
    """Open a farm-aid campaign (助农) for the demo community's fund."""
    community = host.community.id
    fund_id = await _fund_for(
        community, "阳光花园社区基金 Community fund", FundKind.COMMUNITY, "CNY"
    )
    await CampaignRow.insert(
        CampaignRow(
            community_id=community,
            fund_id=fund_id,
            title="助农苹果 Farm-aid apples from Yan'an, 5 kg",
            description="10 % of every box goes to the community fund (elderly lunch programme).",
            seller_id=0,
            unit_price=4_990,
            currency="CNY",
            created_by=0,
            created_at=datetime.now(UTC),
        )
    )


manifest = Manifest(
    name="charity",
    version="0.1.0",
    sdk=">=0.1,<0.2",
    title="Charity purchases (公益团购)",
    description="Charity and farm-aid campaigns: a declared part of every purchase goes to a "
    "named community fund or NGO, on a public ledger every member can read.",
    operations=(
        create_campaign,
        list_campaigns,
        buy,
        my_purchases,
        refund_purchase,
        disburse,
        list_funds,
        fund_ledger,
        donation_receipt,
    ),
    revenue_share=RULES,
    piccolo_app="linli_charity.piccolo_app",
)
