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
    # when a person last set or confirmed the name and partner (``site set``, the
    # first-run dialog); None while they are still the defaults (host name, NATO)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


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
        "name",
        "callsign",
        "nation",
        "affiliation",
        "sidc",
        "cot_type",
        "echelon",
        "parent_id",
        "lat",
        "lon",
        "course",
        "speed",
        "readiness",
        "strength",
        "last_report",
        "stale_after",
        "remarks",
        "classification",
        "releasable_to",
        "deleted",
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
        "name",
        "kind",
        "severity",
        "geometry",
        "valid_from",
        "valid_to",
        "description",
        "classification",
        "releasable_to",
        "deleted",
    )


class Task(SharedRecord, Base):
    """A task given to units (DESIGN §3); the workflow is ``app.core.tasks.records``.

    ``location`` is a GeoJSON Point or Polygon at full precision; ``lat``/``lon`` is
    its centroid, for the map and for distances.  The assigned units are
    ``TaskUnit`` rows; every change is a ``TaskHistory`` row.
    """

    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_hlc", "hlc"),
        Index("ix_task_reference", "reference"),  # not unique: see migration 0008
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
        "reference",
        "title",
        "type",
        "description",
        "priority",
        "status",
        "originator",
        "location",
        "lat",
        "lon",
        "start",
        "due",
        "classification",
        "releasable_to",
        "deleted",
    )


class TaskUnit(Base):
    """A unit assigned to a task, in order.  ``unit_id`` need not exist yet (linked later)."""

    __tablename__ = "task_unit"
    __table_args__ = (Index("ix_task_unit_unit", "unit_id"),)

    task_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
    )
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


class SavedView(SharedRecord, Base):
    """A saved map view, one slide of the briefing (issue 8).

    The extent is ``south``/``west``/``north``/``east`` in degrees; ``layers`` is
    the Layers dock's state as JSON (affiliations, zone kinds, labels...);
    ``as_at`` shows the picture as it was then (None: the live picture);
    ``summary`` names the tables shown beside the map (``tasks``, ``supply``,
    comma separated, empty for none); ``position`` orders the slides.
    """

    __tablename__ = "saved_view"
    __table_args__ = (
        Index("ix_saved_view_hlc", "hlc"),
        Index("ix_saved_view_position", "position"),
    )

    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    south: Mapped[float] = mapped_column(Float)
    west: Mapped[float] = mapped_column(Float)
    north: Mapped[float] = mapped_column(Float)
    east: Mapped[float] = mapped_column(Float)
    layers: Mapped[str] = mapped_column(Text, default="{}")
    as_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(String(64), default="tasks")

    CONTENT = (
        "name",
        "position",
        "south",
        "west",
        "north",
        "east",
        "layers",
        "as_at",
        "note",
        "summary",
        "classification",
        "releasable_to",
        "deleted",
    )


# ---------------------------------------------------------------- exchange formats (issue 7)
class Route(SharedRecord, Base):
    """A route (CoT ``b-m-r``, a KML line): its path and the named points along it.

    ``geometry`` is a GeoJSON LineString at full precision; ``waypoints`` a JSON
    list, one ``{"name", "kind", "uid"}`` per vertex (kind ``waypoint`` or
    ``checkpoint``).  ``cot_uid`` is the uid it has on a TAK network.
    """

    __tablename__ = "route"

    name: Mapped[str] = mapped_column(String(200))
    geometry: Mapped[str] = mapped_column(Text)
    waypoints: Mapped[str] = mapped_column(Text, default="[]")
    description: Mapped[str] = mapped_column(Text, default="")
    cot_uid: Mapped[str | None] = mapped_column(String(255), nullable=True)
    last_report: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    stale_after: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    CONTENT = (
        "name",
        "geometry",
        "waypoints",
        "description",
        "cot_uid",
        "last_report",
        "stale_after",
        "classification",
        "releasable_to",
        "deleted",
    )


class ChatMessage(SharedRecord, Base):
    """One chat message received (CoT ``b-t-f``) or sent: the message log."""

    __tablename__ = "chat_message"
    __table_args__ = (
        Index("ix_chat_message_hlc", "hlc"),
        Index("ix_chat_message_sent_at", "sent_at"),
    )

    cot_uid: Mapped[str] = mapped_column(String(255))
    chatroom: Mapped[str] = mapped_column(String(200), default="")
    sender_uid: Mapped[str] = mapped_column(String(255), default="")
    sender_callsign: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)

    CONTENT = (
        "cot_uid",
        "chatroom",
        "sender_uid",
        "sender_callsign",
        "text",
        "sent_at",
        "classification",
        "releasable_to",
        "deleted",
    )


