"""The service's own bookkeeping: the inbox, jobs, outgoing deliveries, people and their keys
and sessions, rate-limit counts."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reflector.db.base import Base
from reflector.db.kinds import JobState


class WebhookEvent(Base):
    """The inbox: every authentic event, stored once per (platform, event_key)."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        UniqueConstraint("platform", "event_key"),
        Index("ix_webhook_events_received_at", "received_at"),
        Index("ix_webhook_events_meeting_id", "meeting_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    platform: Mapped[str] = mapped_column(String(32))
    event_key: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime]
    raw_body: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(String(500))
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL")
    )


class ApiKey(Base):
    __tablename__ = "api_keys"
    # A name is unique among its user's keys only.
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class User(Base):
    """A person who signs in to the web pages; `name` is the user id rooms and keys carry."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]


class WebSession(Base):
    """A signed-in browser: its cookie is a random token stored here only as a digest, so that
    signing out (or deleting the user) ends it everywhere."""

    __tablename__ = "web_sessions"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Job(Base):
    """A unit of background work: the outbox row, its lease and its outcome in one place.

    Written in the same transaction as the change that causes it; a relay publishes it to the
    broker after commit, and a worker runs it under a lease so it never has two live runs.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_not_before", "state", "not_before"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    task: Mapped[str] = mapped_column(String(128))
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # At most one job ever has a `dedupe_key`; at most one unfinished job an `active_key`.
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    active_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    state: Mapped[str] = mapped_column(String(16), server_default=JobState.PENDING.value)
    attempts: Mapped[int] = mapped_column(server_default="0")
    crashes: Mapped[int] = mapped_column(server_default="0")
    not_before: Mapped[datetime]
    published_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(1000))
    error_class: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    """One attempt to deliver an event to a room's `webhook_url`."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_room_created", "room_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int]
    url: Mapped[str] = mapped_column(String(2048))
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]


class RateLimitWindow(Base):
    """Requests of one caller (a user or an address) in one minute, shared by all processes."""

    __tablename__ = "rate_limit_windows"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int]
