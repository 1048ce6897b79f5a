"""The core's tables: communities, members, the pickup network, providers, module settings...

Every row a community owns carries its community id (see the architecture page: sharding by
community stays possible).
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

__all__ = [
    "Community",
    "IdempotencyRecord",
    "Member",
    "ModuleSetting",
    "PickupPoint",
    "Provider",
    "Warehouse",
]


class Community(Table, tablename="linli_community"):
    """A residential community (小区) served by the platform.

    ``timezone`` is an IANA name (local dates are counted in it); ``currency`` an ISO 4217 code.
    An archived community keeps its data but serves its members no more.
    """

    id = Serial(primary_key=True)

    slug = Varchar(length=64, unique=True, index=True)
    name = Varchar(length=200)
    created_at = Timestamptz()
    timezone = Varchar(length=64, default="UTC")
    currency = Varchar(length=3, default="CNY")
    archived_at = Timestamptz(null=True, default=None)


class Provider(Table, tablename="linli_provider"):
    """A service provider or supplier admitted to serve communities."""

    id = Serial(primary_key=True)

    name = Varchar(length=200)
    created_at = Timestamptz()


class Member(Table, tablename="linli_member"):
    """A person's membership of one community, with their roles there.

    ``token_hash`` is the SHA-256 of the member's API token (the token itself is never stored).
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    display_name = Varchar(length=100)
    roles = JSON(default=["member"])
    verified = Boolean(default=False)
    phone_masked = Varchar(length=32, null=True, default=None)
    provider = ForeignKey(references=Provider, null=True, default=None)
    token_hash = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz()


class Warehouse(Table, tablename="linli_warehouse"):
    """A warehouse of a community's network: the central one, or a grid warehouse (网格仓).

    ``kind`` is ``central`` or ``grid``; a grid warehouse names its central one
    (``central_id``). ``scope_key`` (``<community>:<kind>:<name>``) keeps names unique.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    kind = Varchar(length=10)
    name = Varchar(length=200)
    address = Varchar(length=300, default="")
    central_id = Integer(null=True, default=None)
    scope_key = Varchar(length=300, unique=True)
    created_at = Timestamptz()


class PickupPoint(Table, tablename="linli_pickup_point"):
    """A pickup point (自提点) in a community, kept by a pickup host and led by a leader (团长).

    A point is supplied by a grid warehouse (``grid_warehouse``); an archived point takes no
    new orders.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    name = Varchar(length=200)
    address = Varchar(length=300)
    host_member = ForeignKey(references=Member, null=True, default=None)
    leader_member = ForeignKey(references=Member, null=True, default=None)
    grid_warehouse = ForeignKey(references=Warehouse, null=True, default=None)
    archived_at = Timestamptz(null=True, default=None)


class ModuleSetting(Table, tablename="linli_module_setting"):
    """Whether a module is enabled in a community, and its settings there."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    module = Varchar(length=40)
    scope_key = Varchar(length=120, unique=True)  # "<community id>:<module>"
    enabled = Boolean(default=False)
    settings = JSON(default={})
    updated_at = Timestamptz()


class IdempotencyRecord(Table, tablename="linli_idempotency"):
    """The first successful response to a command sent with an ``Idempotency-Key``."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    scope_key = Varchar(length=400, unique=True)  # "<community>:<caller>:<key>"
    request_hash = Varchar(length=64)
    status_code = Integer()
    media_type = Varchar(length=100)
    body = Text()
    created_at = Timestamptz()
