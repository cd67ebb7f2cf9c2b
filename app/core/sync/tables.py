"""What is synchronised, found from the SQLAlchemy metadata.

Every ``SharedRecord`` subclass mapped on ``Base`` is a synchronised table; a
table added later (supply, saved views...) syncs without a change here.  A
change's ``fields`` hold column values, plus a few *child fields* that stand for
rows of a child table (a task's ``assigned_units`` are ``task_unit`` rows); each
child field has a handler that writes those rows when a change is applied.
Handlers for what a table does after a remote change (a unit's move appends to
its position history, a task's change to its history) live here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Column, Table, delete, insert
from sqlalchemy.orm import Session

from app.core.common.times import parse_utc, sqlite_time
from app.core.events import RecordKind
from app.core.store.base import Base, SharedRecord, UTCDateTime

# kinds of ``Changed`` events of the tables the views already know
# the kind a change event carries for a table (what the panels and the map listen for);
# a table not named here publishes under its own name
_KINDS = {
    "unit": RecordKind.UNIT,
    "crisis_zone": RecordKind.ZONE,
    "task": RecordKind.TASK,
    "stock_movement": RecordKind.STOCK,
    "shipment_line": RecordKind.SHIPMENT,  # as supply.ops publishes them
    "saved_view": RecordKind.VIEW,
    "chat_message": RecordKind.MESSAGE,
}


@dataclass
class SyncedTable:
    """One synchronised table and how to read a change's values into its columns."""

    name: str
    model: type[Any]
    table: Table
    kind: RecordKind
    columns: dict[str, Column[Any]]
    datetimes: frozenset[str]
    required: frozenset[str]  # columns a new row cannot do without
    defaults: dict[str, Any] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)  # field -> referenced table
    _converters: Any = None

    def sqlite_converters(self) -> dict[str, Callable[[Any], Any]] | None:
        """Per column, Python value -> SQLite parameter; None if a column needs SQLAlchemy's own."""
        if self._converters is False:
            return None
        if self._converters is None:
            self._converters = _sqlite_converters(self.table) or False
        return self._converters or None

    def decode(self, name: str, value: Any) -> Any:
        """A value from a change's JSON, as the column takes it."""
        if value is not None and name in self.datetimes and isinstance(value, str):
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return value


def as_is(value: Any) -> Any:
    """The converter of a column whose values SQLite takes as they are."""
    return value


def _sqlite_datetime(value: Any) -> Any:
    if value is None:
        return None
    return sqlite_time(parse_utc(value) if isinstance(value, str) else value)


@cache
def _storage_of(codes: tuple[str, ...]) -> str:
    from app.core.common.markings import Releasability

    return Releasability.parse(list(codes)).to_storage()


def _sqlite_partners(value: Any) -> Any:
    from app.core.common.markings import Releasability

    if value is None:
        return None
    if isinstance(value, Releasability):
        return value.to_storage()
    if isinstance(value, str):
        return Releasability.parse(value).to_storage()
    return _storage_of(tuple(value))


def _sqlite_bool(value: Any) -> Any:
    return None if value is None else int(bool(value))


def _sqlite_converters(table: Table) -> dict[str, Callable[[Any], Any]] | None:
    from sqlalchemy import Float, Integer, LargeBinary, String

    from app.core.store.base import PartnerSet

    out: dict[str, Callable[[Any], Any]] = {}
    for column in table.columns:
        kind = column.type
        if isinstance(kind, UTCDateTime):
            out[column.name] = _sqlite_datetime
        elif isinstance(kind, PartnerSet):
            out[column.name] = _sqlite_partners
        elif isinstance(kind, Boolean):
            out[column.name] = _sqlite_bool
        elif type(kind) in (String, Float, Integer, LargeBinary) or type(kind).__name__ == "Text":
            out[column.name] = as_is
        else:
            return None  # a type of its own: let SQLAlchemy bind it
    return out


def _default(column: Column[Any]) -> Any:
    default = column.default
    if default is None:
        return None
    arg = getattr(default, "arg", None)
    if callable(arg):
        try:
            return arg(None)
        except TypeError:
            return arg()
    return arg


_found: tuple[int, dict[str, SyncedTable]] = (-1, {})


def synced_tables() -> dict[str, SyncedTable]:
    """Every synchronised table by name (all ``SharedRecord`` models on ``Base``).

    Worked out again whenever a model was registered since (a module imported late).
    """
    global _found
    from app.core.store import models  # noqa: F401  (registers the tables)

    mappers = len(Base.registry.mappers)
    if _found[0] != mappers:
        _found = (mappers, _discover())
    return _found[1]


