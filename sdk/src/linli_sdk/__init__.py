"""linli-sdk: the contract Linli plugins are written against.

A plugin is a Python package whose entry point (group ``linli.plugins``) names a module with a
``manifest`` (:class:`Manifest`) and, optionally, hook implementations (:data:`hookimpl`).
Everything a plugin needs is importable from here.
"""

from .context import Caller, Community, Context
from .deadlines import DeadlineHandler, DeadlineKeyError, on_deadline
from .deprecation import LinliDeprecationWarning, deprecated
from .documents import (
    FORMULA_PREFIXES,
    csv_document,
    csv_text,
    qr_png,
    safe_csv_cell,
    safe_csv_rows,
)
from .emergency import (
    EMERGENCY_AMENDED,
    EMERGENCY_DECLARED,
    EMERGENCY_ENDED,
    Emergency,
    EmergencyState,
)
from .errors import (
    CapabilityUnavailable,
    Conflict,
    Forbidden,
    InvalidInput,
    LinliError,
    NotFound,
)
from .hookspecs import hookimpl
from .host import (
    CHARGE_CAPTURED,
    CHARGE_FAILED,
    CHARGE_PAID_OUT,
    CHARGE_REFUNDED,
    Charge,
    ChargeStatus,
    Credit,
    CreditStanding,
    Deadline,
    Deadlines,
    Dispatch,
    Event,
    Events,
    Files,
    GoodsLine,
    GoodsOrder,
    Host,
    JobRequest,
    JobTicket,
    Members,
    MemberView,
    Payments,
    Refund,
    Upload,
)
from .manifest import MEMBER_SCOPES, CreditEventSpec, Manifest, PayoutHold
from .money import CurrencyMismatch, Money, MoneyBounds
from .network import PickupPoints, PickupPointView
from .notifications import Notification, NotificationKind, Notifications, NotificationStatus
from .operations import (
    Document,
    Empty,
    Operation,
    OperationKind,
    RateLimit,
    command,
    query,
    stream,
)
from .personal_data import MemberErasure, MemberRecords, export_records
from .purchases import PurchaseFact, Purchases
from .revenue_share import RevenueShareRules, Share, fixed, percent, refund, remainder, split
from .roles import Role
from .vault import Vault

__version__ = "1.1.0"
"""The SDK's version; plugins declare the range they support in ``Manifest.sdk``."""

__all__ = [
    "CHARGE_CAPTURED",
    "CHARGE_FAILED",
    "CHARGE_PAID_OUT",
    "CHARGE_REFUNDED",
    "EMERGENCY_AMENDED",
    "EMERGENCY_DECLARED",
    "EMERGENCY_ENDED",
    "FORMULA_PREFIXES",
    "MEMBER_SCOPES",
    "Caller",
    "CapabilityUnavailable",
    "Charge",
    "ChargeStatus",
    "Community",
    "Conflict",
    "Context",
    "Credit",
    "CreditEventSpec",
    "CreditStanding",
    "CurrencyMismatch",
    "Deadline",
    "DeadlineHandler",
    "DeadlineKeyError",
    "Deadlines",
    "Dispatch",
    "Document",
    "Emergency",
    "EmergencyState",
    "Empty",
    "Event",
    "Events",
    "Files",
    "Forbidden",
    "GoodsLine",
    "GoodsOrder",
    "Host",
    "InvalidInput",
    "JobRequest",
    "JobTicket",
    "LinliDeprecationWarning",
    "LinliError",
    "Manifest",
    "MemberErasure",
    "MemberRecords",
    "MemberView",
    "Members",
    "Money",
    "MoneyBounds",
    "NotFound",
    "Notification",
    "NotificationKind",
    "NotificationStatus",
    "Notifications",
    "Operation",
    "OperationKind",
    "Payments",
    "PayoutHold",
    "PickupPointView",
    "PickupPoints",
    "PurchaseFact",
    "Purchases",
    "RateLimit",
    "Refund",
    "RevenueShareRules",
    "Role",
    "Share",
    "Upload",
    "Vault",
    "__version__",
    "command",
    "csv_document",
    "csv_text",
    "deprecated",
    "export_records",
    "fixed",
    "hookimpl",
    "on_deadline",
    "percent",
    "qr_png",
    "query",
    "refund",
    "remainder",
    "safe_csv_cell",
    "safe_csv_rows",
    "split",
    "stream",
]
