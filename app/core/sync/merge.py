"""Applying changes received from other sites: one transaction, per-field last writer wins.

Every change received is first added to this store's change log (``sync_change``,
keyed by origin site + origin sequence, so a change received twice is applied
once).  A record's state is then a pure function of the changes the log holds for
it: each field takes the value of the change with the highest hybrid logical clock
that wrote it (the clock's text ends with the site id, which breaks ties), so every
site that holds the same changes holds the same record, whatever order they came
in.  A value overwritten by a change that had not seen it goes to the conflict
log (``sync_conflict``).  A delete that did not see a concurrent edit does not
win: the record is kept and the race logged.  A change to a record whose first
change has not arrived yet waits in the log and is applied when it comes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.orm import Session

from app.core.common.markings import Releasability
from app.core.common.times import change_time, parse_utc
from app.core.events import Changed
from app.core.store.base import utcnow
from app.core.store.chunks import CHUNK, chunked
from app.core.store.engine import Store
from app.core.store.models import SyncChange, SyncConflict
from app.core.store.writing import applying
from app.core.sync.tables import (
    AFTER_APPLY,
    CHILD_FIELDS,
    Applied,
    SyncedTable,
    as_is,
    read_child,
    synced_tables,
)

_BIG_CHUNK = 20_000  # SQLite takes up to 32,766 parameters a statement
MOVE_FIELDS = frozenset({"lat", "lon", "course", "speed", "last_report"})


class Change(NamedTuple):
    """One change as it travels between sites (``at`` is naive UTC ISO text)."""

    origin_site: str
    origin_seq: int
    table_name: str
    row_id: str
    op: str
    hlc: str
    base_hlc: str | None
    who: str
    at: str
    fields: str  # JSON object
    classification: str
    releasable_to: str  # storage form ",NATO,UN,"


CHANGE_COLUMNS = Change._fields


@dataclass
class ApplyResult:
    received: int = 0  # changes offered
    new: int = 0  # changes this store did not hold yet
    records: int = 0  # records added, changed or removed here
    conflicts: int = 0  # values overwritten (new entries in the conflict log)
    first_seq: int = 0  # local position of the first new change (0: none)
    events: list[Changed] = field(default_factory=list)


def local_changes_after(
    conn: Connection, after_seq: int, limit: int | None = None
) -> list[tuple[int, Change]]:
    """This store's change log after local position ``after_seq``, in order: (seq, change)."""
    sql = (
        f"SELECT seq, {', '.join(CHANGE_COLUMNS)} FROM sync_change WHERE seq > :after ORDER BY seq"
        + (f" LIMIT {int(limit)}" if limit else "")
    )
    from sqlalchemy import text

    rows = conn.execute(text(sql), {"after": after_seq})
    return [
        (
            r[0],
            Change(
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                change_time(r[9]),
                r[10],
                r[11],
                r[12],
            ),
        )
        for r in rows
    ]


def _new_only(conn: Connection, changes: Sequence[Change]) -> list[Change]:
    """The changes this store does not hold yet (and each once)."""
    by_site: dict[str, list[int]] = defaultdict(list)
    for c in changes:
        by_site[c.origin_site].append(c.origin_seq)
    held: set[tuple[str, int]] = set()
    for site, seqs in by_site.items():
        low, high = min(seqs), max(seqs)
        rows = conn.execute(
            select(SyncChange.origin_seq).where(
                SyncChange.origin_site == site,
                SyncChange.origin_seq >= low,
                SyncChange.origin_seq <= high,
            )
        )
        held.update((site, r[0]) for r in rows)
    fresh: list[Change] = []
    for c in changes:
        key = (c.origin_site, c.origin_seq)
        if key not in held:
            held.add(key)
            fresh.append(c)
    return fresh


def _append_log(conn: Connection, changes: Sequence[Change]) -> int:
    """Add ``changes`` to the local log; returns the first local seq they took."""
    last = (
        conn.execute(select(SyncChange.seq).order_by(SyncChange.seq.desc()).limit(1)).scalar() or 0
    )
    cols = ("seq", *CHANGE_COLUMNS)
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            f"INSERT INTO sync_change ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [(last + n, *c) for n, c in enumerate(changes, start=1)],
        )
    else:
        conn.execute(
            insert(SyncChange),
            [
                {"seq": last + n, **c._asdict(), "at": parse_utc(c.at)}
                for n, c in enumerate(changes, start=1)
            ],
        )
    return last + 1


