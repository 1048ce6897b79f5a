"""What the ``linli`` command's groups share: running work on a started platform."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from .platform import Platform
from .settings import Settings

__all__ = ["run_on_platform"]

T = TypeVar("T")


def run_on_platform(work: Callable[[Platform], Awaitable[T]]) -> T:
    """Start the platform from the environment's settings, run ``work`` on it, stop it.

    A failure becomes a one-line message on the command line, not a traceback.
    """

    async def main() -> T:
        platform = Platform.from_settings(Settings())
        await platform.start()
        try:
            return await work(platform)
        finally:
            await platform.stop()

    try:
        return asyncio.run(main())
    except Exception as exc:  # a one-line message, not a traceback
        from linli_sdk import LinliError

        message = exc.detail if isinstance(exc, LinliError) else f"{type(exc).__name__}: {exc}"
        raise click.ClickException(message) from exc
