"""Deprecating a public SDK name without breaking the modules that use it.

Under the SDK's compatibility policy (SemVer; see the "Compatibility policy" page) a name is
never removed in a minor release: it is first marked with :func:`deprecated`, keeps working
and warns with :class:`LinliDeprecationWarning` (a :class:`DeprecationWarning`) each time it
is used, and may only be removed in the next major release.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from packaging.version import InvalidVersion, Version
from typing_extensions import deprecated as _mark_deprecated

__all__ = ["LinliDeprecationWarning", "deprecated"]

_T = TypeVar("_T", bound=Callable[..., Any])


class LinliDeprecationWarning(DeprecationWarning):
    """Warned when a module uses an SDK name that a later major release will remove.

    Python hides :class:`DeprecationWarning` outside ``__main__`` but pytest shows it; to make
    a module's own test run fail on one, add
    ``filterwarnings = ["error::linli_sdk.LinliDeprecationWarning"]`` to its pytest options.
    """


def deprecated(since: str, *, use: str | None = None) -> Callable[[_T], _T]:
    """Mark a public function, method or class as deprecated since SDK version ``since``.

    The marked object keeps working; each call (or instantiation, for a class) warns with
    :class:`LinliDeprecationWarning`, pointing at the caller's line, and the message says when
    it goes (the next major release after ``since``) and what to ``use`` instead. The
    object's signature and type are unchanged, so type checking keeps working.

    ```python
    @deprecated("1.3", use="host.payments.get(charge_id)")
    async def charge_status(self, charge_id: str) -> ChargeStatus: ...
    ```

    Raises:
        ValueError: ``since`` is not a version, or is below 1.0 (nothing before 1.0 was
            covered by the policy).
    """
    try:
        version = Version(since)
    except InvalidVersion as exc:
        raise ValueError(f"deprecated since {since!r}: not a version such as '1.3'") from exc
    if version.major < 1:
        raise ValueError(f"deprecated since {since!r}: the policy starts at SDK 1.0")
    removal = f"{version.major + 1}.0"

    def mark(obj: _T) -> _T:
        message = (
            f"linli_sdk: {obj.__qualname__} is deprecated since {since} and will be removed "
            f"in {removal}"
        )
        if use:
            message += f"; use {use} instead"
        return _mark_deprecated(message, category=LinliDeprecationWarning, stacklevel=1)(obj)

    return mark
