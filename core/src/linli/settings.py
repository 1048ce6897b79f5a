"""Platform settings, read from the environment (prefix ``LINLI_``) and an optional ``.env``."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Everything the platform reads at start-up.

    Attributes:
        database_url: ``sqlite:///path/to/file.db`` (the embedded default) or
            ``postgresql://user:pass@host:5432/db``.
        plugins_allow: If set, only these modules are loaded (comma-separated in the env).
        plugins_deny: These modules are never loaded (comma-separated in the env).
        modules_dir: Where ``linli plugin install`` puts modules from outside the platform's
            environment (which ``uv sync`` leaves alone); the platform loads the modules found
            there too. Relative to the working directory, like the SQLite file.
        admin_token: A platform operator's token (above communities); unset disables it.
        host: Address ``linli serve`` binds.
        port: Port ``linli serve`` binds.
        debug: Litestar's debug mode: exceptions logged with tracebacks (not for production).
        cors_origins: Web origins whose pages may call the API from a browser (CORS), e.g.
            ``https://app.example.com``; comma-separated in the env. Empty: none.
        public_url: The address people and clients reach the platform at (scheme, host,
            port, optional path), e.g. ``https://linli.example.com``: the OAuth issuer and
            every absolute link the platform prints or signs. Default: ``http://HOST:PORT``.
    """

    model_config = SettingsConfigDict(env_prefix="LINLI_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///linli.db"
    database_pool_min_size: int = Field(default=2, ge=0)
    """PostgreSQL: connections each process opens at start-up and keeps."""
    database_pool_max_size: int = Field(default=20, ge=1)
    """PostgreSQL: the most connections each process holds at once."""
    database_statement_cache_size: int = Field(default=100, ge=0)
    """PostgreSQL: prepared statements asyncpg keeps per connection; ``0`` behind a pooler in
    transaction mode (PgBouncer), where the next transaction may run on another connection."""
    plugins_allow: Annotated[list[str] | None, NoDecode] = None
    plugins_deny: Annotated[list[str], NoDecode] = Field(default_factory=list)
    modules_dir: Path | None = Path("linli-modules")
    admin_token: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    debug: bool = False
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    public_url: str | None = None
    log_format: Literal["text", "json"] = "text"
    """Log lines as ``text`` or ``json`` (one object a line), each with its request's id."""
    platform_operators: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Phone numbers of the people who operate the whole platform in the console (``/console``),
    comma-separated in the env; a community's operators sign in there without being listed."""
    metrics_token: str | None = None
    """If set, ``GET /metrics`` asks for it as a bearer token; unset, the route is open."""

    @field_validator(
        "plugins_allow", "plugins_deny", "cors_origins", "platform_operators", mode="before"
    )
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @field_validator("modules_dir", mode="before")
    @classmethod
    def _no_modules_dir(cls, value: object) -> object:
        return None if value == "" else value  # LINLI_MODULES_DIR= turns the directory off

    @cached_property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, or ``None`` when the database is PostgreSQL."""
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///"))
        return None

    @property
    def base_url(self) -> str:
        """The public base URL, without a trailing slash (``public_url``, else the bound one)."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def issuer(self) -> str:
        """The OAuth issuer: ``identity_issuer`` if set, else the public base URL."""
        return self.identity_issuer or self.base_url

    # identity: OAuth 2.0 tokens and personal data keys (see docs/identity.md)
    identity_issuer: str | None = None
    """The OAuth issuer (``iss``), when it must differ from the public base URL."""
    identity_signing_key: str | None = None
    identity_data_keys: str | None = None
    identity_index_key: str | None = None
    identity_access_token_ttl: int = 900
    identity_refresh_token_ttl: int = 30 * 24 * 3600

    # dispatch: the worker, retries and webhooks (see docs/dispatch.md)
    dispatch_worker: bool = True
    """Run the dispatch worker inside the app process (``linli serve``)."""
    dispatch_poll_seconds: float = 1.0
    dispatch_retry_base_seconds: float = 2.0
    dispatch_retry_cap_seconds: float = 3600.0
    dispatch_max_attempts: int = 15
    dispatch_lease_seconds: float = 60.0
    dispatch_webhook_timeout_seconds: float = 10.0
    dispatch_webhook_allow: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Networks webhooks may reach although not public (CIDRs, comma-separated in the env)."""

    @field_validator("dispatch_webhook_allow", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            return [net.strip() for net in value.split(",") if net.strip()]
        return value

    # settlement: the payment gateway (see docs/settlement.md)
    settlement_gateway: str = "sandbox"
    """The payment gateway: ``sandbox`` (the embedded default, test money)."""
    settlement_sandbox_fee_bp: int = Field(default=60, ge=0, le=10_000)
    """The sandbox gateway's fee in basis points of each capture (60 bp = 0.6 %)."""
    settlement_stripe_api_key: str | None = None
    """Stripe's secret key (``sk_test_...`` is shown as test money); needed for ``stripe``."""
    settlement_stripe_api_base: str = "https://api.stripe.com"
    """Where Stripe's API answers (tests point it at a local fake)."""
    settlement_stripe_webhook_secret: str | None = None
    """The signing secret of the Stripe webhook endpoint (``whsec_...``)."""
    settlement_stripe_payment_method: str = "pm_card_visa"
    """The payment method server-side confirmation uses (test mode only)."""
    settlement_stripe_connect_api_base: str | None = None
    """Where Stripe Connect's endpoints answer (accounts, transfers); defaults to the API base."""
    settlement_payout_hold_seconds: int = Field(default=0, ge=0)
    """How long a payee's earnings are held before a payout batch may pay them."""
    settlement_sweep_seconds: float = Field(default=30.0, gt=0)
    """A gateway intent left pending (a crash, a gateway outage) is carried out by the worker
    within about this long: it sweeps every half of it the intents older than the other half."""

    # credit: the score model and the gates it opens (see docs/credit.md)
    credit_base_score: int = Field(default=600, ge=0, le=1000)
    """The score of a member or provider with no credit events."""
    credit_half_life_days: float = Field(default=180.0, gt=0)
    """After this many days a credit event counts half (exponential decay)."""
    credit_cap_per_module: int = Field(default=200, ge=1)
    """Points one module may add (and, apart, take) per subject per cap period, before decay."""
    credit_cap_period_days: int = Field(default=30, ge=1)
    """The length of a cap period in days."""
    credit_pay_after_service_score: int = Field(default=700, ge=0, le=1000)
    """From this score a resident is ``trusted``: books now and pays after the service."""
    credit_deposits_waived_score: int = Field(default=650, ge=0, le=1000)
    """From this score a resident's deposits are waived."""
    credit_restricted_below: int = Field(default=400, ge=0, le=1000)
    """Below this score a member's tier is ``restricted``."""
    credit_provider_suspend_below: int = Field(default=450, ge=0, le=1000)
    """A negative event leaving an admitted provider below this score suspends it."""
    credit_provider_probation_suspend_below: int = Field(default=500, ge=0, le=1000)
    """The same threshold while the provider is on probation (stricter)."""
    credit_provider_probation_days: int = Field(default=30, ge=0)
    """How long a newly admitted (or reinstated) provider stays on probation."""

    # upkeep: what the worker purges on a schedule (see docs/operating.md)
    purge_interval_seconds: float = Field(default=3600.0, gt=0)
    """How often the worker purges expired sign-in codes and tokens, old idempotency records
    and old uploads."""
    idempotency_retention_hours: float = Field(default=24.0, gt=0)
    """How long an ``Idempotency-Key`` is remembered (a repeat after that runs again)."""
    upload_retention_days: float = Field(default=365.0, ge=0)
    """How long uploads (after-sale photos) are kept; 0 keeps them for good."""

    # files: uploads sent with module operations (see docs/group-buying.md#uploads)
    upload_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1)
    """The largest file an operation accepts (an after-sale photo)."""
    upload_media_types: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["image/jpeg", "image/png", "image/webp", "image/heic"]
    )
    """Media types an upload may have (comma-separated in the env)."""

    @field_validator("upload_media_types", mode="before")
    @classmethod
    def _split_media_types(cls, value: object) -> object:
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value
