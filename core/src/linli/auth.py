"""Former home of authentication, now :mod:`linli.identity.auth`; kept only for ``forget_callers``.

``linli.credit.governance`` still imports ``forget_callers`` from here while it is split into
smaller modules; import from :mod:`linli.identity.auth` instead.
"""

from __future__ import annotations

from linli.identity.auth import forget_callers

__all__ = ["forget_callers"]
