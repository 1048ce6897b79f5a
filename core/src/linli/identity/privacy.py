"""Personal data of one person (PIPL): profile, consent, national ID, export and erasure.

Phone and national ID numbers are sealed at rest and found by blind index
(:mod:`.personal_data`). The person sees their own numbers; operators see a member's phone;
everyone else (other members, plugins) sees them masked. Numbers never reach a log line.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from linli_sdk import Community, Forbidden, NotFound

from linli.identity.auth import forget_callers, hash_token

from ..notifications.erasure import export_member as export_notifications
from ..notifications.erasure import forget_member as forget_notifications
from ..tables import Community as CommunityRow
from ..tables import Member
from .communities import community_of
from .member_scopes import national_id_views
from .personal_data import mask_national_id, normalise_national_id
from .service import IdentityService
from .tables import (
    Account,
    Consent,
    Membership,
    OneTimeCode,
    RefreshToken,
    VerificationRequest,
)

__all__ = [
    "NATIONAL_ID_CONSENT",
    "account_of",
    "erase",
    "export",
    "give_consent",
    "member_profile",
    "memberships_of",
    "reseal_personal_data",
    "set_national_id",
    "withdraw_consent",
]

NATIONAL_ID_CONSENT = (
    "I agree that Linli collects my resident identity card number to verify that I live in "
    "this community, keeps it encrypted, shows it to no one, and erases it when I ask."
)
PURPOSES = {"national_id": NATIONAL_ID_CONSENT}


async def account_of(member_id: int) -> int | None:
    """The account behind a member, if the member signed in as a person."""
    row = await Membership.select(Membership.account).where(Membership.member == member_id).first()
    return None if row is None else int(row["account"])


async def _require_account(member_id: int | None) -> int:
    account = await account_of(member_id) if member_id is not None else None
    if account is None:
        raise NotFound("this caller has no personal account")
    return account


async def member_profile(
    service: IdentityService, community: Community, member_id: int, *, reveal: bool
) -> dict[str, Any]:
    """A member as shown to a caller: the phone in full only if ``reveal``."""
    row = (
        await Member.select(
            Member.id, Member.display_name, Member.roles, Member.verified, Member.phone_masked
        )
        .where((Member.id == member_id) & (Member.community == community.id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no member {member_id} here")
    roles = json.loads(row["roles"]) if isinstance(row["roles"], str) else row["roles"]
    profile: dict[str, Any] = {
        "id": row["id"],
        "display_name": row["display_name"],
        "roles": sorted(roles),
        "verified": row["verified"],
        "phone": row["phone_masked"],
        "unit": None,
    }
    link = (
        await Membership.select(Membership.account, Membership.unit.building, Membership.unit.room)
        .where(Membership.member == member_id)
        .first()
    )
    if link is not None:
        if link["unit.building"] is not None:
            profile["unit"] = f"{link['unit.building']}-{link['unit.room']}"
        if reveal:
            account = (
                await Account.select(Account.phone_sealed)
                .where(Account.id == link["account"])
                .first()
            )
            if account and account["phone_sealed"]:
                keys = (await service.keys()).data
                profile["phone"] = keys.open(account["phone_sealed"], "phone")
    return profile


async def give_consent(member_id: int | None, purpose: str) -> dict[str, Any]:
    """Record the person's consent to ``purpose``; the wording they agreed to."""
    if purpose not in PURPOSES:
        raise NotFound(f"there is no consent purpose {purpose!r}")
    account = await _require_account(member_id)
    now = datetime.now(UTC)
    await Consent.insert(
        Consent(account=account, purpose=purpose, wording=PURPOSES[purpose], given_at=now)
    )
    return {"purpose": purpose, "wording": PURPOSES[purpose], "given_at": now.isoformat()}


async def withdraw_consent(member_id: int | None, purpose: str) -> dict[str, Any]:
    """Withdraw the person's consent to ``purpose``; what it covered is erased with it.

    Withdrawing ``national_id`` deletes the sealed ID number and its index.
    """
    if purpose not in PURPOSES:
        raise NotFound(f"there is no consent purpose {purpose!r}")
    account = await _require_account(member_id)
    async with Consent._meta.db.transaction():
        withdrawn = (
            await Consent.update({Consent.withdrawn_at: datetime.now(UTC)})
            .where(
                (Consent.account == account)
                & (Consent.purpose == purpose)
                & Consent.withdrawn_at.is_null()
            )
            .returning(Consent.id)
        )
        if not withdrawn:
            raise NotFound(f"there is no consent to {purpose!r} to withdraw")
        if purpose == "national_id":
            await Account.update(
                {Account.national_id_sealed: None, Account.national_id_index: None}
            ).where(Account.id == account)
    return {"purpose": purpose, "withdrawn": True}


async def _has_consent(account: int, purpose: str) -> bool:
    return bool(
        await Consent.exists().where(
            (Consent.account == account)
            & (Consent.purpose == purpose)
            & Consent.withdrawn_at.is_null()
        )
    )


async def set_national_id(service: IdentityService, member_id: int | None, raw: str) -> str:
    """Store the person's ID number sealed; :class:`Forbidden` without recorded consent."""
    account = await _require_account(member_id)
    if not await _has_consent(account, "national_id"):
        raise Forbidden("record your consent (purpose 'national_id') before giving an ID number")
    number = normalise_national_id(raw)
    keys = (await service.keys()).data
    await Account.update(
        {
            Account.national_id_sealed: keys.seal(number, "national_id"),
            Account.national_id_index: keys.blind_index(number, "national_id"),
        }
    ).where(Account.id == account)
    return mask_national_id(number)


