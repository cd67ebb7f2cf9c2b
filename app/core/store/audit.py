"""The audit trail: who changed what, when, read from the change log.

Every committed change already writes a ``sync_change`` row in the same
transaction (the operator as ``who``, the HLC, the changed fields); the audit
view is that log, filtered, with each record's name beside its id.  Changes
received from other sites are in it too, under their origin site.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Select, func, or_, select

from app.core.common.dtg import format_dtg
from app.core.formats.cells import escape_cell
from app.core.store.base import Base
from app.core.store.chunks import READ_CHUNK, chunked
from app.core.store.engine import Store
from app.core.store.models import SyncChange
from app.i18n import _

# the column that names a record, by table (the first that exists)
_NAME_COLUMNS = ("name", "title", "reference", "waybill", "code")
EXPORT_COLUMNS = ("seq", "at", "dtg", "who", "site", "kind", "record_id", "record", "op", "fields")


@dataclass(frozen=True)
class AuditFilter:
    who: str | None = None
    kind: str | None = None  # the table: unit, crisis_zone, task...
    text: str | None = None  # in the record id or the changed fields
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditRow:
    seq: int
    at: datetime
    who: str
    site: str
    kind: str
    record_id: str
    record: str
    op: str
    fields: str  # "name=…; severity=4"

    @property
    def dtg(self) -> str:
        return format_dtg(self.at)


def _filtered(stmt: Select, f: AuditFilter) -> Select:
    if f.who:
        stmt = stmt.where(SyncChange.who == f.who)
    if f.kind:
        stmt = stmt.where(SyncChange.table_name == f.kind)
    if f.since:
        stmt = stmt.where(SyncChange.at >= f.since)
    if f.until:
        stmt = stmt.where(SyncChange.at <= f.until)
    if f.text:
        needle = f"%{f.text.strip()}%"
        stmt = stmt.where(or_(SyncChange.row_id.like(needle), SyncChange.fields.like(needle)))
    return stmt


def _summary(fields_json: str, limit: int = 160) -> str:
    try:
        fields = json.loads(fields_json)
    except ValueError:
        return fields_json[:limit]
    if not isinstance(fields, dict):
        return str(fields)[:limit]
    parts = []
    for key, value in fields.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        if len(text) > 40:
            text = text[:37] + "…"
        parts.append(f"{key}={text}")
    summary = "; ".join(parts)
    return summary if len(summary) <= limit else summary[: limit - 1] + "…"


def _names(store: Store, wanted: dict[str, set[str]]) -> dict[tuple[str, str], str]:
    """(table, id) -> the record's name, for the tables that have one."""
    found: dict[tuple[str, str], str] = {}
    with store.session() as session:
        for table_name, ids in wanted.items():
            table = Base.metadata.tables.get(table_name)
            if table is None or "id" not in table.c:
                continue
            column = next((table.c[c] for c in _NAME_COLUMNS if c in table.c), None)
            if column is None:
                continue
            for chunk in chunked(sorted(ids), READ_CHUNK):
                for rid, name in session.execute(
                    select(table.c.id, column).where(table.c.id.in_(chunk))
                ):
                    found[(table_name, rid)] = str(name or "")
    return found


def _rows(store: Store, raw: list[tuple]) -> list[AuditRow]:  # type: ignore[type-arg]
    wanted: dict[str, set[str]] = {}
    for r in raw:
        wanted.setdefault(r[5], set()).add(r[6])
    names = _names(store, wanted)
    return [
        AuditRow(
            seq, at, who or "", site, table, rid, names.get((table, rid), ""), op, _summary(fields)
        )
        for seq, at, who, site, _hlc, table, rid, op, fields in raw
    ]


_COLUMNS = (
    SyncChange.seq,
    SyncChange.at,
    SyncChange.who,
    SyncChange.origin_site,
    SyncChange.hlc,
    SyncChange.table_name,
    SyncChange.row_id,
    SyncChange.op,
    SyncChange.fields,
)


def audit_rows(store: Store, f: AuditFilter | None = None, limit: int = 2000) -> list[AuditRow]:
    """The newest ``limit`` changes that match ``f``, newest first."""
    stmt = (
        _filtered(select(*_COLUMNS), f or AuditFilter())
        .order_by(SyncChange.seq.desc())
        .limit(limit)
    )
    with store.session() as session:
        raw = [tuple(r) for r in session.execute(stmt)]
    return _rows(store, raw)


def audit_count(store: Store, f: AuditFilter | None = None) -> int:
    with store.session() as session:
        return int(
            session.scalar(
                _filtered(select(func.count()).select_from(SyncChange), f or AuditFilter())
            )
            or 0
        )


def audit_choices(store: Store) -> tuple[list[str], list[str]]:
    """Everyone who made a change, and every kind of record changed (for the filters)."""
    with store.session() as session:
        who = [
            w
            for w in session.scalars(select(SyncChange.who).distinct().order_by(SyncChange.who))
            if w
        ]
        kinds = list(
            session.scalars(
                select(SyncChange.table_name).distinct().order_by(SyncChange.table_name)
            )
        )
    return who, kinds


class AuditPage(NamedTuple):
    """What the Audit dock shows: the newest rows, how many match, the filter's choices."""

    rows: list[AuditRow]
    total: int
    choices: tuple[list[str], list[str]]


def audit_page(store: Store, f: AuditFilter | None = None, limit: int = 2000) -> AuditPage:
    """The newest ``limit`` changes matching ``f``, their total and who/kind choices."""
    return AuditPage(audit_rows(store, f, limit), audit_count(store, f), audit_choices(store))


def _batches(store: Store, f: AuditFilter, size: int = 5000) -> Iterator[list[AuditRow]]:
    last = None
    while True:
        stmt = _filtered(select(*_COLUMNS), f)
        if last is not None:
            stmt = stmt.where(SyncChange.seq > last)
        stmt = stmt.order_by(SyncChange.seq).limit(size)
        with store.session() as session:
            raw = [tuple(r) for r in session.execute(stmt)]
        if not raw:
            return
        last = raw[-1][0]
        yield _rows(store, raw)


def export_audit(
    store: Store,
    out: Path,
    f: AuditFilter | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write every matching change, oldest first, as CSV; returns how many."""
    f = f or AuditFilter()
    total = audit_count(store, f)
    written = 0
    partial = out.with_name(out.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for batch in _batches(store, f):
            for r in batch:
                writer.writerow(
                    (
                        r.seq,
                        r.at.isoformat(),
                        r.dtg,
                        escape_cell(r.who),
                        r.site,
                        r.kind,
                        r.record_id,
                        escape_cell(r.record),
                        r.op,
                        escape_cell(r.fields),
                    )
                )
            written += len(batch)
            if progress is not None:
                progress(written, total)
    partial.replace(out)
    return written


def describe_op(op: str) -> str:
    return {"insert": _("created"), "update": _("changed"), "delete": _("deleted")}.get(op, op)
