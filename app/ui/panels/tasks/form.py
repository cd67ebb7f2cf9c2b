"""The task form: create a task or edit one; refuses bad input with a message
and stores nothing until everything is valid."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.core.common.dtg import DTGError, format_dtg, parse_dtg
from app.core.common.geo import CoordinateError, format_dd, parse_coordinate
from app.core.common.markings import MarkingError
from app.core.picture.records import ValidationError
from app.core.tasks.records import PRIORITIES, TASK_TYPES, TaskData, priority_label, type_label
from app.i18n import _


class TaskForm(QDialog):
    def __init__(self, task: TaskData | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskForm")
        self.task = task or TaskData()
        self.setWindowTitle(
            _("Edit task {reference}").format(reference=self.task.reference)
            if task
            else _("New task")
        )
        self.title = QLineEdit(self.task.title, self)
        self.type = QComboBox(self)
        for value in TASK_TYPES:
            self.type.addItem(type_label(value), value)
        self.type.setCurrentIndex(max(0, self.type.findData(self.task.type)))
        self.priority = QComboBox(self)
        for value in PRIORITIES:
            self.priority.addItem(priority_label(value), value)
        self.priority.setCurrentIndex(max(0, self.priority.findData(self.task.priority)))
        self.description = QPlainTextEdit(self.task.description, self)
        self.description.setMaximumHeight(90)
        self.originator = QLineEdit(self.task.originator, self)
        self.start = QLineEdit(format_dtg(self.task.start) if self.task.start else "", self)
        self.due = QLineEdit(format_dtg(self.task.due) if self.task.due else "", self)
        for field in (self.start, self.due):
            field.setPlaceholderText(_("DTG, e.g. 281530ZNOV26"))
        point = ""
        if self.task.location and self.task.location.get("type") == "Point":
            lon, lat = self.task.location["coordinates"][:2]
            point = format_dd(lat, lon)
        self.location = QLineEdit(point, self)
        self.location.setPlaceholderText(_("MGRS, DD or DMS (empty: no location)"))
        if self.task.location and self.task.location.get("type") != "Point":
            self.location.setText(_("(area kept)"))
            self.location.setEnabled(False)
        self.classification = QLineEdit(self.task.classification, self)
        self.releasable = QLineEdit(str(self.task.releasable_to), self)
        self.error = QLabel(self)
        self.error.setObjectName("formError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(_("Title"), self.title)
        form.addRow(_("Type"), self.type)
        form.addRow(_("Priority"), self.priority)
        form.addRow(_("Description"), self.description)
        form.addRow(_("Originator"), self.originator)
        form.addRow(_("Start"), self.start)
        form.addRow(_("Due"), self.due)
        form.addRow(_("Location"), self.location)
        form.addRow(_("Classification"), self.classification)
        form.addRow(_("Releasable to"), self.releasable)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.result_task: TaskData | None = None

    def collect(self) -> TaskData:
        """The task as typed, validated; ValidationError names what is wrong."""
        task = TaskData(**{**self.task.__dict__})
        task.title = self.title.text()
        task.type = self.type.currentData()
        task.priority = self.priority.currentData()
        task.description = self.description.toPlainText()
        task.originator = self.originator.text().strip()
        for label, field, attr in ((_("start"), self.start, "start"), (_("due"), self.due, "due")):
            text = field.text().strip()
            try:
                setattr(task, attr, parse_dtg(text) if text else None)
            except DTGError as exc:
                raise ValidationError(f"{label}: {exc}") from exc
        if self.location.isEnabled():
            text = self.location.text().strip()
            if text:
                try:
                    lat, lon = parse_coordinate(text)
                except CoordinateError as exc:
                    raise ValidationError(_("location: {error}").format(error=exc)) from exc
                task.location = {"type": "Point", "coordinates": [lon, lat]}
            else:
                task.location = None
        task.classification = self.classification.text().strip()
        task.releasable_to = self.releasable.text().strip()
        try:
            return task.validate()
        except MarkingError as exc:
            raise ValidationError(str(exc)) from exc

    def accept(self) -> None:
        try:
            self.result_task = self.collect()
        except ValidationError as exc:
            self.error.setText(str(exc))
            return
        super().accept()