async def export(service: IdentityService, member_id: int | None) -> dict[str, Any]:
    """Everything Linli holds about the person, as JSON (their numbers in full).

    ``national_id_views`` lists every time a module was shown their ID number, and why.
    """
    account_id = await _require_account(member_id)
    keys = (await service.keys()).data
    account = await Account.select().where(Account.id == account_id).first()
    assert account is not None
    links = await Membership.select(Membership.member, Membership.community.slug).where(
        Membership.account == account_id
    )
    memberships = []
    for link in links:
        member = (
            await Member.select(
                Member.id, Member.display_name, Member.roles, Member.verified, Member.created_at
            )
            .output(load_json=True)
            .where(Member.id == link["member"])
            .first()
        )
        requests = await VerificationRequest.select(
            VerificationRequest.id, VerificationRequest.status, VerificationRequest.created_at
        ).where(VerificationRequest.member == link["member"])
        memberships.append(
            {
                "community": link["community.slug"],
                **(member or {}),
                "verification": requests,
                "notifications": await export_notifications(link["member"]),
            }
        )
    consents = await Consent.select(
        Consent.purpose, Consent.wording, Consent.given_at, Consent.withdrawn_at
    ).where(Consent.account == account_id)

    def opened(sealed: str | None, purpose: str) -> str | None:
        return keys.open(sealed, purpose) if sealed else None

    document = {
        "account": {
            "id": account_id,
            "phone": opened(account["phone_sealed"], "phone"),
            "national_id": opened(account["national_id_sealed"], "national_id"),
            "username": account["username"],
            "created_at": account["created_at"],
        },
        "memberships": memberships,
        "consents": consents,
        "national_id_views": await national_id_views(members=[link["member"] for link in links]),
        "exported_at": datetime.now(UTC),
    }
    for holder in service.personal_data:
        document[holder.name] = await holder.export_members([link["member"] for link in links])
    result: dict[str, Any] = json.loads(json.dumps(document, default=str))
    return result


async def memberships_of(member_id: int | None) -> list[tuple[Community, int]]:
    """Every community the person behind ``member_id`` belongs to, and their member id there."""
    account_id = await _require_account(member_id)
    links = await Membership.select(Membership.member, Membership.community).where(
        Membership.account == account_id
    )
    found = []
    for link in sorted(links, key=lambda link: link["member"]):
        row = await CommunityRow.select().where(CommunityRow.id == link["community"]).first()
        if row is not None:
            found.append((community_of(row), int(link["member"])))
    return found


async def erase(service: IdentityService, member_id: int | None) -> dict[str, Any]:
    """Erase the person's personal data; their memberships stay, pseudonymised.

    Ledger and order rows keep pointing at the member ids, which no longer lead to a person:
    the names become ``erased member <id>``, numbers and codes are deleted, tokens revoked,
    and what other services keep of the person (``service.personal_data``, e.g. purchase
    facts and profile tags) is erased in the same transaction.
    """
    account_id = await _require_account(member_id)
    links = await Membership.select(Membership.member).where(Membership.account == account_id)
    async with Account._meta.db.transaction():
        account = await Account.select(Account.phone_index).where(Account.id == account_id).first()
        if account and account["phone_index"]:
            await OneTimeCode.delete().where(OneTimeCode.phone_index == account["phone_index"])
        await Account.update(
            {
                Account.phone_sealed: None,
                Account.phone_index: None,
                Account.phone_masked: None,
                Account.national_id_sealed: None,
                Account.national_id_index: None,
                Account.username: None,
                Account.password_hash: None,
                Account.erased_at: datetime.now(UTC),
            }
        ).where(Account.id == account_id)
        await Consent.delete().where(Consent.account == account_id)
        for link in links:
            member = link["member"]
            await Member.update(
                {
                    Member.display_name: f"erased member {member}",
                    Member.phone_masked: None,
                    Member.token_hash: hash_token(secrets.token_urlsafe(32)),
                }
            ).where(Member.id == member)
            await RefreshToken.update({RefreshToken.revoked: True}).where(
                RefreshToken.member == member
            )
        for holder in service.personal_data:
            await holder.erase_members([link["member"] for link in links])
        await forget_notifications([link["member"] for link in links])
    forget_callers()  # the erased members' tokens no longer open anything
    return {"erased": True, "memberships": len(links)}


async def reseal_personal_data(service: IdentityService) -> int:
    """Re-encrypt every sealed number with the current data key (after a key rotation).

    Put the new key first in ``LINLI_IDENTITY_DATA_KEYS``, keep the old ones after it, run
    this, then drop the old keys. Returns how many accounts were re-encrypted.
    """
    keys = (await service.keys()).data
    rows = await Account.select(Account.id, Account.phone_sealed, Account.national_id_sealed)
    changed = 0
    for row in rows:
        values: dict[Any, Any] = {}
        for column, purpose in (
            (Account.phone_sealed, "phone"),
            (Account.national_id_sealed, "national_id"),
        ):
            sealed = row[column._meta.name]
            if sealed and (fresh := keys.reseal(sealed, purpose)) != sealed:
                values[column] = fresh
        if values:
            await Account.update(values).where(Account.id == row["id"])
            changed += 1
    return changed
