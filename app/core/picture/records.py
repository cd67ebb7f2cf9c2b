"""Plain typed objects for what the store holds, with the rules each must obey.

Imports, the CLI and the UI build these; ``validate()`` raises
``ValidationError`` with a message that names the field and the bad value,
so a refused row can be reported as ``row 4: ...``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from app.core.common.geo import CoordinateError, validate_latlon
from app.core.common.markings import Classification, MarkingError, Releasability
from app.core.common.sidc import SIDCError, parse_sidc
from app.i18n import _

ZONE_KINDS = (
    "conflict",
    "flood",
    "earthquake",
    "epidemic",
    "no-go",
    "corridor",
    "safe area",
    "restricted operating zone",
)
READINESS = ("green", "amber", "red")


class ValidationError(ValueError):
    """A record breaks a rule; the message is for the user."""


def checked_markings(classification: Any, releasable_to: Any) -> tuple[str, Releasability]:
    """A record's classification and releasability, parsed and checked (every family's
    records use it in ``validate``); raises ``ValidationError``."""
    try:
        level = str(Classification.parse(str(classification)))
        rel = (
            releasable_to
            if isinstance(releasable_to, Releasability)
            else Releasability.parse(releasable_to)
        )
    except MarkingError as exc:
        raise ValidationError(str(exc)) from exc
    return level, rel


@dataclass
class UnitData:
    name: str
    sidc: str
    lat: float
    lon: float
    callsign: str = ""
    nation: str = ""
    affiliation: str | None = None
    echelon: str | None = None
    cot_type: str | None = None
    parent_id: str | None = None
    course: float | None = None
    speed: float | None = None
    readiness: str = "green"
    strength: int = 100
    last_report: datetime | None = None
    stale_after: datetime | None = None
    remarks: str = ""
    classification: str = "UNCLASSIFIED"
    releasable_to: Releasability | str | list[str] = "PUBLIC"
    id: str | None = None

    def validate(self) -> UnitData:
        """Check every rule and fill derived fields (affiliation, echelon from the SIDC)."""
        self.name = (self.name or "").strip()
        if not self.name:
            raise ValidationError(_("a unit needs a name"))
        try:
            sidc = parse_sidc(self.sidc)
        except SIDCError as exc:
            raise ValidationError(str(exc)) from exc
        self.sidc = sidc.code
        self.affiliation = self.affiliation or sidc.affiliation_group
        self.echelon = self.echelon or sidc.echelon
        try:
            self.lat, self.lon = float(self.lat), float(self.lon)
            validate_latlon(self.lat, self.lon)
        except (TypeError, ValueError) as exc:
            if isinstance(exc, CoordinateError):
                raise ValidationError(str(exc)) from exc
            raise ValidationError(
                _("unit '{name}': position is not a number").format(name=self.name)
            ) from exc
        if self.readiness not in READINESS:
            raise ValidationError(
                _("unit '{name}': readiness '{value}' is not green, amber or red").format(
                    name=self.name, value=self.readiness
                )
            )
        if not 0 <= int(self.strength) <= 100:
            raise ValidationError(
                _("unit '{name}': strength {value} is not between 0 and 100").format(
                    name=self.name, value=self.strength
                )
            )
        for label, value in (("course", self.course), ("speed", self.speed)):
            if value is not None and not math.isfinite(float(value)):
                raise ValidationError(
                    _("unit '{name}': {field} is not a number").format(name=self.name, field=label)
                )
        self.classification, self.releasable_to = checked_markings(
            self.classification, self.releasable_to
        )
        return self

    def columns(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _UNIT_COLUMNS}


_UNIT_COLUMNS = tuple(f.name for f in fields(UnitData) if f.name != "id")


@dataclass
class ZoneData:
    name: str
    kind: str
    geometry: dict[str, Any]
    severity: int = 3
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    description: str = ""
    classification: str = "UNCLASSIFIED"
    releasable_to: Releasability | str | list[str] = "PUBLIC"
    id: str | None = None
    bounds: tuple[float, float, float, float] = field(default=(0.0, 0.0, 0.0, 0.0), repr=False)

    def validate(self) -> ZoneData:
        from shapely.geometry import shape
        from shapely.validation import explain_validity

        self.name = (self.name or "").strip()
        if not self.name:
            raise ValidationError(_("a zone needs a name"))
        if self.kind not in ZONE_KINDS:
            raise ValidationError(
                _("zone '{name}': kind '{kind}' is not one of: {kinds}").format(
                    name=self.name, kind=self.kind, kinds=", ".join(ZONE_KINDS)
                )
            )
        try:
            severity = float(self.severity)
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                _("zone '{name}': severity '{value}' is not a number from 1 to 5").format(
                    name=self.name, value=self.severity
                )
            ) from exc
        if not severity.is_integer() or not 1 <= severity <= 5:
            raise ValidationError(
                _("zone '{name}': severity {value} is not a whole number from 1 to 5").format(
                    name=self.name, value=self.severity
                )
            )
        self.severity = int(severity)
        geom = self.geometry
        if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            raise ValidationError(
                _("zone '{name}': the geometry must be a Polygon or MultiPolygon").format(
                    name=self.name
                )
            )
        polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom.get("coordinates")
        if not isinstance(polygons, list) or not polygons:
            raise ValidationError(
                _("zone '{name}': the geometry has no coordinates").format(name=self.name)
            )
        for polygon in polygons:
            if not isinstance(polygon, list) or not polygon:
                raise ValidationError(
                    _("zone '{name}': the geometry has no coordinates").format(name=self.name)
                )
            for ring in polygon:
                if not isinstance(ring, list) or len(ring) < 4:
                    raise ValidationError(
                        _("zone '{name}': a polygon needs at least 3 distinct points").format(
                            name=self.name
                        )
                    )
                for point in ring:
                    if not isinstance(point, (list, tuple)) or len(point) < 2:
                        raise ValidationError(
                            _("zone '{name}': a vertex is not a [longitude, latitude] pair").format(
                                name=self.name
                            )
                        )
                    try:
                        validate_latlon(float(point[1]), float(point[0]))
                    except (TypeError, ValueError) as exc:
                        raise ValidationError(
                            _("zone '{name}': {error}").format(name=self.name, error=exc)
                        ) from exc
        try:
            shp = shape(geom)
        except Exception as exc:
            raise ValidationError(
                _("zone '{name}': the geometry cannot be read ({error})").format(
                    name=self.name, error=exc
                )
            ) from exc
        # validity first: a self-intersecting bow-tie also has no (net) area,
        # and "it crosses itself here" is what the user needs to hear
        if not shp.is_empty and not shp.is_valid:
            raise ValidationError(
                _("zone '{name}': the polygon is not valid ({reason})").format(
                    name=self.name, reason=explain_validity(shp)
                )
            )
        if shp.is_empty or shp.area == 0:
            raise ValidationError(
                _("zone '{name}': the polygon has no area").format(name=self.name)
            )
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError(
                _("zone '{name}': it ends before it starts").format(name=self.name)
            )
        min_lon, min_lat, max_lon, max_lat = shp.bounds
        self.bounds = (min_lat, min_lon, max_lat, max_lon)
        self.geometry = json.loads(json.dumps(geom))
        self.classification, self.releasable_to = checked_markings(
            self.classification, self.releasable_to
        )
        return self

    def columns(self) -> dict[str, Any]:
        min_lat, min_lon, max_lat, max_lon = self.bounds
        return {
            "name": self.name,
            "kind": self.kind,
            "severity": self.severity,
            "geometry": json.dumps(self.geometry, separators=(",", ":")),
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "description": self.description,
            "classification": self.classification,
            "releasable_to": self.releasable_to,
            "min_lat": min_lat,
            "min_lon": min_lon,
            "max_lat": max_lat,
            "max_lon": max_lon,
        }
