"""The in-memory host: every port of the kit, bound to one community and one module."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from ..context import Community
from ..manifest import Manifest
from .credit import KitCredit
from .deadlines import KitDeadlines
from .dispatch import KitDispatch
from .emergency import KitEmergency, KitVault
from .events import KitEvents
from .files import KitFiles
from .members import KitMembers
from .notifications import KitNotifications
from .payments import KitPayments
from .pickup_points import KitPickupPoints
from .purchases import KitPurchases
from .transaction import savepoints

__all__ = ["InMemoryHost"]


class InMemoryHost:
    """A complete host kept in memory, bound to one community and one module.

    Its ports keep what they were asked in plain attributes a test can read:
    ``payments.charges``, ``payments.refunds`` (by charge id and ref), ``payments.released_at``
    (with ``payments.payable(charge_id)`` telling whether the payout hold is over;
    ``payments.decline_next()`` makes the gateway refuse the next charge;
    ``payments.set_overrides({...})`` sets the community's revenue-share overrides;
    ``payments.paid_out`` the charges a kit payout batch paid), ``credit.events``,
    ``credit.standings`` (a member's :class:`~linli_sdk.CreditStanding`; others stand at
    ``BASE_STANDING``), ``dispatch.jobs``, ``dispatch.goods`` (the orders each
    ``goods_documents`` call printed), ``files.files`` (upload id -> reference and bytes),
    ``deadlines.pending``, ``events.published`` (with the platform's own events the kit
    delivered, such as ``settlement.charge_failed``, whose ``module`` is ``None``),
    ``members.members`` (every member's full
    record), ``members.granted`` (the member scopes granted), ``members.national_id_views``
    (``(member id, purpose)`` for each view that carried an ID number, as the audit log has it),
    ``pickup_points.points`` (the pickup points a test added, by id), ``emergency.declared``
    (the emergencies a test declared, by id), ``purchases.facts``
    (the :class:`~linli_sdk.PurchaseFact` each ``(ref, item)`` recorded) and
    ``notifications.sent`` (every notification with its status; ``notifications.opt_out``,
    ``notifications.set_policy`` and ``notifications.due()`` as the community's rules have them).
    """

    def __init__(self, manifest: Manifest, community: Community, clock: Callable[[], datetime]):
        self.community = community
        self.module = manifest.name
        self.now = clock
        self.payments = KitPayments(manifest, clock)
        self.credit = KitCredit(manifest)
        self.deadlines = KitDeadlines(manifest)
        self.events = KitEvents(self.module, community, clock)
        self.dispatch = KitDispatch(self.module, self.events, clock)
        self.members = KitMembers(manifest)
        self.files = KitFiles()
        self.pickup_points = KitPickupPoints()
        self.emergency = KitEmergency(clock)
        self.vault = KitVault(f"{community.id}:{self.module}")
        self.purchases = KitPurchases(self.module, community, clock, self.members)
        self.notifications = KitNotifications(manifest, community, self.members, clock)
        self._manifest = manifest

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """A savepoint: if the block raises, its rows and what it asked of the host are undone.

        The module's rows are those of the tables its Piccolo app lists, on the engines they
        are bound to; outside a transaction the block is one, committed when it ends.
        """
        snapshot = self._snapshot()
        try:
            async with savepoints(self._manifest):
                yield
        except BaseException:
            self._restore(snapshot)
            raise

    def _undoable(self) -> tuple[dict[Any, Any] | list[Any] | set[Any], ...]:
        """What the plugin can change through the host: undone when a unit of work raises."""
        return (
            self.payments.charges,
            self.payments.refunds,
            self.payments.rules,
            self.payments.actions,
            self.payments.queue,
            self.payments.captured_at,
            self.payments.released_at,
            self.payments.declines,
            self.payments.payees,
            self.payments.paid_out,
            self.payments.announced,
            self.credit.events,
            self.dispatch.jobs,
            self.deadlines.pending,
            self.events.published,
            self.members.national_id_views,
            self.purchases.facts,
            self.notifications.sent,
            self.notifications.contents,
            self.notifications.refs,
            self.notifications.sent_at,
        )

    def _snapshot(self) -> tuple[dict[Any, Any] | list[Any] | set[Any], ...]:
        """Copy what the plugin can change, to undo a unit of work that raised."""
        return tuple(container.copy() for container in self._undoable())

    def _restore(self, snapshot: tuple[dict[Any, Any] | list[Any] | set[Any], ...]) -> None:
        """Put back what :meth:`_snapshot` copied (in place, so references stay valid)."""
        containers = self._undoable()
        for container, saved in zip(containers, snapshot, strict=True):
            container.clear()
            if isinstance(container, dict) and isinstance(saved, dict):
                container.update(saved)
            elif isinstance(container, list) and isinstance(saved, list):
                container.extend(saved)
            elif isinstance(container, set) and isinstance(saved, set):
                container.update(saved)
