"""The manifest: what a plugin declares about itself, validated by the SDK when it is built."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .deadlines import DeadlineHandler, route_deadline
from .errors import InvalidInput
from .notifications import NotificationKind
from .operations import Empty, Operation
from .revenue_share import RevenueShareRules

__all__ = ["MEMBER_SCOPES", "CreditEventSpec", "Manifest", "PayoutHold"]

_SLUG = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

MEMBER_SCOPES: frozenset[str] = frozenset({"members.phone", "members.unit", "members.national_id"})
"""The member scopes a plugin may declare in :attr:`Manifest.member_scopes`.

``members.phone`` fills :attr:`~linli_sdk.MemberView.phone`, ``members.unit`` fills
:attr:`~linli_sdk.MemberView.unit` and ``members.national_id`` fills
:attr:`~linli_sdk.MemberView.national_id` — only once an operator has granted the scope to the
module for the community.
"""


class CreditEventSpec(BaseModel):
    """A credit event a plugin may emit, and the bounds of its weight.

    Attributes:
        name: The event's name within the module, e.g. ``picked_up_on_time``.
        min_weight: The lowest weight the plugin may give it (negative lowers credit).
        max_weight: The highest weight the plugin may give it.
        description: What the event means, shown when a score is explained.

    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,59}$")
    min_weight: int
    max_weight: int
    description: str

    @model_validator(mode="after")
    def _ordered(self) -> CreditEventSpec:
        if self.min_weight > self.max_weight:
            raise ValueError(f"credit event {self.name}: min_weight exceeds max_weight")
        return self


