"""The identity service's tables.

Accounts are people (they span communities); memberships (the core's ``linli_member``) tie an
account to one community with roles there. Every row a community owns carries its community id.
Personal data is only ever stored sealed (``*_sealed``) and blind-indexed (``*_index``).
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from ..tables import Community, Member

__all__ = [
    "Account",
    "AuthorizationCode",
    "Consent",
    "IdentityKey",
    "Invitation",
    "MemberScopeGrant",
    "Membership",
    "NationalIdView",
    "OAuthClient",
    "OneTimeCode",
    "RefreshToken",
    "RevokedToken",
    "RoleInvitation",
    "Unit",
    "VerificationRequest",
]


class IdentityKey(Table, tablename="linli_identity_key"):
    """A key of the identity service.

    Signing keys always publish their public half here (the JWKS and token verification read
    it by ``kid``). ``private`` is set only for keys generated because the settings named none
    (development); configured keys keep their private half in the settings alone.
    """

    id = Serial(primary_key=True)

    kid = Varchar(length=64, unique=True, index=True)
    purpose = Varchar(length=20)  # "signing" | "data" | "index"
    algorithm = Varchar(length=20)
    issuer = Varchar(length=300)
    public_jwk = Text(default="")
    private = Text(null=True, default=None)
    created_at = Timestamptz()


class Account(Table, tablename="linli_identity_account"):
    """A person: signs in with a phone number (residents) or a password (operators)."""

    id = Serial(primary_key=True)

    phone_sealed = Text(null=True, default=None)
    phone_index = Varchar(length=64, null=True, default=None, unique=True, index=True)
    phone_masked = Varchar(length=32, null=True, default=None)
    national_id_sealed = Text(null=True, default=None)
    national_id_index = Varchar(length=64, null=True, default=None, index=True)
    username = Varchar(length=100, null=True, default=None, unique=True)
    password_hash = Varchar(length=200, null=True, default=None)
    erased_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class Unit(Table, tablename="linli_identity_unit"):
    """A household's home in a community: building and room (楼栋、房号)."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    building = Varchar(length=50)
    room = Varchar(length=50)
    scope_key = Varchar(length=200, unique=True)  # "<community>:<building>:<room>"
    created_at = Timestamptz()


class Membership(Table, tablename="linli_identity_membership"):
    """Which account a member (a ``linli_member`` row) is, and the unit they live in."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    member = ForeignKey(references=Member, unique=True)
    account = ForeignKey(references=Account, index=True)
    unit = ForeignKey(references=Unit, null=True, default=None)


class Invitation(Table, tablename="linli_identity_invitation"):
    """A resident invitation code for one unit, issued by a leader or operator (stored hashed)."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    unit = ForeignKey(references=Unit)
    code_hash = Varchar(length=64, unique=True, index=True)
    issued_by = ForeignKey(references=Member)
    uses_left = Integer(default=1)
    expires_at = Timestamptz()
    created_at = Timestamptz()


class RoleInvitation(Table, tablename="linli_identity_role_invitation"):
    """An invitation to hold a role in a community (leader, pickup host, provider staff).

    Addressed to a phone number (its blind index; the number itself is not kept here): the
    person accepts it by signing in to the community with that number. A pickup host or leader
    invitation may name the pickup point they will keep or lead; a provider staff invitation
    names the provider. ``status`` is ``pending``, ``accepted`` (``member`` then says who) or
    ``withdrawn``.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    phone_index = Varchar(length=64, index=True)
    phone_masked = Varchar(length=32)
    role = Varchar(length=20)
    display_name = Varchar(length=100)
    pickup_point = Integer(null=True, default=None)
    provider = Integer(null=True, default=None)
    invited_by = ForeignKey(references=Member, null=True, default=None)
    status = Varchar(length=20, default="pending")
    member = ForeignKey(references=Member, null=True, default=None)
    expires_at = Timestamptz()
    created_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)


class VerificationRequest(Table, tablename="linli_identity_verification_request"):
    """A member's request to be verified as a resident of a unit, decided by an operator."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    member = ForeignKey(references=Member)
    unit = ForeignKey(references=Unit)
    status = Varchar(length=20, default="pending")  # pending | approved | rejected
    decided_by = ForeignKey(references=Member, null=True, default=None)
    created_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)


