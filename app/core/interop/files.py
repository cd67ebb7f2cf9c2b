"""Import and export by file: format from the extension or given explicitly.

Each import is one transaction: a refused file changes nothing.

Formats: GeoJSON (``.geojson``, ``.json``) holds units, zones and the tasks that
have a location; CSV (``.csv``) holds one kind of record, given as ``kind``
(``tasks``) or, on import, recognised from the header.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from app.core.domain.entities import ValidationError
from app.core.interop import geojson, tasks_csv
from app.core.interop.errors import InteropError
from app.core.store.engine import Store
from app.core.store.ops import save_units, save_zones, writing
from app.core.store.queries import list_units, list_zones
from app.i18n import _

FORMATS = {".geojson": "geojson", ".json": "geojson", ".csv": "csv", ".hxl": "hxl"}
KINDS = ("tasks",)


def detect_format(path: Path, given: str | None = None) -> str:
    if given:
        return given.lower()
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InteropError(
            _("cannot tell the format of {name} from its extension; give --format").format(name=path.name)
        )
    return fmt


def _check_kind(kind: str | None) -> str | None:
    if kind is not None and kind.lower() not in KINDS:
        raise InteropError(
            _("unknown kind of record '{kind}'; use one of: {kinds}").format(kind=kind, kinds=", ".join(KINDS))
        )
    return kind.lower() if kind else None


@dataclass(frozen=True)
class ImportResult:
    path: Path
    units: int
    zones: int
    tasks: int = 0

    def __str__(self) -> str:
        if self.tasks and not (self.units or self.zones):
            return _("Imported {tasks} tasks from {name}").format(tasks=self.tasks, name=self.path.name)
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
            return _("Wrote {n} rows of {kind} to {name}").format(n=self.features, kind=self.kind, name=self.path.name)
        return _("Wrote {n} features to {name}").format(n=self.features, name=self.path.name)


def _import_geojson(store: Store, path: Path, kind: str | None) -> ImportResult:
    from app.core.store.task_ops import save_tasks

    content = geojson.read_all(path)
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
    except ValidationError as exc:
        refused = getattr(exc, "task_index", None)
        if refused is None:
            raise
        raise InteropError(f"{content.task_where[refused]}: {exc}") from exc
    return ImportResult(path, len(content.units), len(content.zones), len(content.tasks))


def _has_hxl_tags(path: Path) -> bool:
    """Whether one of the first 25 lines looks like an HXL hashtag row."""
    try:
        with path.open("rb") as handle:
            head = [handle.readline() for _n in range(25)]
    except OSError:
        return False
    return any(line.lstrip().startswith(b"#") and b"," in line or line.startswith(b'"#') for line in head)


def import_file(store: Store, path: Path, fmt: str | None = None, kind: str | None = None) -> ImportResult:
    """Import ``path`` in one transaction; ``kind`` (``tasks``) chooses what a CSV holds."""
    fmt_name = detect_format(path, fmt)
    if fmt_name == "hxl" or (kind or "").lower() in ("stock", "needs", "presence"):  # supply tables
        from app.core.interop.hxl_supply import import_hxl

        return import_hxl(store, path, kind)  # type: ignore[return-value]
    kind = _check_kind(kind)
    if fmt_name == "csv":
        if kind is None and not tasks_csv.looks_like_tasks(path) and _has_hxl_tags(path):
            from app.core.interop.hxl_supply import import_hxl

            return import_hxl(store, path)  # type: ignore[return-value]
        if kind is None and not tasks_csv.looks_like_tasks(path):
            raise InteropError(
                _("cannot tell what {name} holds from its header; give --kind").format(name=path.name)
            )
        return ImportResult(path, 0, 0, tasks_csv.import_tasks(store, path))
    if fmt_name != "geojson":
        raise InteropError(_("importing '{fmt}' is not supported yet").format(fmt=fmt_name))
    return _import_geojson(store, path, kind)


def export_file(
    store: Store,
    path: Path,
    fmt: str = "geojson",
    partner: str | None = None,
    kind: str | None = None,
) -> ExportResult:
    """Write the picture (or only ``kind``: ``tasks``) to ``path``, releasable to ``partner`` if given."""
    from app.core.store.task_queries import list_tasks

    if fmt == "hxl":  # supply tables: stock, needs, presence
        from app.core.interop.hxl_supply import export_hxl, kind_label

        if not kind:
            raise InteropError(_("an HXL export needs --kind (stock, needs or presence)"))
        count = export_hxl(store, path, kind, partner=partner)
        return ExportResult(path, count, kind=kind_label(kind.lower()))
    kind = _check_kind(kind)
    if fmt == "csv":
        if kind is None:
            raise InteropError(_("a CSV export needs a kind of record: give --kind tasks"))
        return ExportResult(path, tasks_csv.export_tasks(store, path, partner=partner), kind="tasks")
    if fmt != "geojson":
        raise InteropError(_("exporting '{fmt}' is not supported yet").format(fmt=fmt))
    units = [] if kind == "tasks" else list_units(store, partner=partner)
    zones = [] if kind == "tasks" else list_zones(store, partner=partner)
    tasks = list_tasks(store, partner=partner)
    if kind == "tasks":
        return ExportResult(path, geojson.write(path, units, zones, tasks))
    from app.core.interop.supply_geojson import supply_features  # supply sites and shipments

    data = geojson.feature_collection(units, zones, tasks)
    data["features"] += supply_features(store, partner)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return ExportResult(path, len(data["features"]))