class CotIdentity(Base):
    """The uid of a unit or zone heard from a TAK network (a CoT event).

    A record made from a CoT event has the id ``uuid5(uid)`` (or the uid itself when
    it is a UUID), so every site that hears the same event makes the same record;
    this row lets an export give the original uid back, and keeps what was heard
    from being sent back as our own.
    """

    __tablename__ = "cot_identity"
    __table_args__ = (Index("ix_cot_identity_uid", "uid"),)

    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    uid: Mapped[str] = mapped_column(String(255))
    # what the last event said of the track that the unit has no field for: the
    # TAK team (``__group`` name and role) and the point's height above the
    # ellipsoid and circular / linear errors in metres (None: unknown)
    group_name: Mapped[str] = mapped_column(String(64), default="")
    group_role: Mapped[str] = mapped_column(String(64), default="")
    hae: Mapped[float | None] = mapped_column(Float, nullable=True)
    ce: Mapped[float | None] = mapped_column(Float, nullable=True)
    le: Mapped[float | None] = mapped_column(Float, nullable=True)


# ------------------------------------------------------------------ supply (DESIGN §3)
# After Sahana Eden's inv/req/supply modules and PAHO LSS/SUMA.  Quantities are
# integers in the item's base unit; per-person standards are decimal text.


class SupplyItem(SharedRecord, Base):
    """An item of the catalogue: counted in its base unit (``L``, ``kg``, ``ration``...)."""

    __tablename__ = "supply_item"
    __table_args__ = (
        Index("ix_supply_item_hlc", "hlc"),
        Index("ix_supply_item_code", "code", unique=True),
    )

    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(16), default="other")
    unit: Mapped[str] = mapped_column(String(32))  # base unit of measure
    pack_name: Mapped[str] = mapped_column(String(32), default="")  # e.g. "carton"
    pack_size: Mapped[int] = mapped_column(Integer, default=1)  # base units in one pack
    standard: Mapped[str | None] = mapped_column(
        String(32), nullable=True
    )  # per-person standard key
    kcal_per_unit: Mapped[int | None] = mapped_column(Integer, nullable=True)

    CONTENT = (
        "code",
        "name",
        "category",
        "unit",
        "pack_name",
        "pack_size",
        "standard",
        "kcal_per_unit",
        "classification",
        "releasable_to",
        "deleted",
    )


class SupplySite(SharedRecord, Base):
    """Where stock is held or handed out; its population figures drive requirements."""

    __tablename__ = "supply_site"
    __table_args__ = (
        Index("ix_supply_site_hlc", "hlc"),
        Index("ix_supply_site_name", "name"),
    )

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="warehouse")
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)  # m³ of storage
    organisation: Mapped[str] = mapped_column(String(200), default="")
    admin1: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(64), default="")
    people_in_need: Mapped[int | None] = mapped_column(Integer, nullable=True)
    people_targeted: Mapped[int | None] = mapped_column(Integer, nullable=True)

    CONTENT = (
        "name",
        "kind",
        "lat",
        "lon",
        "capacity",
        "organisation",
        "admin1",
        "country",
        "people_in_need",
        "people_targeted",
        "classification",
        "releasable_to",
        "deleted",
    )


class SupplyStandard(SharedRecord, Base):
    """A per-person standard (``water``: 15 L/person/day); the defaults apply until edited."""

    __tablename__ = "supply_standard"
    __table_args__ = (
        Index("ix_supply_standard_hlc", "hlc"),
        Index("ix_supply_standard_key", "key", unique=True),
    )

    key: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[str] = mapped_column(String(32))  # decimal text, per person per day
    unit: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")

    CONTENT = ("key", "quantity", "unit", "note", "classification", "releasable_to", "deleted")


