"""Where every table would live past one machine: the plan for Citus, checked against the schema.

Citus spreads a *distributed* table's rows over worker nodes by one column (here the
community) and copies a *reference* table whole to every node. Every table of the core and of
the modules shipped with the platform is in exactly one of the two lists below;
``tests/db/test_distribution.py`` fails when a table is in neither, when a distributed table has
no community column, or when these lists and the table in ``docs/deploying.md`` differ. This
is a plan checked against the table definitions, not a claim that the platform ran on Citus.
"""

from __future__ import annotations

__all__ = ["COMMUNITY_COLUMNS", "DISTRIBUTED_BY_COMMUNITY", "REFERENCE_TABLES", "classify"]

COMMUNITY_COLUMNS = ("community", "community_id")
"""The names a distributed table's community column may have (core tables, module tables)."""

DISTRIBUTED_BY_COMMUNITY: dict[str, tuple[str, ...]] = {
    "linli": (
        "linli_member",
        "linli_warehouse",
        "linli_pickup_point",
        "linli_module_setting",
        "linli_idempotency",
    ),
    "linli_identity": (
        "linli_identity_unit",
        "linli_identity_membership",
        "linli_identity_invitation",
        "linli_identity_verification_request",
        "linli_identity_authorization_code",
        "linli_identity_refresh_token",
        "linli_identity_member_scope_grant",
        "linli_identity_national_id_view",
        "linli_identity_role_invitation",
    ),
    "linli_settlement": (
        "linli_settlement_charge",
        "linli_settlement_ledger_txn",
        "linli_settlement_ledger_entry",
        "linli_settlement_intent",
        "linli_settlement_gateway_event",
        "linli_settlement_share_override",
        "linli_settlement_release",
        "linli_settlement_connected_account",
        "linli_settlement_transfer",
        "linli_settlement_sandbox_call",
    ),
    "linli_dispatch": (
        "linli_dispatch_deadline",
        "linli_dispatch_outbox",
        "linli_dispatch_delivery",
        "linli_dispatch_webhook",
        "linli_dispatch_worker",
        "linli_dispatch_job",
    ),
    "linli_files": ("linli_files_upload",),
    "linli_emergency": ("linli_emergency_declaration",),
    "linli_credit": (
        "linli_credit_event",
        "linli_credit_annulment",
        "linli_credit_audit",
        "linli_credit_application",
        "linli_credit_provider",
        "linli_credit_appeal",
        "linli_credit_rating",
    ),
    "linli_profiles": (
        "linli_profiles_fact",
        "linli_profiles_consent",
        "linli_profiles_tag",
        "linli_profiles_reminder",
    ),
    "linli_insights": ("linli_insights_setting", "linli_insights_remark"),
    "linli_notifications": (
        "linli_notifications_channel",
        "linli_notifications_policy",
        "linli_notifications_opt_out",
        "linli_notifications_message",
        "linli_notifications_delivery",
        "linli_notifications_log",
        "linli_notifications_sms_sandbox",
    ),
    "bill_payment": ("bill_payment_payment", "bill_payment_account"),
    "charity": ("charity_fund", "charity_campaign", "charity_purchase", "charity_fund_entry"),
    "elder_meals": (
        "elder_meals_elder",
        "elder_meals_family",
        "elder_meals_menu",
        "elder_meals_order",
    ),
    "gov_services": (
        "gov_services_service",
        "gov_services_slot",
        "gov_services_staff",
        "gov_services_appointment",
        "gov_services_subsidy_claim",
    ),
    "group_buying": (
        "group_buying_campaign",
        "group_buying_participant",
        "group_buying_order",
        "group_buying_pickup",
        "group_buying_claim",
        "group_buying_live_session",
        "group_buying_live_item",
        "group_buying_live_allowance",
        "group_buying_live_order",
    ),
    "emergency_supply": (
        "emergency_supply_pack",
        "emergency_supply_household",
        "emergency_supply_allowance",
        "emergency_supply_order",
        "emergency_supply_dispatcher",
    ),
    "housekeeping": ("housekeeping_service", "housekeeping_booking", "housekeeping_voucher"),
    "noticeboard": ("noticeboard_notice",),
    "parcels": ("parcels_courier", "parcels_parcel"),
}
"""Tables whose every row belongs to one community, by Piccolo app: distributed by it."""

REFERENCE_TABLES: dict[str, str] = {
    "linli_community": "the communities themselves; every distributed row points at one",
    "linli_provider": "a provider (a company) serves several communities",
    "linli_identity_key": "the platform's signing keys",
    "linli_identity_account": "a person's account, the same in every community they live in",
    "linli_identity_consent": "a person's consents, kept with their account",
    "linli_identity_one_time_code": "sign-in codes, by phone, before a community is chosen",
    "linli_identity_client": "OAuth clients; a public app signs people in to any community",
    "linli_identity_revoked_token": "revoked access tokens, checked on every call",
    "linli_console_session": "console sign-ins, by account, across the communities operated",
    "migration": "Piccolo's record of the migrations applied",
}
"""Tables not owned by one community, with the reason: copied whole to every node."""


def classify(table: str) -> str | None:
    """``"distributed"``, ``"reference"``, or ``None`` for a table in neither list."""
    if any(table in tables for tables in DISTRIBUTED_BY_COMMUNITY.values()):
        return "distributed"
    if table in REFERENCE_TABLES:
        return "reference"
    return None
