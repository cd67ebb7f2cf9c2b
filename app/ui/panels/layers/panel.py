"""The Layers dock widget: what the map shows."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from app.core.mapdoc.protocol import Op, message
from app.core.mapdoc.styles import AFFILIATION_COLOURS, ZONE_COLOURS
from app.core.picture.mapdoc import zone_kind_label
from app.core.picture.records import ZONE_KINDS
from app.i18n import _

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow
    from app.ui.map.controller import MapController

KEY = Qt.ItemDataRole.UserRole + 1


def _swatch(colour: str) -> QIcon:
    pix = QPixmap(14, 14)
    pix.fill(QColor(colour))
    return QIcon(pix)


class LayersPanel(QWidget):
    sig_trails = Signal(bool)
    """The user turned unit trails on or off."""

    def __init__(self, map_: MapController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.map = map_
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("layersTree")
        self.tree.setHeaderHidden(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree)
        self.units = self._group(_("Units"), ("units", None))
        names = {
            "friend": _("Friend"),
            "hostile": _("Hostile"),
            "neutral": _("Neutral"),
            "unknown": _("Unknown"),
        }
        for aff, label in names.items():
            self._leaf(self.units, label, ("aff", aff), AFFILIATION_COLOURS[aff])
        self.zones = self._group(_("Crisis zones"), ("zones", None))
        for kind in ZONE_KINDS:
            self._leaf(self.zones, zone_kind_label(kind), ("zone", kind), ZONE_COLOURS[kind])
        self.tasks = self._group(_("Tasks"), ("tasks", None))
        self.trails = self._group(_("Unit trails (last positions)"), ("trails", None))
        self.trails.setCheckState(0, Qt.CheckState.Unchecked)
        self.labels = self._group(_("Unit labels"), ("labels", None))
        self.places = self._group(_("Place names"), ("places", None))
        self.declutter = self._group(_("Group units at small scales"), ("declutter", None))
        self.tree.expandAll()
        self.settings: Any = None
        self._trails_on = False
        self.tree.itemChanged.connect(self._changed)

    def _group(self, text: str, key: tuple[str, Any]) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self.tree, [text])
        item.setFlags(
            item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsAutoTristate
        )
        item.setCheckState(0, Qt.CheckState.Checked)
        item.setData(0, KEY, key)
        return item

    def _leaf(self, parent: QTreeWidgetItem, text: str, key: tuple[str, Any], colour: str) -> None:
        item = QTreeWidgetItem(parent, [text])
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(0, Qt.CheckState.Checked)
        item.setIcon(0, _swatch(colour))
        item.setData(0, KEY, key)

    def state(self) -> dict[str, Any]:
        checked = Qt.CheckState.Checked
        affs = {}
        zones = {}
        for i in range(self.units.childCount()):
            child = self.units.child(i)
            affs[child.data(0, KEY)[1]] = child.checkState(0) == checked
        for i in range(self.zones.childCount()):
            child = self.zones.child(i)
            zones[child.data(0, KEY)[1]] = child.checkState(0) == checked
        return message(
            Op.LAYERS,
            affiliations=affs,
            zones=zones,
            labels=self.labels.checkState(0) == checked,
            places=self.places.checkState(0) == checked,
            declutter=self.declutter.checkState(0) == checked,
            tasks=self.tasks.checkState(0) == checked,
            trails=self.trails.checkState(0) == checked,
            labelsText={
                "units": _("units"),
                "friend": _("friend"),
                "hostile": _("hostile"),
                "neutral": _("neutral"),
                "unknown": _("unknown"),
            },
        )

    def _changed(self, *_args: Any) -> None:
        state = self.state()
        if state["trails"] != self._trails_on:
            self._trails_on = state["trails"]
            self.sig_trails.emit(state["trails"])
        self.map.send(state)
        if self.settings is not None:
            self.settings.setValue("map/layers", json.dumps(state))

    def restore(self, settings: Any) -> None:
        """Tick the boxes as the user left them, and tell the map."""
        self.settings = settings
        raw = settings.value("map/layers")
        try:
            saved = json.loads(raw) if isinstance(raw, str) else None
        except ValueError:
            saved = None
        if not isinstance(saved, dict):
            self.map.send(self.state())
            return
        self.tree.blockSignals(True)
        for group, key in ((self.units, "affiliations"), (self.zones, "zones")):
            for i in range(group.childCount()):
                child = group.child(i)
                on = saved.get(key, {}).get(child.data(0, KEY)[1], True)
                child.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        for item, key in (
            (self.labels, "labels"),
            (self.places, "places"),
            (self.declutter, "declutter"),
            (self.tasks, "tasks"),
        ):
            on = saved.get(key, True)
            item.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.tree.blockSignals(False)
        self.map.send(self.state())


def build(window: MainWindow) -> LayersPanel:
    panel = LayersPanel(window.ctx.map)
    panel.sig_trails.connect(window.ctx.map.show_trails)
    panel.restore(window.ctx.settings)
    return panel