class _Logged(NamedTuple):
    hlc: str
    base_hlc: str | None
    op: str
    who: str
    at: str
    origin_site: str
    values: dict[str, Any]


def _saw(later: _Logged, earlier: _Logged) -> bool:
    """Had the site that made ``later`` seen ``earlier`` (by its base version)?"""
    return later.base_hlc is not None and later.base_hlc >= earlier.hlc


@dataclass
class Folded:
    values: dict[str, Any]
    winners: dict[str, _Logged]
    hlc: str
    first: _Logged
    conflicts: list[dict[str, Any]]


def fold(log: Sequence[_Logged]) -> Folded:
    """A record's state from its changes: per field, the value of the highest clock."""
    ordered = sorted(log, key=lambda c: c.hlc)
    winners: dict[str, _Logged] = {}
    touching: dict[str, list[_Logged]] = defaultdict(list)
    for change in ordered:
        for name in change.values:
            winners[name] = change  # ascending: the last one is the highest
            touching[name].append(change)
    values = {name: w.values[name] for name, w in winners.items()}
    conflicts: list[dict[str, Any]] = []
    for name, w in winners.items():
        for c in touching[name]:
            if c is not w and not _saw(w, c) and c.values[name] != w.values[name]:
                conflicts.append(
                    {
                        "field": name,
                        "kept": w.values[name],
                        "kept_hlc": w.hlc,
                        "lost": c.values[name],
                        "lost_hlc": c.hlc,
                        "lost_who": c.who,
                    }
                )
    deleter = winners.get("deleted")
    if deleter is not None and deleter.values["deleted"] is True:
        racing = [
            e
            for e in ordered
            if e is not deleter
            and e.op != "delete"
            and not _saw(deleter, e)
            and not _saw(e, deleter)
        ]
        if racing:
            # an edit racing a delete keeps the record; the delete is what is logged
            values["deleted"] = False
            conflicts = [c for c in conflicts if c["field"] != "deleted"]
            conflicts.append(
                {
                    "field": "deleted",
                    "kept": False,
                    "kept_hlc": racing[-1].hlc,
                    "lost": True,
                    "lost_hlc": deleter.hlc,
                    "lost_who": deleter.who,
                }
            )
    first = next((c for c in ordered if c.op == "insert"), ordered[0])
    return Folded(values, winners, ordered[-1].hlc, first, conflicts)


def _same(st: SyncedTable, name: str, current: Any, new: Any) -> bool:
    if name == "releasable_to":
        return Releasability.parse(current or []) == Releasability.parse(new or [])
    return bool(current == new)


def _column_values(st: SyncedTable, values: dict[str, Any]) -> dict[str, Any]:
    return {
        n: st.decode(n, v) for n, v in values.items() if n in st.columns and n not in ("id", "hlc")
    }