class PayoutHold(BaseModel):
    """How long a module's charges are held before their shares are paid out to the parties.

    ``PayoutHold(days=7)`` pays a share out seven days after the capture;
    ``PayoutHold(until_released=True)`` only after the module calls
    :meth:`~linli_sdk.Payments.release` for the charge (e.g. when the pickup is verified,
    核销), and ``days`` more after the release if both are given. The platform's own minimum
    hold (``LINLI_SETTLEMENT_PAYOUT_HOLD_SECONDS``) applies when it is longer.

    Attributes:
        days: Whole days to hold each share (from the capture, or from the release).
        until_released: Hold each charge's shares until the module releases the charge.

    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: int = Field(default=0, ge=0, le=3650)
    until_released: bool = False


class Manifest(BaseModel):
    """Everything a plugin declares: identity, compatibility, settings and contributions.

    Attributes:
        name: The module's name, unique on the platform; used in URLs and table prefixes.
        version: The plugin's version (PEP 440).
        sdk: The range of SDK versions the plugin supports, e.g. ``>=1.0,<2``.
        title: A short human title, e.g. ``Notice board (公告栏)``.
        description: What the module does, for operators choosing modules.
        settings: The pydantic model of its per-community settings; every field needs a default
            that fits the field (amounts of money bounded with :class:`~linli_sdk.MoneyBounds`).
        operations: Its commands and queries.
        credit_events: The credit events it may emit, with weight bounds.
        revenue_share: How its charges are split, or ``None`` if it never charges.
        deposit_rules: How a deposit it captures is split (see
            :meth:`~linli_sdk.Payments.hold_deposit`), or ``None`` if it holds no deposits.
            Separate from ``revenue_share``: a kept deposit (a damaged drill) is not a sale.
        piccolo_app: Dotted path of its Piccolo app config module (its tables and migrations).
        payout_hold: How long its charges' shares are held before payout (see
            :class:`PayoutHold`); ``None`` uses the platform's hold.
        member_scopes: The personal data of members it asks to see, from
            :data:`MEMBER_SCOPES`; an operator grants each per community.
        deadline_handlers: Its deadline handlers (:func:`~linli_sdk.on_deadline`), one per key
            pattern; a module that declares any is called through them, not through
            ``linli_deadline_reached``, and may schedule only keys they match.
        notification_kinds: The kinds of notification it sends members through
            ``host.notifications`` (see :class:`~linli_sdk.NotificationKind`); a member may opt
            out of each.

    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    name: str
    version: str
    sdk: str
    title: str
    description: str = ""
    settings: type[BaseModel] = Empty
    operations: tuple[Operation, ...] = ()
    credit_events: tuple[CreditEventSpec, ...] = ()
    revenue_share: RevenueShareRules | None = None
    deposit_rules: RevenueShareRules | None = None
    piccolo_app: str | None = None
    member_scopes: frozenset[str] = frozenset()
    payout_hold: PayoutHold | None = None
    deadline_handlers: tuple[DeadlineHandler, ...] = ()
    notification_kinds: tuple[NotificationKind, ...] = ()

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(f"invalid module name {value!r}: use lower-case letters, digits, _")
        return value

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        try:
            Version(value)
        except InvalidVersion as exc:
            raise ValueError(f"invalid version {value!r}") from exc
        return value

    @field_validator("sdk")
    @classmethod
    def _sdk(cls, value: str) -> str:
        try:
            specifiers = SpecifierSet(value)
        except InvalidSpecifier as exc:
            raise ValueError(f"invalid SDK range {value!r}") from exc
        if not len(specifiers):
            raise ValueError(f"invalid SDK range {value!r}: declare one, e.g. '>=1.0,<2'")
        return value

    @field_validator("member_scopes")
    @classmethod
    def _member_scopes(cls, value: frozenset[str]) -> frozenset[str]:
        unknown = sorted(value - MEMBER_SCOPES)
        if unknown:
            known = ", ".join(sorted(MEMBER_SCOPES))
            raise ValueError(f"unknown member scopes {', '.join(unknown)}: use {known}")
        return value

    @field_validator("settings")
    @classmethod
    def _settings_have_defaults(cls, value: type[BaseModel]) -> type[BaseModel]:
        try:
            defaults = value()
        except Exception as exc:
            raise ValueError(
                f"settings model {value.__name__} needs a default for every field"
            ) from exc
        try:  # pydantic does not validate defaults: a default outside its bounds is a bug
            value.model_validate(defaults.model_dump())
        except ValidationError as exc:
            raise ValueError(
                f"settings model {value.__name__}: a default does not fit its field: {exc}"
            ) from exc
        return value

    @model_validator(mode="after")
    def _unique(self) -> Manifest:
        for label, names in (
            ("operation", [op.name for op in self.operations]),
            ("credit event", [e.name for e in self.credit_events]),
            ("deadline pattern", [h.pattern for h in self.deadline_handlers]),
            ("notification kind", [k.name for k in self.notification_kinds]),
        ):
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise ValueError(f"duplicate {label} names: {', '.join(dupes)}")
        return self

    def supports(self, sdk_version: str) -> bool:
        """Tell whether this plugin supports the SDK at ``sdk_version``."""
        return SpecifierSet(self.sdk).contains(Version(sdk_version), prereleases=True)

    def operation(self, name: str) -> Operation | None:
        """Return the operation called ``name``, or ``None``."""
        return next((op for op in self.operations if op.name == name), None)

    def credit_event(self, name: str) -> CreditEventSpec | None:
        """Return the declared credit event called ``name``, or ``None``."""
        return next((e for e in self.credit_events if e.name == name), None)

    def notification_kind(self, name: str) -> NotificationKind | None:
        """Return the declared notification kind called ``name``, or ``None``."""
        return next((k for k in self.notification_kinds if k.name == name), None)

    def validate_settings(self, settings: Mapping[str, Any]) -> BaseModel:
        """Validate an operator's ``settings`` against the settings model, as the platform does.

        Raises:
            InvalidInput: A setting the model does not declare, or a value that does not fit;
                the ``errors`` member names each (``settings.<name>``).

        """
        model = self.settings
        known = {info.alias or name for name, info in model.model_fields.items()}
        unknown = sorted(set(settings) - known)
        if unknown:
            errors = [
                {"field": f"settings.{name}", "message": "no such setting"} for name in unknown
            ]
            fields = ", ".join(e["field"] for e in errors)
            raise InvalidInput(f"invalid settings for {self.name}: unknown {fields}", errors=errors)
        try:
            return model.model_validate(dict(settings))
        except ValidationError as exc:
            raise InvalidInput.from_validation(
                exc, f"settings for {self.name}", "settings"
            ) from exc

    def deadline_handler(self, key: str) -> DeadlineHandler | None:
        """The declared handler for the deadline ``key``; ``None`` if the module declares none.

        Raises:
            DeadlineKeyError: The module declares handlers, and none (or more than one) takes
                ``key``, or a field of it does not convert to the handler's type.

        """
        if not self.deadline_handlers:
            return None
        return route_deadline(self.deadline_handlers, key)

    def settings_schema(self) -> dict[str, Any]:
        """Return the JSON Schema of the settings model (what an operator may set)."""
        return self.settings.model_json_schema()