class Consent(Table, tablename="linli_identity_consent"):
    """A person's recorded consent to one purpose (e.g. collecting their national ID)."""

    id = Serial(primary_key=True)

    account = ForeignKey(references=Account, index=True)
    purpose = Varchar(length=50)
    wording = Text()
    given_at = Timestamptz()
    withdrawn_at = Timestamptz(null=True, default=None)


class OneTimeCode(Table, tablename="linli_identity_one_time_code"):
    """A sign-in code sent to a phone (stored hashed, found by the phone's blind index)."""

    id = Serial(primary_key=True)

    phone_index = Varchar(length=64, index=True)
    code_hash = Varchar(length=64)
    attempts = Integer(default=0)
    used = Boolean(default=False)
    expires_at = Timestamptz()
    created_at = Timestamptz()


class OAuthClient(Table, tablename="linli_identity_client"):
    """A registered OAuth 2.0 client: a public frontend (no secret) or a provider's back end.

    A confidential client (client credentials) acts in one ``community`` with ``scopes``.
    """

    id = Serial(primary_key=True)

    client_id = Varchar(length=64, unique=True, index=True)
    secret_hash = Varchar(length=200, null=True, default=None)
    name = Varchar(length=200)
    redirect_uris = JSON(default=[])
    grant_types = JSON(default=[])
    scopes = Varchar(length=500, default="")
    community = ForeignKey(references=Community, null=True, default=None, index=True)
    created_at = Timestamptz()


class AuthorizationCode(Table, tablename="linli_identity_authorization_code"):
    """An authorization code waiting to be exchanged (stored hashed; used once)."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    code_hash = Varchar(length=64, unique=True, index=True)
    client_id = Varchar(length=64)
    member = ForeignKey(references=Member)
    redirect_uri = Varchar(length=500)
    scope = Varchar(length=500)
    code_challenge = Varchar(length=200)
    code_challenge_method = Varchar(length=10)
    expires_at = Timestamptz()


class RefreshToken(Table, tablename="linli_identity_refresh_token"):
    """A refresh token (stored hashed). Rotation revokes it when used; reuse revokes its family."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    token_hash = Varchar(length=64, unique=True, index=True)
    family = Varchar(length=64, index=True)
    client_id = Varchar(length=64)
    member = ForeignKey(references=Member)
    scope = Varchar(length=500)
    revoked = Boolean(default=False)
    expires_at = Timestamptz()
    created_at = Timestamptz()


class RevokedToken(Table, tablename="linli_identity_revoked_token"):
    """An access token (``jti``) or a whole sign-in (``sid:<family>``) revoked before expiry."""

    id = Serial(primary_key=True)

    jti = Varchar(length=64, unique=True, index=True)
    expires_at = Timestamptz()


class MemberScopeGrant(Table, tablename="linli_identity_member_scope_grant"):
    """A member scope (``members.phone``...) an operator granted one module in one community.

    One row per community, module and scope (``scope_key``); revoking keeps the row with who
    revoked it and when, granting again reopens it. ``granted_by``/``revoked_by`` are ``None``
    when the platform itself acted (the command line or the platform token).
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    module = Varchar(length=40)
    scope = Varchar(length=40)
    scope_key = Varchar(length=200, unique=True)  # "<community>:<module>:<scope>"
    granted_by = ForeignKey(references=Member, null=True, default=None)
    granted_at = Timestamptz()
    revoked_by = ForeignKey(references=Member, null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class NationalIdView(Table, tablename="linli_identity_national_id_view"):
    """The audit log of ID numbers unsealed for modules: whose, for which module, why, when."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    module = Varchar(length=40)
    member = ForeignKey(references=Member, index=True)
    purpose = Varchar(length=200)
    viewed_at = Timestamptz()
