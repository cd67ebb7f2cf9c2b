"""The Supply dock's forms: the form every one builds on, and the site and item forms
(shipments and requests: ``shipment_forms``; opening them: ``actions``).

Each form validates what was typed through the domain ``validate()`` when OK is
pressed and shows the message (naming the field) without closing; the write then
runs on the runner's "db" thread through the core operation, and the form closes
only once it is stored. A refusal from the store (an item code or a waybill
already used) is shown in the form the same way: nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from app.core.common.geo import CoordinateError, format_dd, parse_coordinate
from app.core.common.markings import MarkingError
from app.core.picture.records import ValidationError
from app.core.supply.records import (
    CATEGORIES,
    SITE_KINDS,
    ItemData,
    SiteData,
    category_label,
    site_kind_label,
)
from app.i18n import _
from app.ui.panels.supply.fields import (
    UNITS,
    combo,
    count_field,
    number_text,
)

if TYPE_CHECKING:
    from app.core.supply.queries import ItemRow, SiteRow
    from app.ui.workers import Runner


class SupplyForm(QDialog):
    """A form that validates on OK, stores through a core operation on the runner and
    closes once stored; any refusal is shown in the form and nothing is stored."""

    sig_saved = Signal(object)
    """The record was stored; the ids the core operation returned."""

    def __init__(self, runner: Runner, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.store = store
        self.form = QFormLayout(self)
        self.error = QLabel(self)
        self.error.setObjectName("formError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.saved_ids: list[str] | None = None
        self.saving = False

    def finish_layout(self) -> None:
        self.form.addRow(self.error)
        self.form.addRow(self.buttons)

    def collect(self) -> Any:
        """The record as typed, validated; ValidationError names what is wrong."""
        raise NotImplementedError

    def operation(self, data: Any) -> Callable[..., Any]:
        """The core function that stores ``[data]``."""
        raise NotImplementedError

    def accept(self) -> None:
        try:
            data = self.collect()
        except (ValidationError, MarkingError) as exc:
            self.error.setText(str(exc))
            return
        self.error.setText("")
        self.buttons.setEnabled(False)
        self.saving = True
        self.runner.submit(
            self.operation(data),
            self.store,
            [data],
            initiator="supply",
            on_done=self._saved,
            on_error=self._refused,
        )

    def reject(self) -> None:
        if not self.saving:  # a write on its way is waited for: its answer comes back here
            super().reject()

    def _saved(self, ids: list[str]) -> None:
        self.saved_ids = list(ids)
        self.saving = False
        self.buttons.setEnabled(True)
        self.sig_saved.emit(self.saved_ids)
        super().accept()

    def _refused(self, exc: BaseException) -> None:
        self.saving = False
        self.buttons.setEnabled(True)
        self.error.setText(str(exc))


class SiteForm(SupplyForm):
    """A supply site: warehouse, distribution point, airhead, port or field hospital."""

    def __init__(
        self, runner: Runner, store: Any, site: SiteRow | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(runner, store, parent)
        self.setObjectName("supplySiteForm")
        self.site = site
        self.setWindowTitle(
            _("Edit site {name}").format(name=site.name) if site else _("New supply site")
        )
        self.name = QLineEdit(site.name if site else "", self)
        self.kind = combo(self, SITE_KINDS, site_kind_label, site.kind if site else None)
        point = (
            format_dd(site.lat, site.lon)
            if site and site.lat is not None and site.lon is not None
            else ""
        )
        self.position = QLineEdit(point, self)
        self.position.setPlaceholderText(_("MGRS, DD or DMS (empty: no position)"))
        self.capacity = QLineEdit(number_text(site.capacity) if site else "", self)
        self.capacity.setPlaceholderText(_("whole number of base units"))
        self.organisation = QLineEdit(site.organisation if site else "", self)
        self.in_need = QLineEdit(number_text(site.people_in_need) if site else "", self)
        self.targeted = QLineEdit(number_text(site.people_targeted) if site else "", self)
        self.classification = QLineEdit(site.classification if site else "UNCLASSIFIED", self)
        self.releasable = QLineEdit(str(site.releasable_to) if site else "PUBLIC", self)
        self.form.addRow(_("Name"), self.name)
        self.form.addRow(_("Kind"), self.kind)
        self.form.addRow(_("Position"), self.position)
        self.form.addRow(_("Capacity"), self.capacity)
        self.form.addRow(_("Operated by"), self.organisation)
        self.form.addRow(_("People in need"), self.in_need)
        self.form.addRow(_("People targeted"), self.targeted)
        self.form.addRow(_("Classification"), self.classification)
        self.form.addRow(_("Releasable to"), self.releasable)
        self.finish_layout()
        self.setMinimumWidth(420)

    def collect(self) -> SiteData:
        lat = lon = None
        text = self.position.text().strip()
        if text:
            try:
                lat, lon = parse_coordinate(text)
            except CoordinateError as exc:
                raise ValidationError(_("position: {error}").format(error=exc)) from exc
        data = SiteData(
            name=self.name.text(),
            kind=self.kind.currentData(),
            lat=lat,
            lon=lon,
            capacity=count_field(self.capacity.text(), _("capacity")),
            organisation=self.organisation.text(),
            people_in_need=count_field(self.in_need.text(), _("people in need")),
            people_targeted=count_field(self.targeted.text(), _("people targeted")),
            classification=self.classification.text().strip(),
            releasable_to=self.releasable.text().strip(),
            id=self.site.id if self.site else None,
        )
        if self.site is not None:
            data.admin1, data.country = self.site.admin1, self.site.country
        return data.validate()

    def operation(self, data: Any) -> Callable[..., Any]:
        from app.core.supply.ops import add_sites

        return add_sites


class ItemForm(SupplyForm):
    """A catalogue item: code, name, category, base unit, pack and per-person standard."""

    def __init__(
        self,
        runner: Runner,
        store: Any,
        item: ItemRow | None = None,
        standards: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, store, parent)
        self.setObjectName("supplyItemForm")
        self.item = item
        self.setWindowTitle(
            _("Edit item {code}").format(code=item.code) if item else _("New supply item")
        )
        self.code = QLineEdit(item.code if item else "", self)
        self.name = QLineEdit(item.name if item else "", self)
        self.category = combo(self, CATEGORIES, category_label, item.category if item else "other")
        self.unit = QComboBox(self)
        self.unit.setEditable(True)
        self.unit.addItems(list(UNITS))
        self.unit.setCurrentText(item.unit if item else "each")
        self.pack_name = QLineEdit(item.pack_name if item else "", self)
        self.pack_name.setPlaceholderText(_("e.g. carton (empty: none)"))
        self.pack_size = QLineEdit(str(item.pack_size) if item else "1", self)
        self.standard = QComboBox(self)
        self.standard.addItem(_("none"), "")
        keys = sorted(set(standards) | ({item.standard} if item and item.standard else set()))
        for key in keys:
            self.standard.addItem(key, key)
        self.standard.setCurrentIndex(
            max(0, self.standard.findData(item.standard if item and item.standard else ""))
        )
        self.form.addRow(_("Code"), self.code)
        self.form.addRow(_("Name"), self.name)
        self.form.addRow(_("Category"), self.category)
        self.form.addRow(_("Base unit"), self.unit)
        self.form.addRow(_("Pack"), self.pack_name)
        self.form.addRow(_("Base units per pack"), self.pack_size)
        self.form.addRow(_("Per-person standard"), self.standard)
        self.finish_layout()
        self.setMinimumWidth(400)

    def collect(self) -> ItemData:
        size = count_field(self.pack_size.text(), _("pack size"))
        data = ItemData(
            code=self.code.text(),
            name=self.name.text(),
            category=self.category.currentData(),
            unit=self.unit.currentText(),
            pack_name=self.pack_name.text(),
            pack_size=1 if size is None else size,
            standard=self.standard.currentData() or None,
            id=self.item.id if self.item else None,
        )
        if self.item is not None:
            data.kcal_per_unit = self.item.kcal_per_unit
            data.classification, data.releasable_to = (
                self.item.classification,
                self.item.releasable_to,
            )
        return data.validate()

    def operation(self, data: Any) -> Callable[..., Any]:
        from app.core.supply.ops import add_items

        return add_items
