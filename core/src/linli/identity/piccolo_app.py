"""The identity service's Piccolo app: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import (
    Account,
    AuthorizationCode,
    Consent,
    IdentityKey,
    Invitation,
    MemberScopeGrant,
    Membership,
    NationalIdView,
    OAuthClient,
    OneTimeCode,
    RefreshToken,
    RevokedToken,
    RoleInvitation,
    Unit,
    VerificationRequest,
)

APP_CONFIG = AppConfig(
    app_name="linli_identity",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        IdentityKey,
        Account,
        Unit,
        Membership,
        Invitation,
        VerificationRequest,
        Consent,
        OneTimeCode,
        OAuthClient,
        AuthorizationCode,
        RefreshToken,
        RevokedToken,
        MemberScopeGrant,
        NationalIdView,
        RoleInvitation,
    ],
    migration_dependencies=["linli.piccolo_app"],
    commands=[],
)
