"""Accounts and signing in: phone + one-time code for residents, password for operators.

A person is an :class:`~.tables.Account`; each community they belong to is a membership (the
core's ``linli_member`` row, linked through :class:`~.tables.Membership`). Signing a resident in
to a community they do not belong to yet makes them a member there: unverified, so they may
browse but not buy or book until verified (:mod:`.verification`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from linli_sdk import Community, Forbidden, Role

from linli.identity.auth import hash_token, new_token

from ..errors import Unauthorized
from ..tables import Member
from .personal_data import mask_phone, normalise_phone
from .service import IdentityService
from .tables import Account, Membership, OneTimeCode

__all__ = [
    "CODE_TTL",
    "TooManyRequests",
    "account_by_phone",
    "create_operator_account",
    "join",
    "link_member",
    "masked_phone",
    "member_of",
    "request_sign_in_code",
    "sign_in_with_code",
    "sign_in_with_password",
]

CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
_hasher = PasswordHasher()


class TooManyRequests(Forbidden):
    """Too many sign-in attempts or code requests: try again later (HTTP 429)."""

    status = 429
    title = "Too Many Requests"
    slug = "too-many-requests"


def _code_hash(service_index_key: bytes, phone_index: str, code: str) -> str:
    return hmac.new(service_index_key, f"{phone_index}:{code}".encode(), hashlib.sha256).hexdigest()


async def account_by_phone(service: IdentityService, phone: str, *, create: bool) -> int | None:
    """The account id behind a (normalised) phone number; created if asked and missing."""
    keys = (await service.keys()).data
    index = keys.blind_index(phone, "phone")
    row = await Account.select(Account.id).where(Account.phone_index == index).first()
    if row is not None:
        return int(row["id"])
    if not create:
        return None
    (made,) = await Account.insert(
        Account(
            phone_sealed=keys.seal(phone, "phone"),
            phone_index=index,
            phone_masked=mask_phone(phone),
            created_at=datetime.now(UTC),
        )
    ).returning(Account.id)
    return int(made["id"])


async def request_sign_in_code(service: IdentityService, raw_phone: str, client: str) -> None:
    """Send a six-digit sign-in code to a phone (through the service's SMS sender).

    Limited per phone and per client address: :class:`TooManyRequests` past the limit.
    """
    phone = normalise_phone(raw_phone)
    keys = (await service.keys()).data
    index = keys.blind_index(phone, "phone")
    if not (service.code_requests.allow(index) and service.per_address.allow(f"code:{client}")):
        raise TooManyRequests("too many codes requested; try again in a few minutes")
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = datetime.now(UTC)
    await OneTimeCode.insert(
        OneTimeCode(
            phone_index=index,
            code_hash=_code_hash(keys.index_key, index, code),
            expires_at=now + CODE_TTL,
            created_at=now,
        )
    )
    await service.sms.send(phone, f"Linli sign-in code: {code} (valid 5 minutes)")


async def sign_in_with_code(
    service: IdentityService, raw_phone: str, code: str, client: str
) -> int:
    """The account id for a phone whose latest code matches; created on first sign-in.

    Raises:
        Unauthorized: no valid code (wrong, expired, used, or too many attempts on it).
        TooManyRequests: too many sign-in attempts from this phone or address.
    """
    phone = normalise_phone(raw_phone)
    keys = (await service.keys()).data
    index = keys.blind_index(phone, "phone")
    if not (service.sign_ins.allow(index) and service.per_address.allow(f"in:{client}")):
        raise TooManyRequests("too many sign-in attempts; try again in a few minutes")
    row = (
        await OneTimeCode.select()
        .where(
            (OneTimeCode.phone_index == index)
            & (OneTimeCode.used == False)  # noqa: E712
            & (OneTimeCode.expires_at > datetime.now(UTC))
        )
        .order_by(OneTimeCode.id, ascending=False)
        .first()
    )
    if row is None or row["attempts"] >= MAX_ATTEMPTS:
        raise Unauthorized("no valid sign-in code; request a new one")
    await OneTimeCode.update({OneTimeCode.attempts: OneTimeCode.attempts + 1}).where(
        OneTimeCode.id == row["id"]
    )
    if not hmac.compare_digest(row["code_hash"], _code_hash(keys.index_key, index, code)):
        raise Unauthorized("the sign-in code is not right")
    used = (
        await OneTimeCode.update({OneTimeCode.used: True})
        .where(
            (OneTimeCode.id == row["id"]) & (OneTimeCode.used == False)  # noqa: E712
        )
        .returning(OneTimeCode.id)
    )
    if not used:
        raise Unauthorized("the sign-in code was already used")
    account = await account_by_phone(service, phone, create=True)
    assert account is not None
    return account


async def create_operator_account(username: str, password: str) -> int:
    """An account that signs in by username and password (argon2id hash stored)."""
    (row,) = await Account.insert(
        Account(
            username=username,
            password_hash=await asyncio.to_thread(_hasher.hash, password),
            created_at=datetime.now(UTC),
        )
    ).returning(Account.id)
    return int(row["id"])


async def sign_in_with_password(
    service: IdentityService, username: str, password: str, client: str
) -> int:
    """The account id for a username and password; :class:`Unauthorized` otherwise."""
    if not (
        service.sign_ins.allow(f"user:{username}") and service.per_address.allow(f"in:{client}")
    ):
        raise TooManyRequests("too many sign-in attempts; try again in a few minutes")
    row = (
        await Account.select(Account.id, Account.password_hash)
        .where(Account.username == username)
        .first()
    )
    try:
        if row is None or row["password_hash"] is None:
            raise VerificationError
        # argon2 takes tens of milliseconds on purpose: off the event loop.
        await asyncio.to_thread(_hasher.verify, row["password_hash"], password)
    except VerificationError as exc:
        raise Unauthorized("the username or password is not right") from exc
    return int(row["id"])


async def member_of(account_id: int, community: Community) -> int | None:
    """The account's member id in ``community``, or ``None``."""
    row = (
        await Membership.select(Membership.member)
        .where((Membership.account == account_id) & (Membership.community == community.id))
        .first()
    )
    return None if row is None else int(row["member"])


async def link_member(account_id: int, community: Community, member_id: int) -> None:
    """Record that ``member_id`` (a membership of ``community``) is the account's."""
    await Membership.insert(
        Membership(community=community.id, member=member_id, account=account_id)
    )


async def join(account_id: int, community: Community, display_name: str) -> int:
    """Make the account an (unverified) member of ``community``; its member id."""
    existing = await member_of(account_id, community)
    if existing is not None:
        return existing
    (row,) = await Member.insert(
        Member(
            community=community.id,
            display_name=display_name,
            roles=[Role.MEMBER.value],
            verified=False,
            phone_masked=await masked_phone(account_id),
            token_hash=hash_token(new_token()),  # API tokens are for seeded members only
            created_at=datetime.now(UTC),
        )
    ).returning(Member.id)
    await link_member(account_id, community, int(row["id"]))
    return int(row["id"])


async def masked_phone(account_id: int) -> str | None:
    """The account's masked phone number, if it has one."""
    row = await Account.select(Account.phone_masked).where(Account.id == account_id).first()
    return None if row is None else row["phone_masked"]
