"""Gateway idempotency keys: derived from the ledger's ids, the community first."""

from __future__ import annotations

from linli_sdk import NotFound

__all__ = ["community_of", "intent_key", "intent_key_around"]


def intent_key(community_id: int, charge_id: int, action: str, ref: str = "") -> str:
    """The idempotency key of a gateway call, derived from the ledger's ids.

    The community comes first, so a webhook that echoes the key finds its tenant.
    """
    before, after = intent_key_around(community_id, action, ref)
    return f"{before}{charge_id}{after}"


def intent_key_around(community_id: int, action: str, ref: str = "") -> tuple[str, str]:
    """What comes before and after the charge id in :func:`intent_key`.

    For SQL that joins them to an id the database has just given.
    """
    return f"linli-c{community_id}-ch", f"-{action}" + (f"-{ref}" if ref else "")


def community_of(key: str) -> int:
    """The community id inside a gateway key (``linli-c<id>-...``).

    Raises:
        NotFound: The key is not one of ours.

    """
    head = key.split("-")[1] if key.startswith("linli-c") else ""
    if not head[1:].isdigit():
        raise NotFound(f"{key!r} is not a Linli gateway key")
    return int(head[1:])
