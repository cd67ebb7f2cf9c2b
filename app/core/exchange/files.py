"""Import and export by file: format from the extension or given explicitly.

Each import is one transaction: a refused file changes nothing.

Formats: GeoJSON (``.geojson``, ``.json``) holds units, zones and the tasks that
have a location; CSV (``.csv``) holds one kind of record, given as ``kind``
(``tasks``) or, on import, recognised from the header.  Cursor on Target
(``cot``: ``.cot``, ``.xml``, one or many events), KML (``.kml``), KMZ
(``.kmz``) and TAK data packages (``tak``: ``.zip``) hold units, zones, routes
and (CoT) chat messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.core.exchange import geojson
from app.core.exchange.ingest import Exchange, apply
from app.core.exchange.ops import save_routes
from app.core.exchange.queries import list_routes
from app.core.formats.errors import InteropError, read_limited
from app.core.picture.ops import save_units, save_zones
from app.core.picture.queries import list_units, list_zones
from app.core.picture.records import ValidationError
from app.core.store.engine import Store
from app.core.store.writing import writing
from app.core.tasks import csv_file as tasks_csv
from app.i18n import _

FORMATS = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".csv": "csv",
    ".hxl": "hxl",
    ".cot": "cot",
    ".xml": "cot",
    ".kml": "kml",
    ".kmz": "kmz",
    ".zip": "tak",
}
EXCHANGE_FORMATS = ("cot", "kml", "kmz", "tak")
IMPORT_FORMATS = ("geojson", "csv", "hxl", *EXCHANGE_FORMATS)
EXPORT_FORMATS = IMPORT_FORMATS
KINDS = ("tasks",)
MAX_XML_BYTES = 64 * 1024 * 1024  # a CoT or KML file; larger is refused unread
Progress = Callable[[int, int], None]


def _no_progress(_done: int, _total: int = 0) -> None:
    return None


def detect_format(path: Path, given: str | None = None) -> str:
    if given:
        return given.lower()
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InteropError(
            _("cannot tell the format of {name} from its extension; give --format").format(
                name=path.name
            )
        )
    return fmt


def _check_kind(kind: str | None) -> str | None:
    if kind is not None and kind.lower() not in KINDS:
        raise InteropError(
            _("unknown kind of record '{kind}'; use one of: {kinds}").format(
                kind=kind, kinds=", ".join(KINDS)
            )
        )
    return kind.lower() if kind else None


@dataclass(frozen=True)
class ImportResult:
    path: Path
    units: int
    zones: int
    tasks: int = 0
    routes: int = 0
    messages: int = 0
    removed: int = 0
    ignored: int = 0

    def __str__(self) -> str:
        if self.routes or self.messages or self.removed or self.ignored:
            text = _(
                "Imported {units} units, {zones} zones, {routes} routes and {messages} messages from {name}"
            ).format(
                units=self.units,
                zones=self.zones,
                routes=self.routes,
                messages=self.messages,
                name=self.path.name,
            )
            if self.tasks:
                text += "; " + _("{n} tasks").format(n=self.tasks)
            if self.removed:
                text += "; " + _("{n} removed").format(n=self.removed)
            if self.ignored:
                text += "; " + _("{n} events of other types skipped").format(n=self.ignored)
            return text
        if self.tasks and not (self.units or self.zones):
            return _("Imported {tasks} tasks from {name}").format(
                tasks=self.tasks, name=self.path.name
            )
        if self.tasks:
            return _("Imported {units} units, {zones} zones and {tasks} tasks from {name}").format(
                units=self.units, zones=self.zones, tasks=self.tasks, name=self.path.name
            )
        return _("Imported {units} units and {zones} zones from {name}").format(
            units=self.units, zones=self.zones, name=self.path.name
        )


@dataclass(frozen=True)
class ExportResult:
    path: Path
    features: int
    kind: str | None = None  # "tasks" when the file holds rows of tasks

    def __str__(self) -> str:
        if self.kind == "tasks":
            return _("Wrote {n} tasks to {name}").format(n=self.features, name=self.path.name)
        if self.kind:
            return _("Wrote {n} rows of {kind} to {name}").format(
                n=self.features, kind=self.kind, name=self.path.name
            )
        return _("Wrote {n} features to {name}").format(n=self.features, name=self.path.name)


def _import_geojson(store: Store, path: Path, kind: str | None, step: Progress) -> ImportResult:
    from app.core.tasks.ops import save_tasks

    content = geojson.read_all(path)
    step(1, 2)
    if kind == "tasks":
        content.units, content.zones = [], []
    resolver = (
        tasks_csv.UnitResolver.of_store(store, ((u.id, u.callsign) for u in content.units if u.id))
        if content.task_callsigns
        else None
    )
    for index, task in enumerate(content.tasks):
        where = content.task_where[index]
        try:
            if resolver is not None and index in content.task_callsigns:
                task.assigned_units = [resolver.resolve(c) for c in content.task_callsigns[index]]
            task.validate()
        except (ValidationError, ValueError) as exc:
            raise InteropError(f"{where}: {exc}") from exc
    try:
        with writing(store, initiator="import") as batch:
            save_units(batch, content.units)
            save_zones(batch, content.zones)
            save_tasks(batch, content.tasks)
            save_routes(batch, content.routes)
    except ValidationError as exc:
        refused = getattr(exc, "task_index", None)
        if refused is None:
            raise
        raise InteropError(f"{content.task_where[refused]}: {exc}") from exc
    return ImportResult(
        path, len(content.units), len(content.zones), len(content.tasks), routes=len(content.routes)
    )


def _has_hxl_tags(path: Path) -> bool:
    """Whether one of the first 25 lines looks like an HXL hashtag row."""
    try:
        with path.open("rb") as handle:
            head = [handle.readline() for _n in range(25)]
    except OSError:
        return False
    return any(
        line.lstrip().startswith(b"#") and b"," in line or line.startswith(b'"#') for line in head
    )


def import_file(
    store: Store,
    path: Path,
    fmt: str | None = None,
    kind: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``path`` in one transaction; ``kind`` (``tasks``) chooses what a CSV holds.

    ``progress(done, total)`` is told each stage (read and checked, then stored);
    the UI's worker raises from it when the user cancels, which is before the
    transaction begins, so a cancelled import stores nothing.
    """
    step = progress or _no_progress
    step(0, 2)
    result = _import(store, path, fmt, kind, step)
    step(2, 2)
    return result


