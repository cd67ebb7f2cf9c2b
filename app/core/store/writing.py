"""The one write path: every change to records goes through a ``writing()`` batch.

A core operation (``picture.ops``, ``tasks.ops``, ``supply.ops``, an import...)
writes like this::

    with writing(store, initiator) as batch:   # one immediate transaction
        ... write rows through batch.session (or upsert_records / tombstone /
        batch.move_units, which do all of the below themselves) ...
        batch.capture(table, row_id, op, fields, base_hlc, classification, releasable_to)
        batch.note_added(RecordKind.TASK, [row_id])      # or note_updated/_removed/_moved
    # on leaving the block: the change log rows are written, the transaction commits,
    # then one ``Changed`` event per kind noted is published to the store's subscribers

- ``capture`` (or ``capture_json``) records one change-log row (``sync_change``)
  per record change: it is what sync sends and the audit view shows.
- ``note_added``/``note_updated``/``note_removed``/``note_moved`` say which records
  of which ``RecordKind`` changed, so each view refreshes only what concerns it.
- ``move_units`` and ``write_tracks`` are the one way units move: they update
  the unit rows, append the position history and note the moves with their new
  positions and report time (``Changed.positions``, ``Changed.at``).
- An exception inside the block rolls everything back and publishes nothing.

``applying(store)`` is the same for changes received from another site (sync,
bundles): they are written but not captured again as this site's own.
``bookkeeping(store)`` is a plain transaction for this site's state that is not
a record (sync cursors, trusted peers): nothing is captured or published.
Nothing outside ``app.core.store`` opens a transaction, and a read session
(``Store.session``) refuses to write (``tests/core/store/test_write_path.py``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from app.core.common.markings import Releasability
from app.core.common.times import sqlite_time
from app.core.events import Changed, RecordKind
from app.core.store.base import utcnow
from app.core.store.chunks import READ_CHUNK, chunked
from app.core.store.engine import Store, new_id
from app.core.store.models import CrisisZone, SiteProfile, SyncChange, Unit, UnitPosition

KIND_OF: dict[Any, RecordKind] = {Unit: RecordKind.UNIT, CrisisZone: RecordKind.ZONE}

__all__ = [
    "KIND_OF",
    "TRACK_COLUMNS",
    "RecordKind",
    "Applying",
    "TrackRow",
    "WriteBatch",
    "applying",
    "change_json",
    "bookkeeping",
    "tombstone",
    "upsert_records",
    "writing",
]

# the unit columns a track report can carry
TRACK_COLUMNS = ("lat", "lon", "course", "speed", "last_report", "stale_after")
_TRACK_TIMES = frozenset({"last_report", "stale_after"})


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Releasability):
        return value.codes_list()
    raise TypeError(f"cannot record {type(value).__name__} in the change log")


def change_json(value: Any) -> str:
    """A change's fields (or one value) as the change log holds them: compact JSON,
    datetimes as ISO 8601, releasability as its list of codes."""
    return json.dumps(value, separators=(",", ":"), default=_json_default)


class TrackRow(NamedTuple):
    """One unit's new track values, ready to write (see ``WriteBatch.write_tracks``).

    ``values`` follow the ``columns`` given to ``write_tracks``; ``at`` is the
    time of the position (its history row); ``position`` is set when lat/lon
    changed (a history row is added), ``announce`` when the move is published
    with its new position (a stale unit coming back is an update, not a move).
    """

    unit_id: str
    values: tuple[Any, ...]
    lat: float
    lon: float
    at: datetime
    position: bool = True
    announce: bool = True


def _text_cache() -> Callable[[datetime], str]:
    """``sqlite_time`` remembering its answers by object identity: the rows of one
    statement share their time objects (hashing an aware datetime costs a UTC offset
    call).  Only for values that stay alive while the cache is used."""
    texts: dict[int, str] = {}

    def text(value: datetime) -> str:
        found = texts.get(id(value))
        if found is None:
            found = texts[id(value)] = sqlite_time(value)
        return found

    return text


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
        self._touched: dict[RecordKind, dict[str, set[str]]] = {}

    # -- what changed: one ``Changed`` per kind is published after the commit --

    def _sets(self, kind: RecordKind | str) -> dict[str, set[str]]:
        kind = RecordKind(kind)
        sets = self._touched.get(kind)
        if sets is None:
            sets = self._touched[kind] = {
                "added": set(),
                "updated": set(),
                "removed": set(),
                "moved": set(),
            }
        return sets

    def note_added(self, kind: RecordKind | str, ids: Iterable[str]) -> None:
        """Records of ``kind`` created in this batch."""
        self._sets(kind)["added"].update(ids)

    def note_updated(self, kind: RecordKind | str, ids: Iterable[str]) -> None:
        """Records of ``kind`` changed in this batch."""
        self._sets(kind)["updated"].update(ids)

    def note_removed(self, kind: RecordKind | str, ids: Iterable[str]) -> None:
        """Records of ``kind`` deleted (tombstoned) in this batch."""
        self._sets(kind)["removed"].update(ids)

    def note_moved(
        self,
        ids: Iterable[str],
        positions: Iterable[tuple[str, float, float]] = (),
        at: datetime | None = None,
    ) -> None:
        """Units updated whose only change is their track; ``positions`` (id, lat, lon)
        and the report time ``at`` travel with the event (the latest ``at`` wins)."""
        sets = self._sets(RecordKind.UNIT)
        ids = set(ids)
        sets["updated"] |= ids
        sets["moved"] |= ids
        self.positions.extend(positions)
        if at is not None and (self.moved_at is None or at > self.moved_at):
            self.moved_at = at

    def noted(self, kind: RecordKind | str) -> dict[str, frozenset[str]]:
        """What was noted so far for ``kind`` (added, updated, removed, moved)."""
        sets = self._touched.get(RecordKind(kind), {})
        return {
            what: frozenset(sets.get(what, ())) for what in ("added", "updated", "removed", "moved")
        }

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
            change_json(fields),
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
                positions=tuple(self.positions) if kind == RecordKind.UNIT else (),
                at=self.moved_at if kind == RecordKind.UNIT else None,
            )
            for kind, sets in self._touched.items()
        ]

    # -- the one way units move --

    def move_units(
        self, moves: Sequence[tuple[str, float, float]], at: datetime | None = None
    ) -> int:
        """Move units to new positions reported at ``at`` (default: now); a unit
        already there, unknown or deleted is skipped.  Returns how many moved."""
        from app.core.common.geo import validate_latlon

        for _uid, lat, lon in moves:
            validate_latlon(lat, lon)
        when = at or self.now
        current = self.stored_tracks([m[0] for m in moves])
        rows = []
        when_iso = when.isoformat()
        sqlite = self.session.connection().dialect.name == "sqlite"
        for uid, lat, lon in moves:
            old = current.get(uid)
            if old is None or (old[3], old[4]) == (lat, lon):
                continue
            rows.append(TrackRow(uid, (lat, lon, when), lat, lon, when))
            if sqlite:
                self.capture_json(
                    "unit",
                    uid,
                    "update",
                    f'{{"lat":{float(lat)!r},"lon":{float(lon)!r},"last_report":"{when_iso}"}}',
                    old[0],
                    old[1],
                    old[2],
                )
            else:
                self.capture(
                    "unit",
                    uid,
                    "update",
                    {"lat": lat, "lon": lon, "last_report": when},
                    old[0],
                    old[1],
                    old[2],
                )
        self.write_tracks(rows, ("lat", "lon", "last_report"))
        return len(rows)

    def stored_tracks(self, ids: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        """Live units among ``ids``: id -> (hlc, classification, releasable_to, lat, lon)."""
        current: dict[str, tuple[Any, ...]] = {}
        conn = self.session.connection()
        if conn.dialect.name != "sqlite":
            for chunk in chunked(ids, READ_CHUNK):
                stmt = select(
                    Unit.id, Unit.hlc, Unit.classification, Unit.releasable_to, Unit.lat, Unit.lon
                ).where(Unit.id.in_(chunk), Unit.deleted.is_(False))
                for rid, *rest in self.session.execute(stmt):
                    current[rid] = tuple(rest)
            return current
        # the hot path for tracks: plain statements, no ORM
        query = (
            "SELECT id, hlc, classification, releasable_to, lat, lon FROM unit WHERE deleted = 0"
        )
        if len(ids) > 2000:
            wanted = set(ids)
            for row in conn.exec_driver_sql(query):
                if row[0] in wanted:
                    current[row[0]] = row[1:]
        else:
            for chunk in chunked(ids, READ_CHUNK):
                sql = f"{query} AND id IN ({', '.join('?' * len(chunk))})"
                for row in conn.exec_driver_sql(sql, tuple(chunk)):
                    current[row[0]] = row[1:]
        return current

    def write_tracks(self, rows: Sequence[TrackRow], columns: Sequence[str]) -> None:
        """Write new track values of units (changes already captured): one UPDATE
        executemany, the position history, and the notes (moved with their
        positions, or updated).  ``columns`` name the values of each row, among
        ``TRACK_COLUMNS``."""
        if not rows:
            return
        conn = self.session.connection()
        sqlite = conn.dialect.name == "sqlite"
        text = _text_cache()  # SQLite text of each time object (rows share them)
        now_text, hlc = sqlite_time(self.now), self.hlc
        times = [i for i, name in enumerate(columns) if name in _TRACK_TIMES]
        reported = columns.index("last_report") if "last_report" in columns else None
        params: list[tuple[Any, ...]] = []  # SQLite: the UPDATE's parameters
        updated: list[str] = []
        history: list[tuple[str, Any, float, float]] = []
        moved: list[str] = []
        positions: list[tuple[str, float, float]] = []
        latest: datetime | None = None  # the event's report time: the latest reported
        for uid, values, lat, lon, at, position, announce in rows:
            updated.append(uid)
            if announce and position:
                moved.append(uid)
                positions.append((uid, lat, lon))
                when = values[reported] if reported is not None else None
                if when is not None and when is not latest and (latest is None or when > latest):
                    latest = when
            if not sqlite:
                if position:
                    history.append((uid, at, lat, lon))
                continue
            cells = list(values)
            for i in times:
                if cells[i] is not None:
                    cells[i] = text(cells[i])
            params.append((*cells, now_text, hlc, uid))
            if position:
                history.append((uid, text(at), lat, lon))
        if sqlite:
            sets = ", ".join(f"{name} = ?" for name in (*columns, "updated_at", "hlc"))
            conn.exec_driver_sql(f"UPDATE unit SET {sets} WHERE id = ?", params)
        else:
            table = cast(Table, Unit.__table__)
            stmt = (
                update(table)
                .where(table.c.id == bindparam("_id"))
                .values({name: bindparam(name) for name in (*columns, "updated_at", "hlc")})
            )
            self.session.execute(
                stmt,
                [
                    {
                        "_id": r.unit_id,
                        **dict(zip(columns, r.values, strict=True)),
                        "updated_at": self.now,
                        "hlc": self.hlc,
                    }
                    for r in rows
                ],
            )
        self._insert_history(history, stored=sqlite)
        self.note_updated(RecordKind.UNIT, updated)
        if moved:
            self.note_moved(moved, positions, latest)

    def add_history(self, rows: Sequence[tuple[str, datetime, float, float]]) -> None:
        """Append positions (unit id, report time, lat, lon) to the units' history."""
        if rows and self.session.connection().dialect.name == "sqlite":
            text = _text_cache()
            self._insert_history([(uid, text(at), lat, lon) for uid, at, lat, lon in rows], True)
        else:
            self._insert_history(rows, stored=False)

    def _insert_history(self, rows: Sequence[tuple[str, Any, float, float]], stored: bool) -> None:
        """``stored``: the times are SQLite text already (the raw fast path)."""
        if not rows:
            return
        if stored:
            self.session.connection().exec_driver_sql(
                "INSERT INTO unit_position (unit_id, at, lat, lon) VALUES (?, ?, ?, ?)", rows
            )
        else:
            self.session.execute(
                UnitPosition.__table__.insert(),
                [{"unit_id": uid, "at": at, "lat": lat, "lon": lon} for uid, at, lat, lon in rows],
            )


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
    """One write: ``with writing(store, initiator) as batch:`` (see the module docstring).
    ``initiator`` travels with the published events (``"import"``, ``"feed"``, a panel's
    name) so a view can tell its own changes from others'."""
    return _Writing(store, initiator)