def _discover() -> dict[str, SyncedTable]:
    found: dict[str, SyncedTable] = {}
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if not (isinstance(cls, type) and issubclass(cls, SharedRecord)):
            continue
        table = mapper.local_table
        assert isinstance(table, Table)
        columns = {c.name: c for c in table.columns}
        datetimes = frozenset(n for n, c in columns.items() if isinstance(c.type, UTCDateTime))
        required = frozenset(
            n
            for n, c in columns.items()
            if not c.nullable
            and c.default is None
            and c.server_default is None
            and n not in _BOOKKEEPING
        )
        refs = {}
        for n, c in columns.items():
            for fk in c.foreign_keys:
                refs[n] = fk.column.table.name
        refs.update(REFERENCES.get(table.name, {}))
        found[table.name] = SyncedTable(
            name=table.name,
            model=cls,
            table=table,
            kind=_KINDS.get(table.name) or RecordKind(table.name),
            columns=columns,
            datetimes=datetimes,
            required=required,
            defaults={n: _default(c) for n, c in columns.items() if c.default is not None},
            references=refs,
        )
    return found


_BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "hlc", "origin_site"})

# references between shared records that are not foreign keys (ids a receiver may
# not hold yet): field -> referenced table.  A list field holds several ids.
REFERENCES: dict[str, dict[str, str]] = {
    "unit": {"parent_id": "unit"},
    "task": {"assigned_units": "unit"},
    # supply: a movement at a site the partner may not see must not name that site
    "stock_movement": {
        "site_id": "supply_site",
        "item_id": "supply_item",
        "shipment_id": "shipment",
    },
    "shipment": {"origin_site_id": "supply_site", "destination_site_id": "supply_site"},
    "shipment_line": {
        "shipment_id": "shipment",
        "item_id": "supply_item",
        "request_id": "supply_request",
    },
    "supply_request": {"site_id": "supply_site", "item_id": "supply_item"},
}


# --- child fields: a change's field standing for rows of a child table ---

ChildWriter = Callable[[Session, str, Any], None]


def _write_task_units(session: Session, task_id: str, value: Any) -> None:
    from app.core.store.models import TaskUnit

    session.execute(delete(TaskUnit).where(TaskUnit.task_id == task_id))
    units = [str(u) for u in (value or [])]
    if units:
        session.execute(
            insert(TaskUnit),
            [
                {"task_id": task_id, "unit_id": u, "position": pos}
                for pos, u in enumerate(dict.fromkeys(units))
            ],
        )


CHILD_FIELDS: dict[str, dict[str, ChildWriter]] = {
    "task": {"assigned_units": _write_task_units},
}


def read_child(session: Session, table: str, name: str, row_id: str) -> Any:
    """The current value of a child field (for the conflict log and for export)."""
    if (table, name) == ("task", "assigned_units"):
        from sqlalchemy import select

        from app.core.store.models import TaskUnit

        return list(
            session.scalars(
                select(TaskUnit.unit_id)
                .where(TaskUnit.task_id == row_id)
                .order_by(TaskUnit.position)
            )
        )
    return None


# --- what a table does after a remote change was applied ---


@dataclass
class Applied:
    """One row changed by remote changes: values before and after, the winning changes."""

    row_id: str
    before: dict[str, Any] | None  # None: the row is new here
    after: dict[str, Any]
    changed: dict[str, Any]  # field -> new value (columns and child fields)
    at: datetime  # when the latest winning change was made
    who: str
    source: str  # the site it came from


AfterApply = Callable[[Session, list[Applied]], None]


def _unit_positions(session: Session, rows: list[Applied]) -> None:
    from app.core.store.models import UnitPosition

    positions = []
    for row in rows:
        if "lat" in row.changed or "lon" in row.changed or row.before is None:
            at = row.after.get("last_report") or row.at
            positions.append(
                {"unit_id": row.row_id, "at": at, "lat": row.after["lat"], "lon": row.after["lon"]}
            )
    if not positions:
        return
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            "INSERT INTO unit_position (unit_id, at, lat, lon) VALUES (?, ?, ?, ?)",
            [(p["unit_id"], _sqlite_datetime(p["at"]), p["lat"], p["lon"]) for p in positions],
        )
    else:
        session.execute(insert(UnitPosition), positions)


def _task_history(session: Session, rows: list[Applied]) -> None:
    from app.core.store.models import TaskHistory
    from app.core.tasks.ops import HISTORY_FIELDS, history_text

    history = []
    for row in rows:
        reason = f"sync: {row.source}"
        if row.before is None:
            history.append(
                {
                    "task_id": row.row_id,
                    "at": row.at,
                    "who": row.who,
                    "what": "created",
                    "old": None,
                    "new": history_text("title", row.after.get("title")),
                    "reason": reason,
                }
            )
            continue
        for name in (*HISTORY_FIELDS, "assigned_units", "deleted"):
            if name in row.changed:
                history.append(
                    {
                        "task_id": row.row_id,
                        "at": row.at,
                        "who": row.who,
                        "what": name,
                        "old": history_text(name, row.before.get(name)),
                        "new": history_text(name, row.changed[name]),
                        "reason": reason,
                    }
                )
    if history:
        session.execute(insert(TaskHistory), history)


AFTER_APPLY: dict[str, AfterApply] = {"unit": _unit_positions, "task": _task_history}


def dumps(value: Any) -> str:
    """A field value as JSON text (datetimes as ISO 8601, markings as code lists)."""
    from app.core.store.writing import change_json

    return change_json(value)
