"""Who may use the console, and as whom they act in each community.

A person is a platform operator when their account's phone is one of the
``platform_operators`` setting; they act in every community as the platform operator's token
does (`linli.identity.auth.PLATFORM_ROLES`). Anyone else gets in only as an operator of some
community, and acts in each community as the member they are there, with that member's roles:
another community's pages refuse them as its API refuses their token.
"""

from __future__ import annotations

from dataclasses import dataclass

from linli_sdk import Caller, Community, Forbidden, Role

from ..identity.accounts import member_of
from ..identity.auth import PLATFORM_ROLES, member_roles
from ..identity.communities import community_of, get_community, list_communities
from ..identity.personal_data import normalise_phone
from ..identity.service import IdentityService
from ..identity.tables import Account, Membership
from ..tables import Community as CommunityRow
from ..tables import Member

__all__ = ["Operator", "acting_in", "operator_of"]


@dataclass(frozen=True, slots=True)
class Operator:
    """A person signed in to the console.

    Attributes:
        account: Their account id.
        phone: Their masked phone number (shown in the page header).
        platform: Whether they operate the whole platform.
        communities: The slugs of the open communities they may open, by slug.
    """

    account: int
    phone: str
    platform: bool
    communities: tuple[str, ...]


async def _platform_indexes(service: IdentityService) -> set[str]:
    keys = (await service.keys()).data
    return {
        keys.blind_index(normalise_phone(p), "phone") for p in service.settings.platform_operators
    }


async def operator_of(service: IdentityService, account: int) -> Operator | None:
    """The console operator behind ``account``, or ``None`` when they operate nothing."""
    row = (
        await Account.select(Account.phone_index, Account.phone_masked)
        .where(Account.id == account)
        .first()
    )
    if row is None:
        return None
    phone = row["phone_masked"] or ""
    if row["phone_index"] and row["phone_index"] in await _platform_indexes(service):
        slugs = tuple(c["slug"] for c in await list_communities())
        return Operator(account, phone, True, slugs)
    members = await Membership.select(Membership.member, Membership.community).where(
        Membership.account == account
    )
    ids = [m["member"] for m in members]
    rows = await Member.select(Member.community, Member.roles).where(Member.id.is_in(ids or [0]))
    operated = [r["community"] for r in rows if Role.OPERATOR in member_roles(r["roles"])]
    if not operated:
        return None
    open_ones = (
        await CommunityRow.select(CommunityRow.slug)
        .where(CommunityRow.id.is_in(operated) & CommunityRow.archived_at.is_null())
        .order_by(CommunityRow.slug)
    )
    if not open_ones:  # every community they operated is archived
        return None
    return Operator(account, phone, False, tuple(c["slug"] for c in open_ones))


async def acting_in(operator: Operator, slug: str) -> tuple[Community, Caller]:
    """The community ``slug`` and the caller ``operator`` is there, as the API resolves them.

    Raises:
        NotFound: The platform operator asked for a community that does not exist.
        Forbidden: Anyone else asked for a community they are not a member of (whether or not
            it exists), or for an archived one.
    """
    if operator.platform:
        return await get_community(slug), Caller(member_id=None, roles=PLATFORM_ROLES)
    record = await CommunityRow.select().where(CommunityRow.slug == slug).first()
    where = community_of(record) if record is not None else None
    member = await member_of(operator.account, where) if where is not None else None
    if record is None or where is None or member is None:
        raise Forbidden(f"you are not a member of community {slug!r}")
    if record["archived_at"] is not None:
        raise Forbidden(f"community {slug!r} is archived")
    row = await Member.select(Member.roles).where(Member.id == member).first()
    return where, Caller(member_id=member, roles=member_roles(row["roles"] if row else []))