def bookkeeping(store: Store) -> contextlib.AbstractContextManager[Session]:
    """One transaction for this site's own bookkeeping, not records: sync cursors,
    trusted peers, received bundles.  Nothing is captured in the change log (it is
    never sent) and no ``Changed`` is published."""
    return store.transaction()


@dataclass
class Applying:
    """Changes received from other sites, written in one transaction (``applying``)."""

    store: Store
    session: Session
    events: list[Changed]


@contextlib.contextmanager
def applying(store: Store) -> Iterator[Applying]:
    """One transaction for changes received from other sites (sync, bundles).

    They are already in the change log of the site that made them, so they are
    written as they come and not captured again as this site's own; the caller
    observes their clock, writes the rows and adds the ``Changed`` events to
    ``events``.  On success this site's clock is saved and the events are
    published after the commit; on an error nothing is written or published.
    """
    with store.transaction() as session:
        received = Applying(store, session, [])
        yield received
        session.execute(
            update(SiteProfile)
            .where(SiteProfile.site_id == store.site.site_id)
            .values(last_hlc=store.clock.last)
        )
    store.events.publish(received.events)


def upsert_records(
    batch: WriteBatch,
    model: Any,
    rows: Sequence[tuple[str | None, dict[str, Any]]],
    kind: RecordKind | None = None,
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
    for chunk in chunked(ids):
        for record in batch.session.scalars(select(model).where(model.id.in_(chunk))):
            existing[record.id] = record
    inserts: dict[str, dict[str, Any]] = {}
    updates: dict[str, dict[str, Any]] = {}
    positions: list[tuple[str, datetime, float, float]] = []
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
            batch.note_added(kind, (row_id,))
            if model is Unit:
                positions.append(
                    (row_id, values.get("last_report") or batch.now, values["lat"], values["lon"])
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
        batch.note_updated(kind, (row_id,))
        if model is Unit and ("lat" in changed or "lon" in changed):
            positions.append(
                (row_id, values.get("last_report") or batch.now, values["lat"], values["lon"])
            )
            if set(changed) <= {"lat", "lon", "course", "speed", "last_report"}:
                batch.note_moved((row_id,))  # the map reads the new position back
    if inserts:
        new_rows = list(inserts.values())
        if group_nulls:
            new_rows.sort(key=lambda row: tuple(value is None for value in row.values()))
        # Core insert: one executemany
        batch.session.execute(model.__table__.insert(), new_rows)
    if updates:
        batch.session.execute(update(model), list(updates.values()))
    batch.add_history(positions)
    return result


def tombstone(
    batch: WriteBatch, model: Any, ids: Iterable[str], kind: RecordKind | None = None
) -> list[str]:
    """Tombstone the live records of ``model`` among ``ids`` inside an open batch
    (kept for sync, hidden everywhere else); returns the ids tombstoned."""
    kind = kind or KIND_OF[model]
    wanted = list(dict.fromkeys(ids))
    rows: list[Any] = []
    for chunk in chunked(wanted):
        rows.extend(
            batch.session.execute(
                select(model.id, model.hlc, model.classification, model.releasable_to).where(
                    model.id.in_(chunk), model.deleted.is_(False)
                )
            ).all()
        )
    for rid, hlc, cls, rel in rows:
        batch.capture(model.__tablename__, rid, "delete", {"deleted": True}, hlc, cls, rel)
        batch.note_removed(kind, (rid,))
    if rows:
        batch.session.execute(
            update(model),
            [
                {"id": r[0], "deleted": True, "updated_at": batch.now, "hlc": batch.hlc}
                for r in rows
            ],
        )
    return [r[0] for r in rows]
