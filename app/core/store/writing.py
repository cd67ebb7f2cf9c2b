"""Core write operations.  Each is one transaction that also writes the change
log (``sync_change``) and, after the commit, publishes what changed.

The CLI, imports and the UI all call these; nothing else writes records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.core.common.markings import Releasability
from app.core.events import Changed
from app.core.store.base import utcnow
from app.core.store.engine import Store, new_id
from app.core.store.models import CrisisZone, SiteProfile, SyncChange, Unit, UnitPosition

KIND_OF = {Unit: "unit", CrisisZone: "zone"}


def sqlite_time(value: datetime) -> str:
    """A datetime as SQLAlchemy stores it in SQLite (naive UTC), for raw statements."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Releasability):
        return value.codes_list()
    raise TypeError(f"cannot record {type(value).__name__} in the change log")


@dataclass
class WriteBatch:
    """Changes gathered inside one transaction, captured and published together."""

    store: Store
    session: Session
    hlc: str
    now: datetime

    def __post_init__(self) -> None:
        self.changes: list[tuple[Any, ...]] = []
        self.positions: list[tuple[str, float, float]] = []
        self.moved_at: datetime | None = None
        self.touched: dict[str, dict[str, set[str]]] = {}

    def _note(self, kind: str, what: str, row_id: str) -> None:
        self.touched.setdefault(
            kind, {"added": set(), "updated": set(), "removed": set(), "moved": set()}
        )[what].add(row_id)

    def capture(
        self,
        table: str,
        row_id: str,
        op: str,
        fields: dict[str, Any],
        base_hlc: str | None,
        classification: str,
        releasable_to: Releasability | str,
    ) -> None:
        self.capture_json(
            table,
            row_id,
            op,
            json.dumps(fields, separators=(",", ":"), default=_json_default),
            base_hlc,
            classification,
            releasable_to,
        )

    def capture_json(
        self,
        table: str,
        row_id: str,
        op: str,
        fields_json: str,
        base_hlc: str | None,
        classification: str,
        releasable_to: Releasability | str,
    ) -> None:
        """Record one change whose changed fields are already JSON text."""
        rel = releasable_to if isinstance(releasable_to, str) else releasable_to.to_storage()
        self.changes.append((table, row_id, op, base_hlc, fields_json, classification, rel))

    _CHANGE_COLUMNS = (
        "seq",
        "origin_site",
        "origin_seq",
        "table_name",
        "row_id",
        "op",
        "hlc",
        "base_hlc",
        "who",
        "at",
        "fields",
        "classification",
        "releasable_to",
    )

    def flush(self) -> None:
        if self.changes:
            conn = self.session.connection()
            last = self.session.scalar(select(func.max(SyncChange.seq))) or 0
            site, who, hlc = self.store.site.site_id, self.store.operator, self.hlc
            if conn.dialect.name == "sqlite":
                at = sqlite_time(self.now)
                rows = [
                    (last + n, site, last + n, t, rid, op, hlc, base, who, at, fields, cls, rel)
                    for n, (t, rid, op, base, fields, cls, rel) in enumerate(self.changes, start=1)
                ]
                conn.exec_driver_sql(
                    f"INSERT INTO sync_change ({', '.join(self._CHANGE_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(self._CHANGE_COLUMNS))})",
                    rows,
                )
            else:
                self.session.execute(
                    SyncChange.__table__.insert(),
                    [
                        dict(
                            zip(
                                self._CHANGE_COLUMNS,
                                (
                                    last + n,
                                    site,
                                    last + n,
                                    t,
                                    rid,
                                    op,
                                    hlc,
                                    base,
                                    who,
                                    self.now,
                                    fields,
                                    cls,
                                    rel,
                                ),
                                strict=True,
                            )
                        )
                        for n, (t, rid, op, base, fields, cls, rel) in enumerate(
                            self.changes, start=1
                        )
                    ],
                )
            self.changes = []
        self.session.execute(
            update(SiteProfile)
            .where(SiteProfile.site_id == self.store.site.site_id)
            .values(last_hlc=self.store.clock.last)
        )

    def events(self, initiator: str | None) -> list[Changed]:
        return [
            Changed(
                kind=kind,
                added=frozenset(sets["added"]),
                updated=frozenset(sets["updated"]),
                removed=frozenset(sets["removed"]),
                moved=frozenset(sets["moved"] - sets["added"]),
                initiator=initiator,
                positions=tuple(self.positions) if kind == "unit" else (),
                at=self.moved_at if kind == "unit" else None,
            )
            for kind, sets in self.touched.items()
        ]


class _Writing:
    """Context manager: one immediate transaction + a WriteBatch, publish after commit."""

    def __init__(self, store: Store, initiator: str | None) -> None:
        self.store = store
        self.initiator = initiator

    def __enter__(self) -> WriteBatch:
        self._cm = self.store.transaction()
        session = self._cm.__enter__()
        self.batch = WriteBatch(self.store, session, self.store.clock.tick(), utcnow())
        return self.batch

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            try:
                self.batch.flush()
            except BaseException as err:
                self._cm.__exit__(type(err), err, err.__traceback__)
                raise
        self._cm.__exit__(exc_type, exc, tb)
        if exc_type is None:
            self.store.events.publish(self.batch.events(self.initiator))


