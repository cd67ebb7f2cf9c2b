"""Import and export by file: format from the extension or given explicitly.

Each import is one transaction: a refused file changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core.interop import geojson
from app.core.interop.errors import InteropError
from app.core.store.engine import Store
from app.core.store.ops import save_units, save_zones, writing
from app.core.store.queries import list_units, list_zones
from app.i18n import _

FORMATS = {".geojson": "geojson", ".json": "geojson"}


def detect_format(path: Path, given: str | None = None) -> str:
    if given:
        return given.lower()
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InteropError(
            _("cannot tell the format of {name} from its extension; give --format").format(name=path.name)
        )
    return fmt


@dataclass(frozen=True)
class ImportResult:
    path: Path
    units: int
    zones: int

    def __str__(self) -> str:
        return _("Imported {units} units and {zones} zones from {name}").format(
            units=self.units, zones=self.zones, name=self.path.name
        )


@dataclass(frozen=True)
class ExportResult:
    path: Path
    features: int

    def __str__(self) -> str:
        return _("Wrote {n} features to {name}").format(n=self.features, name=self.path.name)


def import_file(store: Store, path: Path, fmt: str | None = None) -> ImportResult:
    kind = detect_format(path, fmt)
    if kind != "geojson":
        raise InteropError(_("importing '{fmt}' is not supported yet").format(fmt=kind))
    units, zones = geojson.read(path)
    with writing(store, initiator="import") as batch:
        save_units(batch, units)
        save_zones(batch, zones)
    return ImportResult(path, len(units), len(zones))


def export_file(store: Store, path: Path, fmt: str = "geojson", partner: str | None = None) -> ExportResult:
    if fmt != "geojson":
        raise InteropError(_("exporting '{fmt}' is not supported yet").format(fmt=fmt))
    units = list_units(store, partner=partner)
    zones = list_zones(store, partner=partner)
    count = geojson.write(path, units, zones)
    return ExportResult(path, count)