class StockMovement(SharedRecord, Base):
    """One row of the append-only stock ledger: a signed quantity in base units.

    Receipts and transfers in are positive; issues, transfers out and losses
    negative.  Stock on hand is the sum.  Rows are never updated, so they never
    conflict in sync.
    """

    __tablename__ = "stock_movement"
    # No index on ``hlc`` (every other shared table has one): ledger rows are never
    # updated, so nothing looks them up by clock (the change log carries it), and an
    # import of 100,000 rows paid ~9% of its time for that index.
    __table_args__ = (
        # covering index: on hand and consumption per site and item in one index scan
        Index("ix_stock_movement_site_item", "site_id", "item_id", "kind", "at", "quantity"),
    )

    site_id: Mapped[str] = mapped_column(String(36))
    item_id: Mapped[str] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(
        String(16)
    )  # receipt | issue | transfer_out | transfer_in | adjustment
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32), default="")
    lot: Mapped[str] = mapped_column(String(64), default="")
    expiry: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    shipment_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    CONTENT = (
        "site_id",
        "item_id",
        "at",
        "kind",
        "quantity",
        "reason",
        "lot",
        "expiry",
        "shipment_id",
        "note",
        "classification",
        "releasable_to",
    )


class Shipment(SharedRecord, Base):
    """A consignment from one site (or an outside supplier) to another."""

    __tablename__ = "shipment"
    __table_args__ = (
        Index("ix_shipment_hlc", "hlc"),
        Index("ix_shipment_waybill", "waybill", unique=True),
        Index("ix_shipment_status", "status"),
    )

    waybill: Mapped[str] = mapped_column(String(64))
    origin_site_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    origin_name: Mapped[str] = mapped_column(String(200), default="")  # an outside supplier
    destination_site_id: Mapped[str] = mapped_column(String(36))
    mode: Mapped[str] = mapped_column(String(8), default="road")
    status: Mapped[str] = mapped_column(String(16), default="planned")
    departure: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    eta: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    CONTENT = (
        "waybill",
        "origin_site_id",
        "origin_name",
        "destination_site_id",
        "mode",
        "status",
        "departure",
        "eta",
        "arrived_at",
        "note",
        "classification",
        "releasable_to",
        "deleted",
    )


class ShipmentLine(SharedRecord, Base):
    """One item of a shipment: sent, and once it arrived, received (the difference is the discrepancy)."""

    __tablename__ = "shipment_line"
    __table_args__ = (
        Index("ix_shipment_line_hlc", "hlc"),
        Index("ix_shipment_line_shipment", "shipment_id"),
        Index("ix_shipment_line_request", "request_id"),
    )

    shipment_id: Mapped[str] = mapped_column(String(36))
    item_id: Mapped[str] = mapped_column(String(36))
    quantity: Mapped[int] = mapped_column(Integer)  # sent, base units
    received: Mapped[int | None] = mapped_column(Integer, nullable=True)
    discrepancy_reason: Mapped[str] = mapped_column(String(32), default="")
    lot: Mapped[str] = mapped_column(String(64), default="")
    expiry: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(36), nullable=True)

    CONTENT = (
        "shipment_id",
        "item_id",
        "quantity",
        "received",
        "discrepancy_reason",
        "lot",
        "expiry",
        "request_id",
        "classification",
        "releasable_to",
        "deleted",
    )


class SupplyRequest(SharedRecord, Base):
    """A need: this much of an item at a site by a date; shipments fulfil it."""

    __tablename__ = "supply_request"
    __table_args__ = (
        Index("ix_supply_request_hlc", "hlc"),
        Index("ix_supply_request_site_item", "site_id", "item_id"),
    )

    site_id: Mapped[str] = mapped_column(String(36))
    item_id: Mapped[str] = mapped_column(String(36))
    quantity: Mapped[int] = mapped_column(Integer)
    priority: Mapped[str] = mapped_column(String(16), default="routine")
    required_by: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    note: Mapped[str] = mapped_column(Text, default="")

    CONTENT = (
        "site_id",
        "item_id",
        "quantity",
        "priority",
        "required_by",
        "status",
        "note",
        "classification",
        "releasable_to",
        "deleted",
    )


class Presence(SharedRecord, Base):
    """3W: who (organisation) does what (sector) where (place, admin area), for how many."""

    __tablename__ = "presence"
    __table_args__ = (
        Index("ix_presence_hlc", "hlc"),
        Index("ix_presence_place", "place"),
    )

    organisation: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(100), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    admin1: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(64), default="")
    in_need: Mapped[int | None] = mapped_column(Integer, nullable=True)
    affected: Mapped[int | None] = mapped_column(Integer, nullable=True)
    targeted: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reached: Mapped[int | None] = mapped_column(Integer, nullable=True)
    as_of: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    CONTENT = (
        "organisation",
        "sector",
        "place",
        "admin1",
        "country",
        "in_need",
        "affected",
        "targeted",
        "reached",
        "as_of",
        "classification",
        "releasable_to",
        "deleted",
    )


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
