"""The notification service's tables: channels, policies, opt-outs, the queue and the send log.

Every row carries its community id. Moments the sender compares (``run_at``) are integer
milliseconds since the epoch, as in the dispatch tables. No table but the queue holds a
notification's content, and the queue forgets it once every channel has it.
"""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from ..tables import Community, Member

__all__ = [
    "NotificationChannel",
    "NotificationDelivery",
    "NotificationLog",
    "NotificationMessage",
    "NotificationOptOut",
    "NotificationPolicyRow",
    "SmsSandboxMessage",
]


class NotificationChannel(Table, tablename="linli_notifications_channel"):
    """Where a community's notifications go: ``webhook`` (``url``, ``secret``) or ``sms``.

    An ``sms`` channel names its ``gateway`` (``sandbox`` built in). ``status`` is ``active``
    or ``paused``.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    kind = Varchar(length=16)
    url = Varchar(length=2000, default="")
    secret = Varchar(length=100, default="")
    gateway = Varchar(length=40, default="")
    status = Varchar(length=16, default="active")
    created_at = Timestamptz()


class NotificationPolicyRow(Table, tablename="linli_notifications_policy"):
    """A community's quiet hours (local ``HH:MM``) and rate limit per member and kind."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, unique=True)
    quiet_start = Varchar(length=5, default="22:00")
    quiet_end = Varchar(length=5, default="07:00")
    rate_limit = Integer(default=10)
    rate_window_minutes = Integer(default=1440)
    updated_at = Timestamptz()


class NotificationOptOut(Table, tablename="linli_notifications_opt_out"):
    """A member who does not want one kind (``<module>.<kind>``) of notification."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    member = ForeignKey(references=Member)
    kind = Varchar(length=101)
    scope_key = Varchar(length=140, unique=True)  # "<community>:<member>:<module>.<kind>"
    created_at = Timestamptz()


class NotificationMessage(Table, tablename="linli_notifications_message"):
    """A notification a module sent: its decision and, until it is delivered, its ``data``.

    ``status`` is ``queued``, ``held``, ``opted_out`` or ``rate_limited`` (see the SDK's
    ``NotificationStatus``); ``scope_key`` is the module's ``ref`` (or the id) scoped to the
    community and module, so a ``ref`` sends once.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    notification_id = Varchar(length=36, unique=True)
    scope_key = Varchar(length=300, unique=True)
    module = Varchar(length=40)
    kind = Varchar(length=60)
    member = ForeignKey(references=Member, index=True)
    data = JSON(default={})
    status = Varchar(length=16)
    deliver_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(index=True)


class NotificationDelivery(Table, tablename="linli_notifications_delivery"):
    """One notification to one channel: ``pending`` until ``sent`` (or ``failed``)."""

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    message = ForeignKey(references=NotificationMessage, index=True)
    channel = ForeignKey(references=NotificationChannel)
    status = Varchar(length=16, default="pending", index=True)
    run_at = BigInt(index=True)  # epoch ms: when the sender may (next) send it
    attempts = Integer(default=0)
    last_error = Text(default="")
    sent_at = Timestamptz(null=True, default=None)


class NotificationLog(Table, tablename="linli_notifications_log"):
    """The send log: what happened to each notification on each channel, without its content.

    ``channel`` is ``webhook:<id>``, ``sms:<id>`` or empty (decided before any channel);
    ``status`` is a decision (``queued``, ``held``, ``opted_out``, ``rate_limited``) or an
    outcome (``sent``, ``retrying``, ``failed``, ``no_channel``).
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    notification_id = Varchar(length=36, index=True)
    module = Varchar(length=40)
    kind = Varchar(length=60)
    member_id = Integer()
    channel = Varchar(length=40, default="")
    status = Varchar(length=16)
    at = Timestamptz()


class SmsSandboxMessage(Table, tablename="linli_notifications_sms_sandbox"):
    """A text the sandbox SMS gateway accepted (test messages: nothing reaches a phone).

    ``idempotency_key`` is the delivery's key: the gateway accepts each once. The number is
    kept masked.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    idempotency_key = Varchar(length=80, unique=True)
    to_masked = Varchar(length=20)
    text = Text()
    received_at = Timestamptz()
