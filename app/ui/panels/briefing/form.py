"""The slide form: name, "as at" time, speaker note, tables, marking."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.core.briefing.views import ViewData
from app.core.common.dtg import DTGError, format_dtg, parse_dtg
from app.core.common.markings import MarkingError, Releasability
from app.core.picture.records import ValidationError
from app.i18n import _


class ViewForm(QDialog):
    """Edits a view's words and time; the extent and layers come from the map."""

    def __init__(self, view: ViewData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("viewForm")
        self.setWindowTitle(
            _("Slide: {name}").format(name=view.name) if view.id else _("New slide")
        )
        self.view = view
        self.name = QLineEdit(view.name, self)
        self.as_at = QLineEdit(format_dtg(view.as_at) if view.as_at else "", self)
        self.as_at.setPlaceholderText(_("empty: the live picture; or a DTG, e.g. 281530ZNOV26"))
        self.note = QPlainTextEdit(view.note, self)
        self.note.setPlaceholderText(_("What to say on this slide"))
        self.note.setMaximumHeight(110)
        self.tasks = QCheckBox(_("Tasks by status"), self)
        self.tasks.setChecked("tasks" in view.summary)
        self.supply = QCheckBox(_("Supply traffic lights"), self)
        self.supply.setChecked("supply" in view.summary)
        tables = QHBoxLayout()
        tables.addWidget(self.tasks)
        tables.addWidget(self.supply)
        tables.addStretch(1)
        self.classification = QLineEdit(view.classification, self)
        self.releasable = QLineEdit(str(view.releasable_to), self)
        self.error = QLabel(self)
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color: #c1121f;")
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(_("Title"), self.name)
        form.addRow(_("As at"), self.as_at)
        form.addRow(_("Speaker note"), self.note)
        form.addRow(_("Tables"), tables)
        form.addRow(_("Classification"), self.classification)
        form.addRow(_("Releasable to"), self.releasable)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(520, 380)

    def result_view(self) -> ViewData:
        """The edited view, validated; raises with a message for the user."""
        text = self.as_at.text().strip()
        as_at = parse_dtg(text) if text else None
        summary = tuple(
            s for s, box in (("tasks", self.tasks), ("supply", self.supply)) if box.isChecked()
        )
        return replace(
            self.view,
            name=self.name.text(),
            as_at=as_at,
            note=self.note.toPlainText(),
            summary=summary,
            classification=self.classification.text(),
            releasable_to=Releasability.parse(self.releasable.text()),
        ).validate()

    def accept(self) -> None:
        try:
            self.view = self.result_view()
        except (ValidationError, DTGError, MarkingError, ValueError) as exc:
            self.error.setText(str(exc))
            return
        super().accept()
