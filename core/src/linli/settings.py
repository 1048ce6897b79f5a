"""Platform settings, read from the environment (prefix ``LINLI_``) and an optional ``.env``."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated

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
        admin_token: A platform operator's token (above communities); unset disables it.
        host: Address ``linli serve`` binds.
        port: Port ``linli serve`` binds.
        debug: Litestar's debug mode: exceptions logged with tracebacks (not for production).
    """

    model_config = SettingsConfigDict(env_prefix="LINLI_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///linli.db"
    plugins_allow: Annotated[list[str] | None, NoDecode] = None
    plugins_deny: Annotated[list[str], NoDecode] = Field(default_factory=list)
    admin_token: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    debug: bool = False

    @field_validator("plugins_allow", "plugins_deny", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @cached_property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, or ``None`` when the database is PostgreSQL."""
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///"))
        return None
