"""Drawing, editing, reshaping and deleting crisis zones from the map, with undo and redo.

Each user edit is a command on one undo stack (Edit > Undo / Redo); a command
runs the same core operation the CLI would, in the worker.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QCursor, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QMenu, QMessageBox

from app.core.mapdoc.protocol import Op, message
from app.core.picture.ops import add_zones, delete_records
from app.core.picture.queries import ZoneRow, list_zones
from app.core.picture.records import ValidationError, ZoneData
from app.core.store.engine import new_id
from app.core.store.models import CrisisZone
from app.i18n import _
from app.ui.dialogs import plain_message
from app.ui.map.forms import ZoneForm

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def zone_data(row: ZoneRow) -> ZoneData:
    return ZoneData(
        id=row.id,
        name=row.name,
        kind=row.kind,
        geometry=row.geometry,
        severity=row.severity,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        description=row.description,
        classification=row.classification,
        releasable_to=row.releasable_to,
    )


class _ZoneCommand(QUndoCommand):
    def __init__(
        self, editor: ZoneEditor, text: str, before: ZoneData | None, after: ZoneData | None
    ) -> None:
        super().__init__(text)
        self.editor, self.before, self.after = editor, before, after

    def _apply(self, state: ZoneData | None, other: ZoneData | None) -> None:
        runner, store = self.editor.ctx.runner, self.editor.ctx.store
        if state is None and other is not None:  # the zone should not exist
            runner.submit(
                delete_records, store, CrisisZone, [other.id], on_error=self.editor.report
            )
        elif state is not None:
            runner.submit(add_zones, store, [state], on_error=self.editor.report)

    def redo(self) -> None:
        self._apply(self.after, self.before)

    def undo(self) -> None:
        self._apply(self.before, self.after)


class ZoneEditor:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.ctx = window.ctx
        self.view = window.map_view
        self.map = window.ctx.map
        self.stack = QUndoStack(window)
        menu = QMenu(_("&Edit"), window)
        window.menuBar().insertMenu(window.view_menu.menuAction(), menu)
        undo = self.stack.createUndoAction(window, _("&Undo"))
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.stack.createRedoAction(window, _("&Redo"))
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        menu.addAction(undo)
        menu.addAction(redo)
        menu.addSeparator()
        for shape, label in (
            ("polygon", _("Draw a zone (polygon)")),
            ("rectangle", _("Draw a zone (rectangle)")),
            ("circle", _("Draw a zone (circle)")),
        ):
            action = QAction(label, window)
            action.triggered.connect(
                lambda _c=False, s=shape: self.map.send(message(Op.DRAW_START, shape=s))
            )
            menu.addAction(action)
        window.map_tools.bar.addSeparator()
        draw = QAction(_("Draw zone"), window)
        draw.setShortcut(QKeySequence("Ctrl+D"))
        draw.triggered.connect(lambda: self.map.send(message(Op.DRAW_START, shape="polygon")))
        window.map_tools.bar.addAction(draw)
        self.view.bridge.sig_zone_drawn.connect(self.drawn)
        self.view.bridge.sig_zone_context_menu.connect(self.context_menu)
        self.view.bridge.sig_zone_reshaped.connect(self.reshaped)
        self.form: ZoneForm | None = None
        self._reshaping: ZoneData | None = None

    def report(self, exc: BaseException) -> None:
        self.ctx.runner.sig_error.emit(str(exc))

    # ------------------------------------------------------------ new, edit, delete
    def drawn(self, geometry: dict[str, Any]) -> ZoneForm:
        form = ZoneForm(parent=self.window, geometry=geometry)
        form.accepted.connect(lambda: self.add(form.result_data))
        form.open()
        self.form = form
        return form

    def add(self, data: ZoneData) -> None:
        data.id = data.id or new_id()
        self.stack.push(_ZoneCommand(self, _("New zone {name}").format(name=data.name), None, data))

    def context_menu(self, zone_id: str) -> None:
        self.ctx.runner.submit(list_zones, self.ctx.store, [zone_id], on_done=self._menu_for)

    def _menu_for(self, rows: list[ZoneRow]) -> None:
        if not rows:
            return
        row = rows[0]
        menu = QMenu(self.window)
        menu.addAction(_("Edit zone {name}…").format(name=row.name)).triggered.connect(
            lambda: self.edit(row)
        )
        if row.geometry.get("type") == "Polygon":
            menu.addAction(_("Reshape zone {name}").format(name=row.name)).triggered.connect(
                lambda: self.reshape(row)
            )
        menu.addAction(_("Delete zone {name}").format(name=row.name)).triggered.connect(
            lambda: self.delete(row)
        )
        menu.popup(QCursor.pos())
        self.menu = menu

    def edit(self, row: ZoneRow) -> ZoneForm:
        before = zone_data(row)
        form = ZoneForm(parent=self.window, zone=zone_data(row))
        form.accepted.connect(
            lambda: self.stack.push(
                _ZoneCommand(
                    self, _("Edit zone {name}").format(name=row.name), before, form.result_data
                )
            )
        )
        form.open()
        self.form = form
        return form

    def reshape(self, row: ZoneRow) -> None:
        """Make the zone's outline editable on the map; Save comes back to ``reshaped``."""
        self._reshaping = zone_data(row)
        self.map.send(
            message(
                Op.DRAW_RESHAPE,
                id=row.id,
                labels={"save": _("Save outline"), "cancel": _("Cancel")},
            )
        )

    def reshaped(self, zone_id: str, geometry: dict[str, Any]) -> None:
        before, self._reshaping = self._reshaping, None
        if before is None or before.id != zone_id:
            return
        after = replace(before, geometry=geometry)
        try:
            replace(after).validate()
        except ValidationError as exc:
            plain_message(
                self.window,
                QMessageBox.Icon.Warning,
                _("Zone not changed"),
                _("The new outline of {name} cannot be stored: {reason}").format(
                    name=before.name, reason=exc
                ),
            )
            return
        self.stack.push(
            _ZoneCommand(self, _("Reshape zone {name}").format(name=before.name), before, after)
        )

    def delete(self, row: ZoneRow) -> None:
        self.stack.push(
            _ZoneCommand(self, _("Delete zone {name}").format(name=row.name), zone_data(row), None)
        )


def install(window: MainWindow) -> ZoneEditor:
    return ZoneEditor(window)
