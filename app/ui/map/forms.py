"""Forms behind the map's right-click menu: a new unit or a new zone at a point.
Both refuse bad input with a message naming it, and store nothing until valid."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from app.core.common.dtg import DTGError, parse_dtg
from app.core.common.geo import CoordinateError, format_dd, parse_coordinate
from app.core.common.markings import MarkingError
from app.core.picture.mapdoc import zone_kind_label
from app.core.picture.records import READINESS, ZONE_KINDS, UnitData, ValidationError, ZoneData
from app.i18n import _


def circle(lat: float, lon: float, radius_km: float, sides: int = 48) -> dict[str, Any]:
    """A GeoJSON polygon following a circle on the ground (small-circle approximation)."""
    ring = []
    for i in range(sides):
        a = 2 * math.pi * i / sides
        dlat = radius_km / 111.32 * math.cos(a)
        dlon = radius_km / (111.32 * max(0.01, math.cos(math.radians(lat)))) * math.sin(a)
        ring.append([lon + dlon, lat + dlat])
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


class _Form(QDialog):
    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.layout_ = QFormLayout(self)
        self.error = QLabel(self)
        self.error.setObjectName("formError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.result_data: Any = None

    def finish(self) -> None:
        self.layout_.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.layout_.addRow(buttons)

    def position(self) -> tuple[float, float]:
        try:
            return parse_coordinate(self.where.text())
        except CoordinateError as exc:
            raise ValidationError(_("position: {error}").format(error=exc)) from exc

    def collect(self) -> Any:
        raise NotImplementedError

    def accept(self) -> None:
        try:
            self.result_data = self.collect()
        except (ValidationError, MarkingError) as exc:
            self.error.setText(str(exc))
            return
        super().accept()


class UnitForm(_Form):
    def __init__(self, lat: float, lon: float, parent: QWidget | None = None) -> None:
        super().__init__(_("New unit"), parent)
        self.setObjectName("unitForm")
        self.name = QLineEdit(self)
        self.callsign = QLineEdit(self)
        self.nation = QLineEdit(self)
        self.sidc = QLineEdit("10031000001211000000", self)
        self.sidc.setToolTip(_("20-digit SIDC (MIL-STD-2525D / APP-6D)"))
        self.where = QLineEdit(format_dd(lat, lon), self)
        self.readiness = QComboBox(self)
        for value, label in zip(READINESS, (_("green"), _("amber"), _("red")), strict=True):
            self.readiness.addItem(label, value)
        self.classification = QLineEdit("UNCLASSIFIED", self)
        self.releasable = QLineEdit("NATO", self)
        for label, widget in (
            (_("Name"), self.name),
            (_("Callsign"), self.callsign),
            (_("Nation"), self.nation),
            (_("SIDC"), self.sidc),
            (_("Position"), self.where),
            (_("Readiness"), self.readiness),
            (_("Classification"), self.classification),
            (_("Releasable to"), self.releasable),
        ):
            self.layout_.addRow(label, widget)
        self.finish()

    def collect(self) -> UnitData:
        lat, lon = self.position()
        return UnitData(
            name=self.name.text(),
            callsign=self.callsign.text().strip(),
            nation=self.nation.text().strip().upper(),
            sidc=self.sidc.text(),
            lat=lat,
            lon=lon,
            readiness=self.readiness.currentData(),
            classification=self.classification.text(),
            releasable_to=self.releasable.text(),
        ).validate()


class ZoneForm(_Form):
    """A new zone around a point (a circle), or with a drawn outline, or an existing zone to edit."""

    def __init__(
        self,
        lat: float = 0.0,
        lon: float = 0.0,
        parent: QWidget | None = None,
        geometry: dict[str, Any] | None = None,
        zone: ZoneData | None = None,
    ) -> None:
        super().__init__(_("Edit zone") if zone else _("New zone"), parent)
        self.geometry = zone.geometry if zone else geometry
        self.zone = zone
        self.setObjectName("zoneForm")
        self.name = QLineEdit(self)
        self.kind = QComboBox(self)
        for kind in ZONE_KINDS:
            self.kind.addItem(zone_kind_label(kind), kind)
        self.severity = QSpinBox(self)
        self.severity.setRange(1, 5)
        self.severity.setValue(3)
        self.where = QLineEdit(format_dd(lat, lon), self)
        self.radius = QDoubleSpinBox(self)
        self.radius.setRange(0.1, 500)
        self.radius.setValue(5)
        self.radius.setSuffix(" km")
        self.valid_to = QLineEdit(self)
        self.valid_to.setPlaceholderText(_("DTG, e.g. 281530ZNOV26 (empty: open-ended)"))
        self.classification = QLineEdit("UNCLASSIFIED", self)
        self.releasable = QLineEdit("NATO", self)
        rows: list[tuple[str, QWidget]] = [
            (_("Name"), self.name),
            (_("Kind"), self.kind),
            (_("Severity"), self.severity),
        ]
        if self.geometry is None:  # a circle around a point
            rows += [(_("Centre"), self.where), (_("Radius"), self.radius)]
        rows += [
            (_("Valid until"), self.valid_to),
            (_("Classification"), self.classification),
            (_("Releasable to"), self.releasable),
        ]
        for label, widget in rows:
            self.layout_.addRow(label, widget)
        if zone is not None:
            from app.core.common.dtg import format_dtg

            self.name.setText(zone.name)
            self.kind.setCurrentIndex(max(0, self.kind.findData(zone.kind)))
            self.severity.setValue(int(zone.severity))
            self.valid_to.setText(format_dtg(zone.valid_to) if zone.valid_to else "")
            self.classification.setText(str(zone.classification))
            self.releasable.setText(str(zone.releasable_to))
        self.finish()

    def collect(self) -> ZoneData:
        text = self.valid_to.text().strip()
        try:
            until = parse_dtg(text) if text else None
        except DTGError as exc:
            raise ValidationError(_("valid until: {error}").format(error=exc)) from exc
        if self.geometry is not None:
            geometry, description = self.geometry, self.zone.description if self.zone else ""
        else:
            lat, lon = self.position()
            geometry = circle(lat, lon, self.radius.value())
            description = _("circle of {km} km around {centre}").format(
                km=self.radius.value(), centre=format_dd(lat, lon)
            )
        return ZoneData(
            id=self.zone.id if self.zone else None,
            name=self.name.text(),
            kind=self.kind.currentData(),
            severity=self.severity.value(),
            geometry=geometry,
            valid_from=self.zone.valid_from if self.zone else None,
            valid_to=until,
            description=description,
            classification=self.classification.text(),
            releasable_to=self.releasable.text(),
        ).validate()