def writing(store: Store, initiator: str | None = None) -> _Writing:
    return _Writing(store, initiator)


def upsert_records(
    batch: WriteBatch,
    model: Any,
    rows: Sequence[tuple[str | None, dict[str, Any]]],
    kind: str | None = None,
    group_nulls: bool = False,
) -> list[str]:
    """Insert new records, update existing ones by id (only the fields that differ).

    For any shared record: one statement for the inserts and one for the updates,
    each change captured in the change log and noted under ``kind`` (by default
    the model's, see ``KIND_OF``).  Units also get their position history.  A
    record given twice in one call ends with the later values.  ``group_nulls``
    orders the inserts so that rows with None in the same columns come together
    (the ORM starts a new INSERT statement at each change of that pattern).
    """
    kind = kind or KIND_OF[model]
    table = model.__tablename__
    ids = [row_id for row_id, _ in rows if row_id]
    existing: dict[str, Any] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for record in batch.session.scalars(select(model).where(model.id.in_(chunk))):
            existing[record.id] = record
    inserts: dict[str, dict[str, Any]] = {}
    updates: dict[str, dict[str, Any]] = {}
    positions: list[dict[str, Any]] = []
    result: list[str] = []
    site = batch.store.site.site_id
    for row_id, values in rows:
        row_id = row_id or new_id()
        result.append(row_id)
        old = existing.get(row_id)
        if row_id in inserts:  # twice in one call: the later values win
            inserts[row_id].update(values)
            batch.capture(
                table,
                row_id,
                "update",
                values,
                batch.hlc,
                values["classification"],
                values["releasable_to"],
            )
            continue
        if old is None:
            inserts[row_id] = {
                "id": row_id,
                "created_at": batch.now,
                "updated_at": batch.now,
                "hlc": batch.hlc,
                "origin_site": site,
                "deleted": False,
                **values,
            }
            batch.capture(
                table,
                row_id,
                "insert",
                values,
                None,
                values["classification"],
                values["releasable_to"],
            )
            batch._note(kind, "added", row_id)
            if model is Unit:
                positions.append(
                    {
                        "unit_id": row_id,
                        "at": values.get("last_report") or batch.now,
                        "lat": values["lat"],
                        "lon": values["lon"],
                    }
                )
            continue
        changed = {k: v for k, v in values.items() if getattr(old, k) != v}
        if old.deleted:
            changed["deleted"] = False
        if not changed:
            continue
        updates.setdefault(
            row_id, {"id": row_id, "updated_at": batch.now, "hlc": batch.hlc}
        ).update(changed)
        batch.capture(
            table,
            row_id,
            "update",
            changed,
            old.hlc,
            values.get("classification", old.classification),
            values.get("releasable_to", old.releasable_to),
        )
        batch._note(kind, "updated", row_id)
        if model is Unit and ("lat" in changed or "lon" in changed):
            positions.append(
                {
                    "unit_id": row_id,
                    "at": values.get("last_report") or batch.now,
                    "lat": values["lat"],
                    "lon": values["lon"],
                }
            )
            if set(changed) <= {"lat", "lon", "course", "speed", "last_report"}:
                batch._note(kind, "moved", row_id)
    if inserts:
        new_rows = list(inserts.values())
        if group_nulls:
            new_rows.sort(key=lambda row: tuple(value is None for value in row.values()))
        # Core insert: one executemany
        batch.session.execute(model.__table__.insert(), new_rows)
    if updates:
        batch.session.execute(update(model), list(updates.values()))
    if positions:
        batch.session.execute(UnitPosition.__table__.insert(), positions)
    return result


def tombstone(
    batch: WriteBatch, model: Any, ids: Iterable[str], kind: str | None = None
) -> list[str]:
    """Tombstone the live records of ``model`` among ``ids`` inside an open batch
    (kept for sync, hidden everywhere else); returns the ids tombstoned."""
    kind = kind or KIND_OF[model]
    wanted = list(dict.fromkeys(ids))
    rows: list[Any] = []
    for start in range(0, len(wanted), 500):
        rows.extend(
            batch.session.execute(
                select(model.id, model.hlc, model.classification, model.releasable_to).where(
                    model.id.in_(wanted[start : start + 500]), model.deleted.is_(False)
                )
            ).all()
        )
    for rid, hlc, cls, rel in rows:
        batch.capture(model.__tablename__, rid, "delete", {"deleted": True}, hlc, cls, rel)
        batch._note(kind, "removed", rid)
    if rows:
        batch.session.execute(
            update(model),
            [
                {"id": r[0], "deleted": True, "updated_at": batch.now, "hlc": batch.hlc}
                for r in rows
            ],
        )
    return [r[0] for r in rows]
