"""The Briefing dock: the slides (saved views) in order; new from the map,
edit, reorder (drag or the arrows), delete, show on the map, present, and
write the handout (PDF or HTML, for a partner if asked)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.briefing.slides import full_layers
from app.core.briefing.views import ViewData, add_views, delete_views, list_views, reorder_views
from app.core.common.dtg import format_dtg
from app.core.events import Changed, RecordKind
from app.core.mapdoc.protocol import Op, message
from app.i18n import _
from app.ui.briefing.presenter import Presenter
from app.ui.models.table import plain_tooltip
from app.ui.panels.briefing.form import ViewForm
from app.ui.panels.briefing.timebar import TimeBar
from app.ui.panels.briefing.timebar import install as install_timebar
from app.ui.panels.layers.panel import LayersPanel

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

ID = Qt.ItemDataRole.UserRole + 1


class SlideList(QListWidget):
    sig_reordered = Signal(list)
    """The user dragged the slides into a new order (view ids)."""

    def dropEvent(self, event: Any) -> None:
        super().dropEvent(event)
        self.sig_reordered.emit([self.item(i).data(ID) for i in range(self.count())])


class BriefingPanel(QWidget):
    sig_views_loaded = Signal(int)
    """The slide list was (re)loaded with this many slides."""
    sig_presenting = Signal(object)
    """Presentation mode started (the Presenter widget)."""
    sig_handout_written = Signal(str)
    """A handout file was written (its path)."""

    def __init__(self, window: MainWindow, timebar: TimeBar) -> None:
        super().__init__(window)
        self.window_ = window
        self.ctx = window.ctx
        self.timebar = timebar
        self.views: list[ViewData] = []
        self.map_view_state: dict[str, Any] = {}
        self.presenter: Presenter | None = None
        self.list = SlideList(self)
        self.list.setObjectName("slideList")
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setWordWrap(True)
        self.list.itemDoubleClicked.connect(lambda *_a: self.show_on_map())
        self.list.sig_reordered.connect(self._reordered)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.new_button = self._button(
            _("New from map"), _("Save the map's current view as a slide"), self.new_from_map
        )
        self.edit_button = self._button(
            _("Edit…"), _("Title, time, speaker note, tables"), self.edit
        )
        self.up_button = self._button("▲", _("Move the slide up"), lambda: self.move(-1))
        self.down_button = self._button("▼", _("Move the slide down"), lambda: self.move(1))
        for arrow in (self.up_button, self.down_button):
            arrow.setFixedWidth(36)
        self.delete_button = self._button(_("Delete"), _("Delete the slide"), self.delete)
        self.screen_choice = QComboBox(self)
        self.screen_choice.setObjectName("presentScreen")
        self.screen_choice.setToolTip(
            _("The screen to present on (a projector is usually the second)")
        )
        self.present_button = self._button(
            _("Present"), _("Full screen from the selected slide (F5)"), self.present
        )
        self.present_button.setObjectName("presentButton")
        self.handout_button = self._button(
            _("Handout…"), _("Write the slides as PDF or HTML"), self.handout
        )
        self.note = QLabel(self)
        self.note.setObjectName("slideNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #444; font-style: italic;")
        row1 = QHBoxLayout()
        for b in (
            self.new_button,
            self.edit_button,
            self.up_button,
            self.down_button,
            self.delete_button,
        ):
            row1.addWidget(b)
        row2 = QHBoxLayout()
        row2.addWidget(self.present_button)
        row2.addWidget(self.screen_choice, 1)
        row2.addWidget(self.handout_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row1)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.note)
        layout.addLayout(row2)
        self.list.currentRowChanged.connect(self._selected)
        self._fill_screens()
        window.map_view.bridge.sig_view_changed.connect(self._remember_view)
        self.ctx.relay.sig_changed.connect(self._on_changed)
        self._update_buttons()

    def _context_menu(self, pos: Any) -> None:
        from PySide6.QtWidgets import QMenu

        item = self.list.itemAt(pos)
        if item is None:
            return
        self.list.setCurrentItem(item)
        menu = QMenu(self)
        menu.addAction(_("Show on the map"), self.show_on_map)
        menu.addAction(_("Present from this slide"), lambda: self.present())
        menu.addSeparator()
        menu.addAction(_("Edit…"), self.edit)
        menu.addAction(_("Take the map's view and layers"), self.update_from_map)
        menu.addSeparator()
        menu.addAction(_("Delete"), self.delete)
        menu.popup(self.list.viewport().mapToGlobal(pos))

    def _button(self, text: str, tip: str, slot: Any) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _fill_screens(self) -> None:
        self.screen_choice.clear()
        screens = QGuiApplication.screens()
        for n, screen in enumerate(screens, start=1):
            geo = screen.geometry()
            text = _("Screen {n} ({w}×{h})").format(n=n, w=geo.width(), h=geo.height())
            self.screen_choice.addItem(f"{text} {screen.name()}".strip(), n - 1)
        self.screen_choice.setCurrentIndex(len(screens) - 1)

    # ------------------------------------------------------------------ data
    def load(self) -> None:
        self.ctx.runner.submit(list_views, self.ctx.store, on_done=self._loaded)

    def _loaded(self, views: list[ViewData]) -> None:
        current = self.current_view()
        self.views = views
        self.list.blockSignals(True)
        self.list.clear()
        for n, view in enumerate(views, start=1):
            when = (
                _("live")
                if view.as_at is None
                else _("as at {dtg}").format(dtg=format_dtg(view.as_at))
            )
            item = QListWidgetItem(f"{n}. {view.name}  ({when})")
            item.setData(ID, view.id)
            item.setToolTip(plain_tooltip(view.note) if view.note else "")
            self.list.addItem(item)
            if current and view.id == current.id:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and views:
            self.list.setCurrentRow(0)
        self.list.blockSignals(False)
        self._selected(self.list.currentRow())
        self.sig_views_loaded.emit(len(views))

    def _on_changed(self, changes: list[Changed]) -> None:
        if any(c.kind == RecordKind.VIEW for c in changes):
            self.load()

    def current_view(self) -> ViewData | None:
        row = self.list.currentRow()
        return self.views[row] if 0 <= row < len(self.views) else None

    def _selected(self, row: int) -> None:
        view = self.current_view()
        self.note.setText(view.note if view else "")
        self.note.setVisible(bool(view and view.note))
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self.current_view() is not None
        for b in (self.edit_button, self.delete_button, self.up_button, self.down_button):
            b.setEnabled(has)
        self.present_button.setEnabled(bool(self.views))
        self.handout_button.setEnabled(bool(self.views))

    def _remember_view(self, view: dict[str, Any]) -> None:
        self.map_view_state = view

    # ------------------------------------------------------------------ actions
    def view_from_map(self, name: str) -> ViewData:
        """A slide of what the map shows now: extent, layers and the time slider's time."""
        bounds = self.map_view_state.get("bounds") or [[-13.6, 38.8], [-10.4, 40.9]]
        (south, west), (north, east) = bounds
        south, north = max(-89.9, south), min(89.9, north)
        west, east = max(-179.9, west), min(179.9, east)
        layers_panel = self.window_.panels.get("layers")
        layers = layers_panel.state() if isinstance(layers_panel, LayersPanel) else {}
        return ViewData(
            name=name,
            south=south,
            west=west,
            north=north,
            east=east,
            layers={k: v for k, v in layers.items() if k not in ("op", "labelsText")},
            as_at=self.timebar.at,
        )

    def new_from_map(self) -> None:
        name = _("Slide {n}").format(n=len(self.views) + 1)
        form = ViewForm(self.view_from_map(name), self)
        form.accepted.connect(lambda: self._save(form.view))
        form.open()

    def _save(self, view: ViewData) -> None:
        self.ctx.runner.submit(add_views, self.ctx.store, [view])

    def edit(self) -> None:
        view = self.current_view()
        if view is None:
            return
        form = ViewForm(view, self)
        form.accepted.connect(lambda: self._save(form.view))
        form.open()

    def update_from_map(self) -> None:
        """Keep the slide's words, take the map's extent and layers."""
        view = self.current_view()
        if view is None:
            return
        fresh = self.view_from_map(view.name)
        self._save(
            replace(
                view,
                south=fresh.south,
                west=fresh.west,
                north=fresh.north,
                east=fresh.east,
                layers=fresh.layers,
            )
        )

    def delete(self) -> None:
        view = self.current_view()
        if view is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Delete slide"),
            _("Delete the slide '{name}'?").format(name=view.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.accepted.connect(
            lambda: self.ctx.runner.submit(delete_views, self.ctx.store, [view.id])
        )
        box.open()

    def move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < len(self.views):
            return
        ids = [v.id for v in self.views]
        ids[row], ids[target] = ids[target], ids[row]
        self.views[row], self.views[target] = self.views[target], self.views[row]
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.setCurrentRow(target)
        self._reordered(ids)

    def _reordered(self, ids: list[str]) -> None:
        self.ctx.runner.submit(reorder_views, self.ctx.store, ids)

    def show_on_map(self) -> None:
        """The slide's extent, layers and time on the main map."""
        view = self.current_view()
        if view is None:
            return
        layers_panel = self.window_.panels.get("layers")
        # the Layers dock ticks the slide's layers and tells the map
        if isinstance(layers_panel, LayersPanel):
            self.ctx.settings.setValue("map/layers", json.dumps(full_layers(view.layers)))
            layers_panel.restore(self.ctx.settings)
        else:
            self.ctx.map.send(full_layers(view.layers))
        self.ctx.map.send(message(Op.FIT, bounds=view.bounds))
        self.timebar.set_time(view.as_at)

    def present(self, start: int | None = None) -> Presenter | None:
        if not self.views:
            return None
        if self.presenter is not None:
            self.presenter.close()
        index = self.list.currentRow() if start is None else start
        presenter = Presenter(self.ctx, list(self.views), max(0, index))
        presenter.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        presenter.sig_closed.connect(self._presenting_ended)
        screens = QGuiApplication.screens()
        choice = self.screen_choice.currentData()
        screen = screens[choice] if isinstance(choice, int) and choice < len(screens) else None
        self.presenter = presenter
        presenter.present(screen)
        self.sig_presenting.emit(presenter)
        return presenter

    def _presenting_ended(self) -> None:
        self.presenter = None

    def handout(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self,
            _("Briefing handout"),
            "briefing.pdf",
            _("PDF (*.pdf);;Self-contained HTML (*.html)"),
        )
        if not path:
            return
        partner, ok = QInputDialog.getText(
            self,
            _("Briefing handout"),
            _("Only what this partner may see (empty: everything), e.g. UN, FRA:"),
        )
        if not ok:
            return
        self.write_handout(Path(path), partner.strip() or None)

    def write_handout(self, path: Path, partner: str | None = None) -> None:
        from app.core.common.markings import MarkingError, normalise_partner

        try:
            code = normalise_partner(partner) if partner else None
        except MarkingError as exc:
            self.window_.show_error(str(exc))
            return
        if path.suffix.lower() == ".pdf":
            # the store is read in the worker; the maps are drawn by a web page on this thread
            from app.ui.briefing.render import prepare_pdf

            self.ctx.sig_status.emit(_("Writing {path}…").format(path=path))
            self.ctx.runner.submit(
                prepare_pdf,
                self.ctx.store,
                code,
                on_done=lambda result: self._render_pdf(result, path),
            )
        else:
            from app.core.briefing.handout import write_html

            self.ctx.runner.submit(
                write_html, self.ctx.store, path, code, on_done=self._html_written
            )

    def _html_written(self, result: Any) -> None:
        self.ctx.sig_status.emit(str(result))
        self.sig_handout_written.emit(str(result.path))

    def _render_pdf(self, prepared: tuple[list[Any], dict[str, str]], path: Path) -> None:
        from PySide6.QtWidgets import QProgressDialog

        from app.ui.briefing.render import HandoutCancelled, render_pdf

        slides, svgs = prepared
        dialog = QProgressDialog(
            _("Writing {path}…").format(path=path.name), _("Cancel"), 0, len(slides), self
        )
        dialog.setWindowTitle(_("Handout"))
        dialog.setMinimumDuration(300)
        self.progress = dialog

        def step(done: int, total: int) -> bool:
            dialog.setValue(done)
            return not dialog.wasCanceled()

        try:
            result = render_pdf(slides, svgs, path, progress=step)
        except HandoutCancelled:
            self.ctx.sig_status.emit(_("Handout cancelled: nothing was written."))
            return
        except Exception as exc:  # shown to the user; nothing is left half written
            self.window_.show_error(str(exc))
            return
        finally:
            dialog.reset()
            dialog.deleteLater()
        self.ctx.sig_status.emit(str(result))
        self.sig_handout_written.emit(str(path))


def build(window: MainWindow) -> BriefingPanel:
    timebar = install_timebar(window)
    # every panel that shows stock or the picture "as at" follows the History bar
    timebar.sig_time_changed.connect(window.ctx.sig_history_time)
    panel = BriefingPanel(window, timebar)
    from PySide6.QtGui import QAction

    present = QAction(_("&Present the briefing"), window)
    present.setShortcut(QKeySequence("F5"))
    present.triggered.connect(lambda: panel.present())
    window.view_menu.addAction(present)
    window.ctx.when_picture_shown(panel.load)
    return panel
