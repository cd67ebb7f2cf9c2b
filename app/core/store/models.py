"""Typed models of the store (SQLAlchemy 2).  Field meanings: DESIGN §3."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.store.base import Base, SharedRecord, UTCDateTime, utcnow


class SiteProfile(Base):
    """Who this store is: one row; two store files on one machine are two sites."""

    __tablename__ = "site_profile"

    site_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_name: Mapped[str] = mapped_column(String(200))
    partner: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_hlc: Mapped[str | None] = mapped_column(String(64), nullable=True)
    signing_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class Unit(SharedRecord, Base):
    __tablename__ = "unit"

    name: Mapped[str] = mapped_column(String(200))
    callsign: Mapped[str] = mapped_column(String(64), default="")
    nation: Mapped[str] = mapped_column(String(16), default="")
    affiliation: Mapped[str] = mapped_column(String(16), default="unknown")
    sidc: Mapped[str] = mapped_column(String(30))
    cot_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    echelon: Mapped[str | None] = mapped_column(String(32), nullable=True)
    parent_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    course: Mapped[float | None] = mapped_column(Float, nullable=True)
    speed: Mapped[float | None] = mapped_column(Float, nullable=True)
    readiness: Mapped[str] = mapped_column(String(8), default="green")
    strength: Mapped[int] = mapped_column(Integer, default=100)
    last_report: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    stale_after: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    remarks: Mapped[str] = mapped_column(Text, default="")

    CONTENT = (
        "name", "callsign", "nation", "affiliation", "sidc", "cot_type", "echelon",
        "parent_id", "lat", "lon", "course", "speed", "readiness", "strength",
        "last_report", "stale_after", "remarks", "classification", "releasable_to", "deleted",
    )


class UnitPosition(Base):
    """Position history of a unit (breadcrumbs, the picture as it was)."""

    __tablename__ = "unit_position"
    __table_args__ = (Index("ix_unit_position_unit_at", "unit_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(String(36), ForeignKey("unit.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class CrisisZone(SharedRecord, Base):
    __tablename__ = "crisis_zone"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[int] = mapped_column(Integer, default=3)
    geometry: Mapped[str] = mapped_column(Text)  # GeoJSON geometry, full precision
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    min_lat: Mapped[float] = mapped_column(Float, default=0.0)
    min_lon: Mapped[float] = mapped_column(Float, default=0.0)
    max_lat: Mapped[float] = mapped_column(Float, default=0.0)
    max_lon: Mapped[float] = mapped_column(Float, default=0.0)

    CONTENT = (
        "name", "kind", "severity", "geometry", "valid_from", "valid_to", "description",
        "classification", "releasable_to", "deleted",
    )


class Task(SharedRecord, Base):
    """A task given to units (DESIGN §3); the workflow is ``app.core.domain.tasks``.

    ``location`` is a GeoJSON Point or Polygon at full precision; ``lat``/``lon`` is
    its centroid, for the map and for distances.  The assigned units are
    ``TaskUnit`` rows; every change is a ``TaskHistory`` row.
    """

    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_hlc", "hlc"),
        Index("ix_task_reference", "reference", unique=True),
        Index("ix_task_status", "status"),
    )

    reference: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(32), default="other")
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(16), default="routine")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    originator: Mapped[str] = mapped_column(String(200), default="")
    location: Mapped[str | None] = mapped_column(Text, nullable=True)  # GeoJSON geometry
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    due: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    CONTENT = (
        "reference", "title", "type", "description", "priority", "status", "originator",
        "location", "lat", "lon", "start", "due", "classification", "releasable_to", "deleted",
    )


class TaskUnit(Base):
    """A unit assigned to a task, in order.  ``unit_id`` need not exist yet (linked later)."""

    __tablename__ = "task_unit"
    __table_args__ = (Index("ix_task_unit_unit", "unit_id"),)

    task_id: Mapped[str] = mapped_column(String(36), ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class TaskHistory(Base):
    """One change to a task: when, who, what (the field), old and new values as text, why."""

    __tablename__ = "task_history"
    __table_args__ = (Index("ix_task_history_task_at", "task_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(36), ForeignKey("task.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    who: Mapped[str] = mapped_column(String(200), default="")
    what: Mapped[str] = mapped_column(String(64))
    old: Mapped[str | None] = mapped_column(Text, nullable=True)
    new: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")


class SyncChange(Base):
    """The change log: one row per committed change, written in the same transaction.

    ``seq`` is this store's own order; for local changes ``origin_seq == seq``.
    ``who`` is the operator who made the change.
    """

    __tablename__ = "sync_change"
    __table_args__ = (
        Index("ix_sync_change_origin", "origin_site", "origin_seq", unique=True),
        Index("ix_sync_change_row", "table_name", "row_id"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    origin_site: Mapped[str] = mapped_column(String(36))
    origin_seq: Mapped[int] = mapped_column(Integer)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(8))  # insert | update | delete
    hlc: Mapped[str] = mapped_column(String(64))
    base_hlc: Mapped[str | None] = mapped_column(String(64), nullable=True)
    who: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fields: Mapped[str] = mapped_column(Text)  # JSON object of changed fields
    classification: Mapped[str] = mapped_column(String(64), default="UNCLASSIFIED")
    releasable_to: Mapped[str] = mapped_column(String(512), default=",PUBLIC,")


# --- sync bookkeeping (local to each store; never synchronised itself) ---


class SyncPeer(Base):
    """A trusted site: its signing key (to verify its bundles) and its key to encrypt to."""

    __tablename__ = "sync_peer"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(36), index=True)
    site_name: Mapped[str] = mapped_column(String(200), default="")
    partner: Mapped[str] = mapped_column(String(32), default="")
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    box_key: Mapped[bytes] = mapped_column(LargeBinary)
    trusted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SyncCursor(Base):
    """How far this store has synchronised with one peer (a server or a bundle partner).

    ``sent`` is the highest local ``sync_change.seq`` the peer holds (acknowledged);
    ``received`` the highest position in the peer's own order applied here.
    Both only move after the commit of what they count.
    """

    __tablename__ = "sync_cursor"

    peer: Mapped[str] = mapped_column(String(300), primary_key=True)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    received: Mapped[int] = mapped_column(Integer, default=0)
    last_sync: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_result: Mapped[str] = mapped_column(Text, default="")


class SyncConflict(Base):
    """One overwritten value: which change won a field, which lost, and whether it was reversed."""

    __tablename__ = "sync_conflict"
    __table_args__ = (
        Index("ix_sync_conflict_key", "table_name", "row_id", "field", "lost_hlc", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(64))
    kept: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON value
    kept_hlc: Mapped[str] = mapped_column(String(64))
    lost: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON value
    lost_hlc: Mapped[str] = mapped_column(String(64))
    lost_who: Mapped[str] = mapped_column(String(200), default="")
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SyncBundle(Base):
    """A bundle already imported here (a replay changes nothing)."""

    __tablename__ = "sync_bundle"

    bundle_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source_site: Mapped[str] = mapped_column(String(36))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changes: Mapped[int] = mapped_column(Integer, default=0)


class SyncLocal(Base):
    """Facts about this copy of the store (e.g. the file it was created as), by key."""

    __tablename__ = "sync_local"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