def apply_changes(
    store: Store,
    changes: Sequence[Change],
    *,
    source: str = "",
    before_commit: Callable[[Session, ApplyResult], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ApplyResult:
    """Apply changes from other sites in one transaction; publish what changed after commit.

    ``before_commit`` runs inside the transaction (to move a cursor with the data).
    """
    result = ApplyResult(received=len(changes))
    # this site numbers its own changes: one claiming to come from here (forged, or
    # echoed back) would take a number our next edit needs, and every edit would fail
    changes = [c for c in changes if c.origin_site != store.site.site_id]
    with applying(store) as received:  # not captured again: it is in its origin's log
        session = received.session
        conn = session.connection()
        fresh = _new_only(conn, changes) if changes else []
        result.new = len(fresh)
        if fresh:
            store.clock.observe(max(c.hlc for c in fresh))
            first_seq = result.first_seq = _append_log(conn, fresh)
            _materialise(session, fresh, first_seq, source, result, progress)
        if before_commit is not None:
            before_commit(session, result)
        received.events.extend(result.events)  # published after the commit
    return result


def _materialise(
    session: Session,
    fresh: Sequence[Change],
    first_seq: int,
    source: str,
    result: ApplyResult,
    progress: Callable[[int, int], None] | None,
) -> None:
    tables = synced_tables()
    conn = session.connection()
    by_table: dict[str, dict[str, list[Change]]] = defaultdict(lambda: defaultdict(list))
    for c in fresh:
        by_table[c.table_name][c.row_id].append(c)
    done = 0
    total = len(fresh)
    fresh_seq = {(c.origin_site, c.origin_seq): first_seq + n for n, c in enumerate(fresh)}
    for table_name, groups in by_table.items():
        st = tables.get(table_name)
        if st is None:  # a table this version does not know: kept in the log, relayed on
            continue
        ids = list(groups)
        existing: dict[str, dict[str, Any]] = {}
        present = _present(conn, table_name, "id", ids)
        for chunk in chunked(present):
            for row in conn.execute(select(st.table).where(st.table.c.id.in_(chunk))):
                existing[row.id] = dict(row._mapping)
        # rows new here whose only change is their insert take the fast path
        candidates = [
            rid
            for rid in ids
            if rid not in existing and len(groups[rid]) == 1 and groups[rid][0].op == "insert"
        ]
        older = set(
            _present(
                conn,
                "sync_change",
                "row_id",
                candidates,
                f"table_name = '{table_name}' AND seq < {int(first_seq)}",
            )
        )
        fast = [rid for rid in candidates if rid not in older]
        fast_set = set(fast)
        slow = [rid for rid in ids if rid not in fast_set]
        applied: list[Applied] = []
        new_changes = [groups[rid][0] for rid in fast]
        table_changes = sum(len(g) for g in groups.values())
        if not _insert_new_sql(
            session, st, new_changes, first_seq, fresh_seq, source, applied, result, table_changes
        ):
            _insert_new(session, st, new_changes, source, applied, result)
        _fold_rows(session, st, slow, existing, source, applied, result)
        hook = AFTER_APPLY.get(table_name)
        if hook and applied:
            hook(session, applied)
        _note_events(st, applied, result)
        done += sum(len(groups[rid]) for rid in ids)
        if progress:
            progress(done, total)


# what a table does for new rows inserted in bulk (the SQL form of its AFTER_APPLY hook)
AFTER_INSERT_SQL = {
    "unit": "INSERT INTO unit_position (unit_id, at, lat, lon) "
    "SELECT id, COALESCE(last_report, created_at), lat, lon FROM unit WHERE rowid > ?",
}


def _present(
    conn: Connection, table: str, column: str, values: Sequence[str], where: str = "1"
) -> list[str]:
    """Which of ``values`` the column holds (big batches of plain parameters on SQLite)."""
    found: list[str] = []
    sqlite = conn.dialect.name == "sqlite"
    for chunk in chunked(values, _BIG_CHUNK if sqlite else CHUNK):
        if sqlite:
            marks = ", ".join("?" * len(chunk))
            found.extend(
                r[0]
                for r in conn.exec_driver_sql(
                    f"SELECT DISTINCT {column} FROM {table} WHERE {column} IN ({marks}) AND {where}",
                    tuple(chunk),
                ).all()
            )
        else:
            from sqlalchemy import bindparam

            found.extend(
                conn.execute(
                    text(
                        f"SELECT DISTINCT {column} FROM {table} WHERE {column} IN :ids AND {where}"
                    ).bindparams(bindparam("ids", expanding=True)),
                    {"ids": list(chunk)},
                ).scalars()
            )
    return found


def _json_path(name: str) -> str:
    return "'$." + name + "'"


def _insert_new_sql(
    session: Session,
    st: SyncedTable,
    changes: list[Change],
    first_seq: int,
    fresh_seq: dict[tuple[str, int], int],
    source: str,
    applied: list[Applied],
    result: ApplyResult,
    table_changes: int = -1,
) -> bool:
    """New rows straight from the change log with SQLite's JSON functions (no JSON parsed
    in Python); False when this table or these values need the general path."""
    from app.core.store.base import PartnerSet

    conn = session.connection()
    if (
        conn.dialect.name != "sqlite"
        or len(changes) < 1000
        or st.name in CHILD_FIELDS
        or st.sqlite_converters() is None
    ):
        return False
    if len(changes) == table_changes:
        # every change received for this table is a new row's insert: take them by position
        source_rows = (
            f"FROM sync_change c WHERE c.seq >= {int(first_seq)} AND c.table_name = '{st.name}'"
        )
    else:
        conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS sync_fast (seq INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("DELETE FROM sync_fast")
        conn.exec_driver_sql(
            "INSERT INTO sync_fast (seq) VALUES (?)",
            [(fresh_seq[(c.origin_site, c.origin_seq)],) for c in changes],
        )
        source_rows = "FROM sync_change c JOIN sync_fast f ON f.seq = c.seq WHERE 1"
    dates = [n for n in st.columns if n in st.datetimes and n not in ("created_at", "updated_at")]
    partners = [n for n, col in st.columns.items() if isinstance(col.type, PartnerSet)]
    # values this path does not convert (a time not in UTC, a marking given as text): general path
    odd = [
        f"(json_type(c.fields, {_json_path(n)}) = 'text' AND json_extract(c.fields, {_json_path(n)}) "
        f"NOT LIKE '____-__-__T__:__:__%+00:00')"
        for n in dates
    ]
    odd += [f"json_type(c.fields, {_json_path(n)}) NOT IN ('array', 'null')" for n in partners]
    if (
        odd
        and conn.exec_driver_sql(f"SELECT 1 {source_rows} AND ({' OR '.join(odd)}) LIMIT 1").first()
    ):
        return False
    converters = st.sqlite_converters() or {}
    params: list[Any] = []
    exprs: list[str] = []
    names = list(st.columns)
    fixed = {
        "id": "c.row_id",
        "hlc": "c.hlc",
        "origin_site": "c.origin_site",
        "created_at": "c.at",
        "updated_at": "c.at",
    }
    for n in names:
        if n in fixed:
            exprs.append(fixed[n])
            continue
        path = _json_path(n)
        v = f"json_extract(c.fields, {path})"
        if n in dates:
            value = (
                f"CASE WHEN {v} IS NULL THEN NULL WHEN length({v}) = 32 THEN replace(substr({v}, 1, 26), 'T', ' ') "
                f"ELSE replace(substr({v}, 1, 19), 'T', ' ') || '.000000' END"
            )
        elif n in partners:
            value = (
                f"CASE WHEN {v} IS NULL THEN NULL WHEN json_array_length({v}) = 0 THEN ',' ELSE "
                f"',' || (SELECT group_concat(value, ',') FROM json_each(c.fields, {path})) || ',' END"
            )
        else:
            value = v
        default = converters[n](st.defaults.get(n))
        if n == "deleted" and default is None:
            default = 0
        params.append(default)
        exprs.append(f"CASE WHEN json_type(c.fields, {path}) IS NULL THEN ? ELSE {value} END")
    required = (
        " AND ".join(
            f"json_type(c.fields, {_json_path(n)}) IS NOT NULL" for n in sorted(st.required)
        )
        or "1"
    )
    before = conn.exec_driver_sql(f"SELECT COALESCE(MAX(rowid), 0) FROM {st.name}").scalar() or 0
    conn.exec_driver_sql(
        f"INSERT INTO {st.name} ({', '.join(names)}) SELECT {', '.join(exprs)} {source_rows} "
        f"AND {required} ORDER BY c.seq",
        tuple(params),
    )
    after_sql = AFTER_INSERT_SQL.get(st.name)
    if after_sql:
        conn.exec_driver_sql(after_sql, (before,))
    rows = conn.exec_driver_sql(
        f"SELECT id, deleted FROM {st.name} WHERE rowid > ?", (before,)
    ).all()
    hook = AFTER_APPLY.get(st.name) if not after_sql else None
    if hook:  # a table whose hook has no SQL form: give it the rows as the general path does
        full = conn.exec_driver_sql(
            f"SELECT {', '.join(names)} FROM {st.name} WHERE rowid > ?", (before,)
        ).all()
        who = {c.row_id: (c.who, c.origin_site, c.at) for c in changes}
        for row in full:
            values = dict(zip(names, row, strict=True))
            made_by, origin, at = who[values["id"]]
            applied.append(
                Applied(
                    values["id"], None, values, values, parse_utc(at), made_by, source or origin
                )
            )
    result.events.append(
        Changed(kind=st.kind, added=frozenset(r[0] for r in rows if not r[1]), initiator="sync")
    )
    result.records += len(rows)
    return True


def _insert_new(
    session: Session,
    st: SyncedTable,
    changes: list[Change],
    source: str,
    applied: list[Applied],
    result: ApplyResult,
) -> None:
    if not changes:
        return
    child_names = CHILD_FIELDS.get(st.name, {})
    children: list[tuple[str, str, Any]] = []
    converters = st.sqlite_converters() if session.connection().dialect.name == "sqlite" else None
    if converters is not None:
        # the hot path (a first sync, a big bundle): JSON values straight to SQLite parameters
        names = list(converters)
        base = {n: conv(st.defaults.get(n)) for n, conv in converters.items()}
        if base.get("deleted") is None:
            base["deleted"] = 0
        special = [(k, conv) for k, conv in converters.items() if conv is not as_is]
        take = itemgetter(*names)
        required = st.required
        loads = json.loads
        params = []
        for c in changes:
            values = loads(c.fields)
            if not required <= values.keys():
                continue  # cannot be a row yet; waits in the log
            row = dict(base)
            row.update(values)
            for k, conv in special:
                if k in values:
                    row[k] = conv(values[k])
            if row["deleted"] is None:
                row["deleted"] = 0
            row["id"], row["hlc"], row["origin_site"] = c.row_id, c.hlc, c.origin_site
            row["created_at"] = row["updated_at"] = c.at
            params.append(take(row))
            if child_names:
                children.extend((k, c.row_id, v) for k, v in values.items() if k in child_names)
            applied.append(
                Applied(
                    c.row_id, None, values, values, parse_utc(c.at), c.who, source or c.origin_site
                )
            )
        if params:
            session.connection().exec_driver_sql(
                f"INSERT INTO {st.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                params,
            )
            result.records += len(params)
    else:
        rows: list[dict[str, Any]] = []
        base = {n: st.defaults.get(n) for n in st.columns}
        for c in changes:
            values = json.loads(c.fields)
            cols = _column_values(st, values)
            if not st.required <= cols.keys():
                continue
            when = parse_utc(c.at)
            row = dict(base)
            row.update(cols)
            row.update(
                id=c.row_id, hlc=c.hlc, origin_site=c.origin_site, created_at=when, updated_at=when
            )
            if row.get("deleted") is None:
                row["deleted"] = False
            rows.append(row)
            if child_names:
                children.extend((k, c.row_id, v) for k, v in values.items() if k in child_names)
            applied.append(
                Applied(
                    c.row_id,
                    None,
                    row,
                    {**cols, **{k: v for k, v in values.items() if k in child_names}},
                    when,
                    c.who,
                    source or c.origin_site,
                )
            )
        if rows:
            session.execute(insert(st.table), rows)
            result.records += len(rows)
    for name, row_id, value in children:
        CHILD_FIELDS[st.name][name](session, row_id, value)


def _insert_rows(session: Session, st: SyncedTable, rows: list[dict[str, Any]]) -> None:
    """Insert whole rows: straight to SQLite when every column type is a plain one."""
    conn = session.connection()
    converters = st.sqlite_converters() if conn.dialect.name == "sqlite" else None
    if converters is None:
        session.execute(insert(st.table), rows)
        return
    names = list(converters)
    params = [tuple(conv(row.get(name)) for name, conv in converters.items()) for row in rows]
    conn.exec_driver_sql(
        f"INSERT INTO {st.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", params
    )


def _fold_rows(
    session: Session,
    st: SyncedTable,
    ids: list[str],
    existing: dict[str, dict[str, Any]],
    source: str,
    applied: list[Applied],
    result: ApplyResult,
) -> None:
    if not ids:
        return
    conn = session.connection()
    logs: dict[str, list[_Logged]] = defaultdict(list)
    for chunk in chunked(ids):
        rows = conn.execute(
            select(
                SyncChange.row_id,
                SyncChange.hlc,
                SyncChange.base_hlc,
                SyncChange.op,
                SyncChange.who,
                SyncChange.at,
                SyncChange.origin_site,
                SyncChange.fields,
            ).where(SyncChange.table_name == st.name, SyncChange.row_id.in_(chunk))
        )
        for rid, hlc, base, op, who, at, origin, fields in rows:
            logs[rid].append(
                _Logged(hlc, base, op, who, change_time(at), origin, json.loads(fields))
            )
    children = CHILD_FIELDS.get(st.name, {})
    conflicts: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    deferred: list[tuple[str, str, Any]] = []
    for rid in ids:
        log = logs.get(rid)
        if not log:
            continue
        folded = fold(log)
        cols = _column_values(st, folded.values)
        winner = max(folded.winners.values(), key=lambda c: c.hlc)
        when = parse_utc(winner.at)
        current = existing.get(rid)
        if current is None:
            if not st.required <= cols.keys():
                continue  # its first change has not arrived: waits in the log
            row = {n: st.defaults.get(n) for n in st.columns}
            row.update(cols)
            row.update(
                id=rid,
                hlc=folded.hlc,
                origin_site=folded.first.origin_site,
                created_at=parse_utc(folded.first.at),
                updated_at=when,
            )
            if row.get("deleted") is None:
                row["deleted"] = False
            inserts.append(row)
            child_changed = {n: folded.values[n] for n in children if n in folded.values}
            applied.append(
                Applied(
                    rid,
                    None,
                    row,
                    {**cols, **child_changed},
                    when,
                    winner.who,
                    source or winner.origin_site,
                )
            )
            deferred.extend((name, rid, value) for name, value in child_changed.items())
        else:
            changed = {n: v for n, v in cols.items() if not _same(st, n, current.get(n), v)}
            for name in children:
                if name in folded.values:
                    before = read_child(session, st.name, name, rid)
                    if before != folded.values[name]:
                        changed[name] = folded.values[name]
                        current[name] = before
            new_hlc = max(folded.hlc, current["hlc"])
            col_changes = {n: v for n, v in changed.items() if n in st.columns}
            if changed or new_hlc != current["hlc"]:
                session.execute(
                    update(st.table)
                    .where(st.table.c.id == rid)
                    .values(
                        **col_changes,
                        hlc=new_hlc,
                        updated_at=utcnow() if changed else current["updated_at"],
                    )
                )
            for name in children:
                if name in changed:
                    children[name](session, rid, changed[name])
            if changed:
                after = {**current, **changed}
                applied.append(
                    Applied(
                        rid, current, after, changed, when, winner.who, source or winner.origin_site
                    )
                )
        for c in folded.conflicts:
            conflicts.append(
                {
                    "table_name": st.name,
                    "row_id": rid,
                    "field": c["field"],
                    "kept": json.dumps(c["kept"]),
                    "kept_hlc": c["kept_hlc"],
                    "lost": json.dumps(c["lost"]),
                    "lost_hlc": c["lost_hlc"],
                    "lost_who": c["lost_who"],
                    "detected_at": utcnow(),
                }
            )
    if inserts:
        _insert_rows(session, st, inserts)
    for name, rid, value in deferred:  # child rows after the rows they belong to
        children[name](session, rid, value)
    result.records += len(inserts) + sum(1 for a in applied if a.before is not None)
    if conflicts:
        result.conflicts += _log_conflicts(session, conflicts)


def _log_conflicts(session: Session, rows: list[dict[str, Any]]) -> int:
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:
        from sqlalchemy.dialects.postgresql import insert as dialect_insert  # type: ignore[assignment]
    before = session.scalar(select(SyncConflict.id).order_by(SyncConflict.id.desc()).limit(1)) or 0
    session.execute(dialect_insert(SyncConflict).on_conflict_do_nothing(), rows)
    from sqlalchemy import func

    return int(session.scalar(select(func.count()).where(SyncConflict.id > before)) or 0)


def _note_events(st: SyncedTable, applied: list[Applied], result: ApplyResult) -> None:
    if not applied:
        return
    added, updated, removed, moved = set(), set(), set(), set()
    positions: list[tuple[str, float, float]] = []
    for a in applied:
        now_deleted = bool(a.after.get("deleted"))
        if a.before is None:
            if not now_deleted:
                added.add(a.row_id)
        elif now_deleted and not a.before.get("deleted"):
            removed.add(a.row_id)
        elif not now_deleted and a.before.get("deleted"):
            added.add(a.row_id)
        elif not now_deleted:
            updated.add(a.row_id)
            if st.name == "unit" and set(a.changed) <= MOVE_FIELDS:
                moved.add(a.row_id)
                positions.append((a.row_id, float(a.after["lat"]), float(a.after["lon"])))
    result.events.append(
        Changed(
            kind=st.kind,
            added=frozenset(added),
            updated=frozenset(updated),
            removed=frozenset(removed),
            moved=frozenset(moved),
            initiator="sync",
            positions=tuple(positions),
        )
    )
