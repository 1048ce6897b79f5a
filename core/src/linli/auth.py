"""Former home of authentication, now :mod:`linli.identity.auth`; kept only for ``forget_callers``.

Credit governance's modules still import ``forget_callers`` from here; import it from
:mod:`linli.identity.auth` instead.
"""

from __future__ import annotations

from linli.identity.auth import forget_callers

__all__ = ["forget_callers"]
