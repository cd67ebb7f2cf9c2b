"""Tasks as CSV, in and out (``export --format csv --kind tasks``, ``import FILE.csv``).

The file is UTF-8 (a byte-order mark is accepted on import), comma-separated,
quoted as RFC 4180, one header row and then one row per task.  The header is::

    id,reference,title,type,description,priority,status,assigned_units,originator,location,start,due,classification,releasable_to

``id``              the task's id (UUIDv7); importing a file again updates the tasks with these ids
``reference``       e.g. ``TESTHQ-0001``; empty on import: numbered by this site
``title``           required
``type``            escort, patrol, reconnaissance, route clearance, distribution, medical
                    evacuation, engineering, liaison, search and rescue, other (default other)
``description``     free text, line breaks allowed
``priority``        routine, priority, immediate, flash (default routine)
``status``          draft, assigned, in_progress, complete, cancelled, blocked, as written (default draft)
``assigned_units``  the units' callsigns, ``;``-separated (a unit without a callsign, or whose
                    callsign is shared, is written as its id); on import a callsign or a unit id
``originator``      who gave the task
``location``        a GeoJSON Point or Polygon geometry as text, or empty
``start``, ``due``  ISO 8601 in UTC (``2026-11-28T15:30:00Z``); a DTG (``281530ZNOV26``) is
                    accepted on import
``classification``  e.g. ``NATO RESTRICTED`` (default UNCLASSIFIED)
``releasable_to``   partner codes ``;``-separated (``NATO;UN``), ``PUBLIC`` or ``NOT RELEASABLE``
                    (default PUBLIC)

Only ``title`` must be present in an imported header; columns may come in any
order; an unknown column is refused.  A text cell (reference, title, description,
originator) that would start with ``=``, ``+``, ``-``, ``@``, a tab, a carriage
return or ``'`` is written with a leading ``'`` so that spreadsheets do not run it
as a formula; import removes that one ``'`` again, so the text round trips.

An import is one transaction: if any row is refused nothing is stored, and the
message names the row.  **Row numbers count the header as row 1, so the first
task is row 2** (the line a spreadsheet shows, unless a cell holds a line break).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.common.dtg import DTGError, parse_dtg
from app.core.common.markings import MarkingError, Releasability
from app.core.common.times import iso_z
from app.core.formats.cells import escape_cell, unescape_cell
from app.core.formats.errors import InteropError, read_limited
from app.core.picture.records import ValidationError
from app.core.store.engine import Store
from app.core.tasks.records import PRIORITIES, STATUSES, TASK_TYPES, TaskData
from app.i18n import _

HEADER: tuple[str, ...] = (
    "id",
    "reference",
    "title",
    "type",
    "description",
    "priority",
    "status",
    "assigned_units",
    "originator",
    "location",
    "start",
    "due",
    "classification",
    "releasable_to",
)
REQUIRED = ("title",)
TEXT_CELLS = frozenset({"reference", "title", "description", "originator"})
MAX_BYTES = 256 * 1024 * 1024
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def format_time(value: datetime | None) -> str:
    """ISO 8601 in UTC with a ``Z``, sub-second precision kept (round trips exactly)."""
    return iso_z(value) if value else ""


class UnitResolver:
    """Unit ids <-> the labels written in ``assigned_units`` (callsigns where unambiguous)."""

    def __init__(self, units: Iterable[tuple[str, str]]) -> None:
        self.ids: set[str] = set()
        self.by_callsign: dict[str, list[str]] = {}
        callsign_of: dict[str, str] = {}
        for unit_id, callsign in units:
            self.ids.add(unit_id)
            callsign = (callsign or "").strip()
            if callsign:
                self.by_callsign.setdefault(callsign.casefold(), []).append(unit_id)
                callsign_of[unit_id] = callsign
        # written as its callsign: a unit whose callsign no other unit has and holds no ';'
        self._label = {
            uid: callsign
            for uid, callsign in callsign_of.items()
            if len(self.by_callsign[callsign.casefold()]) == 1 and ";" not in callsign
        }

    @classmethod
    def of_store(cls, store: Store, extra: Iterable[tuple[str, str]] = ()) -> UnitResolver:
        """Every live unit of ``store`` (plus ``extra`` (id, callsign) pairs, e.g. a file's units)."""
        from sqlalchemy import select

        from app.core.store.models import Unit

        with store.session() as session:
            pairs = list(
                session.execute(select(Unit.id, Unit.callsign).where(Unit.deleted.is_(False)))
            )
        extra_pairs = list(extra)
        known = {uid for uid, _c in extra_pairs}
        return cls([*(p for p in pairs if p[0] not in known), *extra_pairs])

    def resolve(self, token: str) -> str:
        """A unit id from a callsign or an id; ValidationError for an unknown unit.

        A UUID the store does not hold is kept as it is (the unit may arrive later).
        """
        token = token.strip()
        if token in self.ids:
            return token
        matches = self.by_callsign.get(token.casefold(), [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValidationError(
                _("callsign '{value}' belongs to {n} units; give the unit id instead").format(
                    value=token, n=len(matches)
                )
            )
        if _UUID.match(token):
            return token
        raise ValidationError(_("unknown unit '{value}'").format(value=token))

    def label(self, unit_id: str) -> str:
        """What to write for ``unit_id``: its callsign when no other unit has it, else the id."""
        return self._label.get(unit_id, unit_id)


# --------------------------------------------------------------------------- writing


def task_cells(row: Any, resolver: UnitResolver) -> list[str]:
    """One CSV row for a ``TaskRow``."""
    rel: Releasability = row.releasable_to
    return [
        row.id,
        escape_cell(row.reference),
        escape_cell(row.title),
        row.type,
        escape_cell(row.description),
        row.priority,
        row.status,
        ";".join(resolver.label(uid) for uid in row.assigned_units),
        escape_cell(row.originator),
        json.dumps(row.location, separators=(",", ":"), ensure_ascii=False) if row.location else "",
        format_time(row.start),
        format_time(row.due),
        row.classification,
        ";".join(rel.codes_list()) if rel.codes else "NOT RELEASABLE",
    ]


def write(path: Path, rows: Sequence[Any], resolver: UnitResolver) -> int:
    """Write ``TaskRow``s to ``path`` (atomically); returns the number of tasks written."""
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(task_cells(row, resolver))
    tmp.replace(path)
    return len(rows)


def export_tasks(store: Store, path: Path, partner: str | None = None) -> int:
    """Every live task (only those releasable to ``partner`` when given) to a CSV file."""
    from app.core.tasks.queries import list_tasks

    rows = list_tasks(store, partner=partner)
    return write(path, rows, UnitResolver.of_store(store))


# --------------------------------------------------------------------------- reading


def _decode(path: Path) -> str:
    data = read_limited(path, MAX_BYTES)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InteropError(_("{path} is not UTF-8 text").format(path=path.name)) from exc


def _header(cells: list[str]) -> list[str]:
    return [c.strip().lstrip("\ufeff").strip().lower() for c in cells]


def looks_like_tasks(path: Path) -> bool:
    """Is the first line of ``path`` a task CSV header?"""
    try:
        with path.open("rb") as handle:
            first_line = handle.readline(64 * 1024)
    except OSError:
        return False
    text = first_line.decode("utf-8-sig", errors="replace")
    try:
        first = next(csv.reader(io.StringIO(text)), [])
    except csv.Error:
        return False
    columns = [c for c in _header(first) if c]
    return bool(columns) and "title" in columns and set(columns) <= set(HEADER)


def _choice(value: str, allowed: Sequence[str], default: str, joiner: str) -> str:
    """Case and separator tolerant: ``In progress`` -> ``in_progress``; unknown as given."""
    text = value.strip()
    if not text:
        return default
    normal = re.sub(r"[\s_-]+", joiner, text.lower())
    return normal if normal in allowed else text


def _time(value: str, column: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        return parse_dtg(value)
    except DTGError as exc:
        raise ValidationError(_("{field}: {error}").format(field=column, error=exc)) from exc


def _location(value: str) -> dict[str, Any] | None:
    if not value.strip():
        return None
    try:
        geom = json.loads(value)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            _("location: not GeoJSON text ({error})").format(error=exc.msg)
        ) from exc
    if isinstance(geom, dict) and geom.get("type") == "Feature":
        geom = geom.get("geometry")
    if not isinstance(geom, dict):
        raise ValidationError(_("the location must be a GeoJSON Point or Polygon"))
    return geom


def _row_task(cells: dict[str, str], resolver: UnitResolver) -> TaskData:
    def text(column: str) -> str:
        value = cells.get(column, "")
        return unescape_cell(value) if column in TEXT_CELLS else value

    units = [resolver.resolve(t) for t in text("assigned_units").split(";") if t.strip()]
    rel_text = text("releasable_to").strip()
    try:
        releasable: Releasability | str = Releasability.parse(rel_text) if rel_text else "PUBLIC"
    except MarkingError as exc:
        raise ValidationError(str(exc)) from exc
    task = TaskData(
        id=text("id").strip() or None,
        reference=text("reference").strip() or None,
        title=text("title"),
        type=_choice(text("type"), TASK_TYPES, "other", " "),
        description=text("description"),
        priority=_choice(text("priority"), PRIORITIES, "routine", " "),
        status=_choice(text("status"), STATUSES, "draft", "_"),
        assigned_units=units,
        originator=text("originator"),
        location=_location(text("location")),
        start=_time(text("start"), "start"),
        due=_time(text("due"), "due"),
        classification=text("classification").strip() or "UNCLASSIFIED",
        releasable_to=releasable,
    )
    return task.validate()


def row_error(row: int, error: Exception | str) -> InteropError:
    return InteropError(_("row {row}: {error}").format(row=row, error=error))


def read(path: Path, resolver: UnitResolver) -> tuple[list[TaskData], list[int]]:
    """Parse and validate a whole file: (tasks, the row number of each).

    Raises ``InteropError`` naming the row (the header is row 1).
    """
    text = _decode(path)
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, MAX_BYTES))
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InteropError(
            _("{path} is not valid CSV: {error}").format(path=path.name, error=exc)
        ) from exc
    finally:
        csv.field_size_limit(old_limit)
    if not records or not any(c.strip() for c in records[0]):
        raise InteropError(_("{path} is empty: it has no header row").format(path=path.name))
    header = _header(records[0])
    seen: set[str] = set()
    for column in header:
        if column and column not in HEADER:
            raise InteropError(
                _("{path}: unknown column '{column}'; the columns are: {columns}").format(
                    path=path.name, column=column, columns=",".join(HEADER)
                )
            )
        if column and column in seen:
            raise InteropError(
                _("{path}: the column '{column}' appears twice").format(
                    path=path.name, column=column
                )
            )
        seen.add(column)
    for column in REQUIRED:
        if column not in seen:
            raise InteropError(
                _("{path}: the header has no '{column}' column").format(
                    path=path.name, column=column
                )
            )
    tasks: list[TaskData] = []
    rows: list[int] = []
    first_row_of: dict[str, int] = {}
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        extra = [c for c in record[len(header) :] if c.strip()]
        if extra:
            raise row_error(
                number,
                _("it has {n} cells, the header has {m}").format(n=len(record), m=len(header)),
            )
        cells = {column: value for column, value in zip(header, record, strict=False) if column}
        try:
            task = _row_task(cells, resolver)
        except (ValidationError, ValueError) as exc:
            raise row_error(number, exc) from exc
        if task.id:
            if task.id in first_row_of:
                raise row_error(
                    number,
                    _("task id '{value}' is already on row {first}").format(
                        value=task.id, first=first_row_of[task.id]
                    ),
                )
            first_row_of[task.id] = number
        tasks.append(task)
        rows.append(number)
    return tasks, rows


def import_tasks(store: Store, path: Path) -> int:
    """Import a task CSV in one transaction; returns the number of tasks in the file.

    Tasks are updated by ``id`` (a task changing status follows the workflow);
    nothing is stored when any row is refused.
    """
    from app.core.store.writing import writing
    from app.core.tasks.ops import save_tasks

    tasks, rows = read(path, UnitResolver.of_store(store))
    try:
        with writing(store, initiator="import") as batch:
            save_tasks(batch, tasks)
    except ValidationError as exc:
        index = getattr(exc, "task_index", None)
        if index is None:
            raise
        raise row_error(rows[index], exc) from exc
    return len(tasks)
