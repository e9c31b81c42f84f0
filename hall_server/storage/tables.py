"""The schema. Migrations in `migrations/` create it; this module describes it for queries."""
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData()

halls = Table(
    "halls",
    metadata,
    Column("id", String(64), primary_key=True),
    # the seq of the hall's last event; the row is locked by every write transaction
    Column("last_seq", Integer, nullable=False, default=0),
    # the last business day closed (domain/day_close.py); None before the first close
    Column("closed_day", Date),
)

counters = Table(
    "counters",
    metadata,
    Column("hall", String(64), ForeignKey("halls.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("state", String(16), nullable=False),
    Column("clerk", String(64)),
    Column("ticket", Integer),
    Column("pause_reason", String(32)),
    Column("since", UTCDateTime),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(64), ForeignKey("halls.id"), nullable=False),
    Column("service", String(64), nullable=False),
    Column("prefix", String(4), nullable=False),
    Column("number", Integer, nullable=False),
    Column("business_day", Date, nullable=False),
    Column("priority", String(64), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("queued_at", UTCDateTime, nullable=False),
    # effective_time() at issue: the database finds the head of the queue by this index
    Column("effective_at", UTCDateTime, nullable=False),
    Column("appointment", String(64)),
    Column("slot_start", UTCDateTime),
    Column("client_request_id", String(128)),
    Column("issued_by", String(64)),
    Column("counter", Integer),
    Column("clerk", String(64)),
    Column("responsible_clerk", String(64)),
    Column("called_at", UTCDateTime),
    Column("started_at", UTCDateTime),
    Column("finished_at", UTCDateTime),
    Column("no_show_at", UTCDateTime),
    Column("recall_count", Integer, nullable=False, default=0),
    Column("transfer_count", Integer, nullable=False, default=0),
    Column("wait_s", Float, nullable=False, default=0.0),
    # the wait the customer was told at issue (None: issued before it was kept); the reports
    # measure the estimates' accuracy by it
    Column("estimated_wait_s", Integer),
    Column("items", JSON, nullable=False),
    # every stretch at a counter: counter, clerk, service, called/started/ended, outcome, items
    Column("visits", JSON, nullable=False),
    UniqueConstraint("hall", "business_day", "prefix", "number", name="uq_ticket_number"),
    # a request id is the sending device's own, for one business day
    UniqueConstraint("hall", "business_day", "issued_by", "client_request_id", name="uq_ticket_request"),
    Index("ix_tickets_queue", "hall", "status", "effective_at"),
    # the place of a ticket among its service's waiting ones, counted from the index alone
    Index("ix_tickets_service_queue", "hall", "status", "service", "effective_at", "issued_at", "id"),
    # the service's last handling times, for estimates
    Index("ix_tickets_handled", "hall", "service", "status", "finished_at"),
    # arrivals in a stretch of time (the alerts' arrival rates and the usual per hour)
    Index("ix_tickets_issued", "hall", "issued_at"),
)

#: who runs the scheduled jobs when several server processes share the database
leases = Table(
    "leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

number_sequences = Table(
    "number_sequences",
    metadata,
    Column("hall", String(64), ForeignKey("halls.id"), primary_key=True),
    Column("business_day", Date, primary_key=True),
    Column("prefix", String(4), primary_key=True),
    Column("last_number", Integer, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("hall", String(64), ForeignKey("halls.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("type", String(32), nullable=False),
    Column("ticket", Integer),
    Column("counter", Integer),
    Column("actor", String(64)),
    Column("data", JSON, nullable=False),
    # the events of a few types (device statuses, ratings, flags) read without the whole log
    Index("ix_events_type", "hall", "type", "seq"),
)

users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("name", String(128)),
    Column("badge", String(32)),
    Column("created_at", UTCDateTime, nullable=False),
    # set: the user may not log in and their tokens are dead
    Column("disabled_at", UTCDateTime),
    # set by an administrator's reset (or a user added in the browser): until the user
    # changes the password, their tokens may only do that or log out
    Column("must_change_password", Boolean, nullable=False, server_default=false()),
    Column("last_login_at", UTCDateTime),
)

#: who changed which account how, and when (administration of users): never a password
user_changes = Table(
    "user_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("by", String(64), nullable=False),
    Column("username", String(64), nullable=False),
    Column("change", String(32), nullable=False),
    Column("data", JSON, nullable=False),
    Index("ix_user_changes_by", "by", "id"),
    Index("ix_user_changes_username", "username", "id"),
)

user_halls = Table(
    "user_halls",
    metadata,
    Column("username", String(64), ForeignKey("users.username", ondelete="CASCADE"), primary_key=True),
    Column("hall", String(64), ForeignKey("halls.id"), primary_key=True),
)

devices = Table(
    "devices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(64), ForeignKey("halls.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("name", String(64), nullable=False),
    # an evaluator belongs to a counter
    Column("counter", Integer),
    Column("created_at", UTCDateTime, nullable=False),
    # set: the device's tokens are deleted; `device add` of its name makes it anew
    Column("revoked_at", UTCDateTime),
    # when the device was last heard from (its live connection); the alerts' offline check
    Column("last_seen_at", UTCDateTime),
    UniqueConstraint("hall", "name", name="uq_device_name"),
)

#: bearer tokens, stored as SHA-256 of the token: they are random, so a slow hash adds nothing
tokens = Table(
    "tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), ForeignKey("users.username", ondelete="CASCADE")),
    Column("device", Integer, ForeignKey("devices.id", ondelete="CASCADE")),
    Column("created_at", UTCDateTime, nullable=False),
    # None: does not expire (device tokens, until revoked)
    Column("expires_at", UTCDateTime),
)

#: login attempts that failed (or are being checked), kept for the throttle of
#: services/accounts.py; rows older than its window are pruned
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    # the client's address; None where there is none (a check outside HTTP)
    Column("address", String(64)),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_login_failures_username", "username", "at"),
    Index("ix_login_failures_address", "address", "at"),
)

ratings = Table(
    "ratings",
    metadata,
    Column("ticket", Integer, ForeignKey("tickets.id"), primary_key=True),
    Column("hall", String(64), ForeignKey("halls.id"), nullable=False),
    Column("counter", Integer, nullable=False),
    Column("clerk", String(64)),
    Column("score", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    # the ratings given since a report's first day: the reports join them to their tickets from
    # this range, not from every rating ever given (bench/reports.py, migration 0010)
    Index("ix_ratings_at", "hall", "at"),
)

#: appointments booked ahead (services/appointments.py); a booked one not checked in by the
#: end of its slot counts as missed
appointments = Table(
    "appointments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(64), ForeignKey("halls.id"), nullable=False),
    Column("code", String(16), nullable=False),
    Column("service", String(64), nullable=False),
    Column("slot_start", UTCDateTime, nullable=False),
    Column("slot_end", UTCDateTime, nullable=False),
    Column("name", String(64)),
    Column("phone", String(32)),
    # booked, checked_in or cancelled (missed is booked past its slot)
    Column("status", String(16), nullable=False),
    Column("ticket", Integer, ForeignKey("tickets.id")),
    Column("booked_by", String(64), nullable=False),
    Column("booked_at", UTCDateTime, nullable=False),
    Column("changed_at", UTCDateTime),
    UniqueConstraint("hall", "code", name="uq_appointment_code"),
    Index("ix_appointments_slot", "hall", "slot_start"),
)

#: the manager's switches per service: issuing stopped, a daily cap set for the day
service_switches = Table(
    "service_switches",
    metadata,
    Column("hall", String(64), ForeignKey("halls.id"), primary_key=True),
    Column("service", String(64), primary_key=True),
    Column("issuing", Boolean, nullable=False),
    # None: the configured cap (or none)
    Column("daily_cap", Integer),
    Column("changed_by", String(64), nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
)

#: one-time pairing links of devices, stored as SHA-256 of the code; used once, expiring
pairings = Table(
    "pairings",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("device", Integer, ForeignKey("devices.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
)

#: server-wide values made once and shared by every server process (the signing key)
settings = Table(
    "settings",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(255), nullable=False),
)

#: the hall's alerts (domain/alerts.py); at most one open per rule and subject
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(64), ForeignKey("halls.id"), nullable=False),
    Column("rule", String(32), nullable=False),
    Column("subject", String(96), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("escalated", Boolean, nullable=False, default=False),
    Column("sticky", Boolean, nullable=False, default=False),
    Column("message", JSON, nullable=False),
    Column("data", JSON, nullable=False),
    Column("raised_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("acknowledged_at", UTCDateTime),
    Column("acknowledged_by", String(64)),
    Column("resolved_at", UTCDateTime),
    Column("resolved_by", String(64)),
    Column("held", Boolean, nullable=False, default=False),
    Column("escalated_at", UTCDateTime),
    # since when it is critical (its escalation for silence counts from then)
    Column("critical_at", UTCDateTime),
    Column("notes", JSON, nullable=False),
    # one open alert per rule and subject, whatever races
    Index("uq_alerts_open", "hall", "rule", "subject", unique=True,
          sqlite_where=text("resolved_at IS NULL"), postgresql_where=text("resolved_at IS NULL")),
    Index("ix_alerts_standing", "hall", "resolved_at", "held"),
    Index("ix_alerts_raised", "hall", "raised_at"),
)

#: what is to be POSTed to the hall's webhook (services/webhook.py), written in the same
#: transaction as the change it tells of, so none is lost; retried with backoff until taken
webhook_outbox = Table(
    "webhook_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(64), ForeignKey("halls.id"), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("delivered_at", UTCDateTime),
    # set when it was given up (too old); kept for the record
    Column("abandoned_at", UTCDateTime),
    Column("last_error", String(255)),
    # set: the item is queued once per hall whatever retries its maker makes (a saved report)
    Column("once_key", String(128)),
    Index("ix_webhook_due", "delivered_at", "abandoned_at", "next_attempt_at"),
    UniqueConstraint("hall", "once_key", name="uq_webhook_once"),
)

#: the complaint register (domain/complaints.py): a complaint (投诉) or a report (举报), from
#: receipt to the follow-up with the customer; every change is also an event
complaints = Table(
    "complaints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(64), ForeignKey("halls.id"), nullable=False),
    # complaint or report
    Column("kind", String(16), nullable=False),
    Column("category", String(32), nullable=False),
    Column("channel", String(16), nullable=False),
    # received, in_hand, answered, followed_up
    Column("status", String(16), nullable=False),
    Column("description", String(2000), nullable=False),
    Column("ticket", Integer, ForeignKey("tickets.id")),
    # the clerk concerned (from the ticket, or named by hand)
    Column("clerk", String(64)),
    # the customer's contact: managers and admins only
    Column("contact", String(128)),
    # where it came from: by hand, a clerk's flag or a low rating (the event's seq)
    Column("source", String(16), nullable=False),
    Column("source_seq", Integer),
    Column("received_at", UTCDateTime, nullable=False),
    Column("received_by", String(64), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("taken_at", UTCDateTime),
    Column("taken_by", String(64)),
    Column("answered_at", UTCDateTime),
    Column("answered_by", String(64)),
    Column("followed_up_at", UTCDateTime),
    Column("followed_up_by", String(64)),
    # every step with its note: [{"status", "at", "by", "note"}]
    Column("history", JSON, nullable=False),
    Index("ix_complaints_received", "hall", "received_at"),
    Index("ix_complaints_open", "hall", "status", "due_at"),
)
