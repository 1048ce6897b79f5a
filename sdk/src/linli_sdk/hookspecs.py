"""Hook specifications: the moments the core calls plugins, each marked with ``linli_``.

Plugins implement them with :data:`~linli_sdk.hookimpl`. Every hook receives the ``host``
bound to the community and the plugin's own module (the core calls each plugin with its own
host). Event hooks may be ``async def``; the core awaits them. No result depends on the order
plugins were registered in.
"""

from __future__ import annotations

from collections.abc import Awaitable

import pluggy
from pydantic import BaseModel

from .host import Deadline, Event, Host
from .personal_data import MemberErasure, MemberRecords

__all__ = ["NAME", "hookimpl", "hookspec"]

NAME = "linli"
"""The project name that pairs hook specifications with implementations."""

hookspec = pluggy.HookspecMarker(NAME)
"""Marks a hook specification (used by the SDK only)."""

hookimpl = pluggy.HookimplMarker(NAME)
"""Marks a plugin's hook implementation: ``@hookimpl`` above a function named like the hook."""


@hookspec
def linli_module_enabled(host: Host, settings: BaseModel) -> Awaitable[None] | None:
    """React to an operator enabling the module for a community or changing its settings.

    Fires after the enablement and settings are stored. ``settings`` is the validated settings
    model for that community. The result is ignored; an exception is logged and does not undo
    the enablement.
    """


@hookspec
def linli_module_disabled(host: Host) -> Awaitable[None] | None:
    """React to an operator disabling the module for a community.

    Fires after the change is stored; the module's operations already answer 404 there. The
    module's data is kept. The result is ignored.
    """


@hookspec
def linli_event(host: Host, event: Event) -> Awaitable[None] | None:
    """Receive a domain event that happened in a community where the module is enabled.

    Fires after the call that published the event committed, for every module enabled in the
    community (including the publisher). Deliveries are at least once: use ``event.id`` to
    ignore a repeat. The result is ignored.
    """


@hookspec
def linli_deadline_reached(host: Host, deadline: Deadline) -> Awaitable[None] | None:
    """Handle a deadline the module scheduled through ``host.deadlines`` that is now due.

    Fires once per scheduled deadline, for the module that scheduled it only, unless the
    module declares deadline handlers (``Manifest.deadline_handlers``, see
    :func:`~linli_sdk.on_deadline`): those take its deadlines instead, routed by key, and a
    module may not do both. The result is ignored; raising makes the host retry it later.
    """


@hookspec
def linli_seed_demo(host: Host) -> Awaitable[None] | None:
    """Add a little example data to the demo community being created.

    Fires once, from ``linli demo``, after the module was enabled for the demo community.
    Optional; the result is ignored.
    """


@hookspec
def linli_member_data(
    host: Host, member_id: int
) -> Awaitable[list[MemberRecords]] | list[MemberRecords]:
    """Return what the module holds about a member, for their copy of it (PIPL art. 45).

    One :class:`~linli_sdk.MemberRecords` per kind of record (orders, bookings...), each with a
    short description and the records as plain JSON, including records the law makes the
    module keep. Fires when the member exports their data, in each community they belong to,
    whether or not the module is enabled there. Read only. The result is the module's section
    of the export; an exception fails the export.
    """
    raise NotImplementedError  # a specification: the plugins implement it


@hookspec
def linli_member_erased(host: Host, member_id: int) -> Awaitable[MemberErasure] | MemberErasure:
    """Delete or anonymise what the module holds about a member (PIPL art. 47).

    Keep only what a law requires (money records: the ledger keeps them in any case) and say
    so in :attr:`~linli_sdk.MemberErasure.kept`: the result says what was erased and kept.
    Fires when the member erases their data, in
    each community they belong to, in its own transaction; it must be safe to run again. If it
    raises, its writes roll back, the erasure reports the module as failed, and running the
    erasure again retries it.
    """
    raise NotImplementedError  # a specification: the plugins implement it