def _import(
    store: Store, path: Path, fmt: str | None, kind: str | None, step: Progress
) -> ImportResult:
    fmt_name = detect_format(path, fmt)
    if fmt_name == "hxl" or (kind or "").lower() in ("stock", "needs", "presence"):  # supply tables
        from app.core.supply.hxl import import_hxl

        return import_hxl(store, path, kind)  # type: ignore[return-value]
    kind = _check_kind(kind)
    if fmt_name == "csv":
        if kind is None and not tasks_csv.looks_like_tasks(path) and _has_hxl_tags(path):
            from app.core.supply.hxl import import_hxl

            return import_hxl(store, path)  # type: ignore[return-value]
        if kind is None and not tasks_csv.looks_like_tasks(path):
            raise InteropError(
                _("cannot tell what {name} holds from its header; give --kind").format(
                    name=path.name
                )
            )
        return ImportResult(path, 0, 0, tasks_csv.import_tasks(store, path))
    if fmt_name in EXCHANGE_FORMATS:
        if kind == "tasks":
            raise InteropError(_("a {fmt} file holds no tasks").format(fmt=fmt_name))
        exchange = read_exchange(path, fmt_name)
        step(1, 2)
        applied = apply(store, exchange, initiator="import")
        return ImportResult(
            path,
            applied.units,
            applied.zones,
            routes=applied.routes,
            messages=applied.messages,
            removed=applied.removed,
            ignored=applied.ignored,
        )
    if fmt_name != "geojson":
        raise InteropError(
            _("unknown format '{fmt}'; use one of: {formats}").format(
                fmt=fmt_name, formats=", ".join(IMPORT_FORMATS)
            )
        )
    return _import_geojson(store, path, kind, step)


def read_exchange(path: Path, fmt: str) -> Exchange:
    """Parse and check a CoT, KML, KMZ or TAK data package file (nothing stored)."""
    from app.core.exchange import kml, takpkg
    from app.core.exchange.cot_records import to_exchange
    from app.core.formats.cot import parse_events

    if fmt == "cot":
        return to_exchange(parse_events(read_limited(path, MAX_XML_BYTES), path.name))
    if fmt == "kml":
        return kml.read_kml(read_limited(path, MAX_XML_BYTES), path.name)
    if fmt == "kmz":
        return kml.read_kmz(path)
    return takpkg.read_package(path)


def export_file(
    store: Store,
    path: Path,
    fmt: str = "geojson",
    partner: str | None = None,
    kind: str | None = None,
) -> ExportResult:
    """Write the picture (or only ``kind``: ``tasks``) to ``path``, releasable to ``partner`` if given."""
    from app.core.tasks.queries import list_tasks

    if fmt == "hxl":  # supply tables: stock, needs, presence
        from app.core.supply.hxl import export_hxl, kind_label

        if not kind:
            raise InteropError(_("an HXL export needs --kind (stock, needs or presence)"))
        count = export_hxl(store, path, kind, partner=partner)
        return ExportResult(path, count, kind=kind_label(kind.lower()))
    kind = _check_kind(kind)
    if fmt == "csv":
        if kind is None:
            raise InteropError(_("a CSV export needs a kind of record: give --kind tasks"))
        return ExportResult(
            path, tasks_csv.export_tasks(store, path, partner=partner), kind="tasks"
        )
    if fmt in EXCHANGE_FORMATS:
        if kind == "tasks":
            raise InteropError(_("a {fmt} file holds no tasks").format(fmt=fmt))
        return ExportResult(path, _export_exchange(store, path, fmt, partner))
    if fmt != "geojson":
        raise InteropError(
            _("unknown format '{fmt}'; use one of: {formats}").format(
                fmt=fmt, formats=", ".join(EXPORT_FORMATS)
            )
        )
    units = [] if kind == "tasks" else list_units(store, partner=partner)
    zones = [] if kind == "tasks" else list_zones(store, partner=partner)
    tasks = list_tasks(store, partner=partner)
    if kind == "tasks":
        return ExportResult(path, geojson.write(path, units, zones, tasks))
    from app.core.supply.geojson import supply_features  # supply sites and shipments

    data = geojson.feature_collection(units, zones, tasks, list_routes(store, partner=partner))
    data["features"] += supply_features(store, partner)
    _write_atomically(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    return ExportResult(path, len(data["features"]))


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


def _export_exchange(store: Store, path: Path, fmt: str, partner: str | None) -> int:
    from app.core.exchange import kml, takpkg
    from app.core.exchange.cot_records import picture_events
    from app.core.formats.cot import write_events

    if fmt == "cot":
        events = picture_events(store, partner=partner)
        _write_atomically(path, write_events(events))
        return len(events)
    if fmt == "tak":
        data, count = takpkg.write_package(store, partner=partner, name=path.stem)
        _write_atomically(path, data)
        return count
    document, count = kml.write_kml(store, partner=partner, name=path.stem)
    _write_atomically(path, kml.kmz_bytes(document) if fmt == "kmz" else document)
    return count
