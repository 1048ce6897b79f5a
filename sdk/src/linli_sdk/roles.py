"""Roles a member holds in a community, and what an operation requires of its caller."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Role"]


class Role(StrEnum):
    """A role a member holds in one community.

    ``MEMBER`` is held by everyone who belongs to the community; an operation that requires it is
    open to every member, verified or not. The others are granted per community.
    """

    MEMBER = "member"
    """Anyone who belongs to the community (居民, including not yet verified)."""
    RESIDENT = "resident"
    """A verified resident (居民) who may buy and book."""
    LEADER = "leader"
    """A group leader (团长) who runs group buys and live sales."""
    PICKUP_HOST = "pickup_host"
    """The keeper of a pickup point (自提点) who verifies pickups (核销)."""
    PROVIDER_STAFF = "provider_staff"
    """Staff of a service provider admitted to the community."""
    OPERATOR = "operator"
    """The community's operator: enables modules, tunes settings, admits providers."""
    AUDITOR = "auditor"
    """Reads everything in the community, changes nothing."""
