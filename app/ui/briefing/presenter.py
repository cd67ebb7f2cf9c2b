"""Presentation mode: the slides full screen on a chosen screen.

The slide's view with larger symbols and labels, a title bar (title, DTG, slide
number), the classification banner above and below, a legend of the symbols
shown, the slide's tables and its speaker note.  PageDown / PageUp, the arrow
keys, space and backspace (what presentation clickers send) step through;
Home and End jump; Esc leaves.  A live slide follows changes as they come.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QIcon,
    QKeySequence,
    QPixmap,
    QScreen,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.briefing.handout import PRESENTATION_SCALE
from app.core.briefing.slides import Slide, build_slide
from app.core.briefing.views import ViewData
from app.core.events import Changed
from app.core.mapdoc.protocol import Op, message
from app.core.mapdoc.styles import ZONE_COLOURS
from app.i18n import _
from app.ui.banner import ClassificationBanner
from app.ui.context import AppContext
from app.ui.map.controller import PICTURE_KINDS

NEXT_KEYS = (Qt.Key.Key_PageDown, Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Space)
PREVIOUS_KEYS = (Qt.Key.Key_PageUp, Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_Backspace)


def _slide_job(
    store: Any, view: ViewData, number: int, total: int, partner: str | None
) -> tuple[Slide, dict[str, str]]:
    """In the worker: the slide and its legend's symbols as SVG."""
    from app.ui.symbols import symbol_svgs

    slide = build_slide(store, view, number, total, partner)
    svgs = symbol_svgs([e.key for e in slide.legend if e.kind == "unit"], 64)
    return slide, svgs


def _svg_icon(svg: str, height: int) -> QIcon:
    from app.ui.symbols import svg_pixmap

    return QIcon(svg_pixmap(svg, height))


def _swatch(colour: str) -> QIcon:
    from PySide6.QtGui import QColor

    pix = QPixmap(24, 16)
    pix.fill(QColor(colour))
    return QIcon(pix)


class Presenter(QWidget):
    sig_slide_shown = Signal(int)
    """A slide is on screen (its index, from 0)."""
    sig_closed = Signal()
    """Presentation mode ended."""

    def __init__(
        self,
        ctx: AppContext,
        views: list[ViewData],
        start: int = 0,
        partner: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        from app.core.mapdoc.page import write_live_page
        from app.ui.app import page_folder
        from app.ui.map.controller import MapPage
        from app.ui.map.view import MapView

        self.setObjectName("presenter")
        self.setWindowTitle(_("Briefing"))
        self.ctx = ctx
        self.views = views
        self.partner = partner
        self.index = -1
        self.slide: Slide | None = None
        self._pending: int | None = None
        self.setStyleSheet(
            "QWidget#presenter { background: #1d2733; }"
            " QLabel#presenterTitle { color: white; font-size: 30px; font-weight: bold; }"
            " QLabel#presenterWhen, QLabel#presenterCount { color: white; font-size: 22px; }"
            " QWidget#presenterSide { background: #f7f7f4; }"
            " QWidget#presenterSide QLabel { font-size: 18px; }"
            " QListWidget, QTableWidget { font-size: 17px; }"
        )
        self.banner_top = ClassificationBanner(self)
        self.banner_bottom = ClassificationBanner(self)
        for banner in (self.banner_top, self.banner_bottom):
            banner.setMinimumHeight(30)
        self.title = QLabel(self)
        self.title.setObjectName("presenterTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.when = QLabel(self)
        self.when.setObjectName("presenterWhen")
        self.count = QLabel(self)
        self.count.setObjectName("presenterCount")
        bar = QHBoxLayout()
        bar.setContentsMargins(16, 6, 16, 6)
        bar.addWidget(self.title, 1)
        bar.addWidget(self.when)
        bar.addSpacing(24)
        bar.addWidget(self.count)
        self.map_view = MapView(write_live_page(page_folder()), self)
        self.page = MapPage.of(self.map_view)  # this page's one sender
        self.page.send(message(Op.SCALE, factor=PRESENTATION_SCALE))
        side = QWidget(self)
        side.setObjectName("presenterSide")
        side.setFixedWidth(420)
        self.side = side
        side_layout = QVBoxLayout(side)
        legend_title = QLabel(_("Legend"), side)
        legend_title.setStyleSheet("font-weight: bold;")
        self.legend = QListWidget(side)
        self.legend.setObjectName("presenterLegend")
        self.legend.setIconSize(QSize(44, 30))
        self.legend.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.legend.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.legend.setWordWrap(True)
        self.legend.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tables = QVBoxLayout()
        self.note = QLabel(side)
        self.note.setObjectName("presenterNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("font-style: italic;")
        side_layout.addWidget(legend_title)
        side_layout.addWidget(self.legend, 1)
        side_layout.addLayout(self.tables)
        side_layout.addWidget(self.note)
        middle = QHBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(0)
        middle.addWidget(self.map_view, 1)
        middle.addWidget(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner_top)
        layout.addLayout(bar)
        layout.addLayout(middle, 1)
        layout.addWidget(self.banner_bottom)
        for key in NEXT_KEYS:
            self._shortcut(key, self.next)
        for key in PREVIOUS_KEYS:
            self._shortcut(key, self.previous)
        self._shortcut(Qt.Key.Key_Home, lambda: self.show_slide(0))
        self._shortcut(Qt.Key.Key_End, lambda: self.show_slide(len(self.views) - 1))
        self._shortcut(Qt.Key.Key_Escape, self.close)
        # clickers' "blank screen" button sends B or a full stop
        self._shortcut(Qt.Key.Key_B, self.toggle_blank)
        self._shortcut(Qt.Key.Key_Period, self.toggle_blank)
        self.blank = QWidget(self)
        self.blank.setObjectName("presenterBlank")
        self.blank.setStyleSheet("background: black;")
        self.blank.hide()
        ctx.relay.sig_changed.connect(self._on_changed)
        from PySide6.QtCore import QTimer

        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(150)
        self._refit.timeout.connect(self._fit)
        self.show_slide(start)

    def _shortcut(self, key: Qt.Key, slot: Any) -> None:
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)

    def present(self, screen: QScreen | None = None) -> None:
        """Full screen on ``screen`` (default: the one the window is on)."""
        if screen is not None:
            self.setScreen(screen)
            self.setGeometry(screen.geometry())
        width = (screen or self.screen()).geometry().width()
        self.side.setFixedWidth(max(300, min(520, width // 4)))
        self.showFullScreen()
        self.activateWindow()
        self.setFocus()

    # ------------------------------------------------------------------ slides
    def next(self) -> None:
        self.show_slide((self._pending if self._pending is not None else self.index) + 1)

    def previous(self) -> None:
        self.show_slide((self._pending if self._pending is not None else self.index) - 1)

    def show_slide(self, index: int) -> None:
        if not self.views:
            return
        index = max(0, min(len(self.views) - 1, index))
        if index == self.index and self._pending is None:
            return
        self._pending = index
        self.ctx.runner.submit(
            _slide_job,
            self.ctx.store,
            self.views[index],
            index + 1,
            len(self.views),
            self.partner,
            on_done=lambda result, i=index: self._arrived(i, result),
        )

    def _arrived(self, index: int, result: tuple[Slide, dict[str, str]]) -> None:
        if self._pending is not None and index != self._pending:
            return  # the briefer has moved on already
        self._pending = None
        slide, svgs = result
        self.index = index
        self.slide = slide
        self.page.send(slide.messages())
        self.banner_top.set_marking(slide.marking.banner, slide.marking.level)
        self.banner_bottom.set_marking(slide.marking.banner, slide.marking.level)
        self.title.setText(slide.title)
        self.when.setText(slide.when)
        self.count.setText(_("{n} / {total}").format(n=slide.number, total=slide.total))
        self.legend.clear()
        for entry in slide.legend:
            item = QListWidgetItem(f"{entry.label} ({entry.count})")
            if entry.kind == "unit" and svgs.get(entry.key):
                item.setIcon(_svg_icon(svgs[entry.key], 30))
            else:
                item.setIcon(_swatch(ZONE_COLOURS.get(entry.key, "#ffb000")))
            self.legend.addItem(item)
        if not slide.legend:
            self.legend.addItem(_("Nothing shown"))
        self._show_tables(slide)
        self.note.setText(slide.view.note)
        self.note.setVisible(bool(slide.view.note))
        self.sig_slide_shown.emit(index)

    def _show_tables(self, slide: Slide) -> None:
        from PySide6.QtGui import QColor

        while self.tables.count():
            widget = self.tables.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        for table in slide.summary:
            title = QLabel(table.title)
            title.setStyleSheet("font-weight: bold;")
            grid = QTableWidget(len(table.rows), len(table.headers))
            grid.setObjectName("presenterTable")
            grid.setHorizontalHeaderLabels(list(table.headers))
            grid.verticalHeader().setVisible(False)
            grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            # the first column names the rows ("in progress"): never cut it short
            grid.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
            grid.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            for r, row in enumerate(table.rows):
                for c, cell in enumerate(row):
                    item = QTableWidgetItem(str(cell))
                    if c == 0 and r < len(table.colours) and table.colours[r]:
                        item.setBackground(QColor(table.colours[r]))
                    grid.setItem(r, c, item)
            grid.setFixedHeight(
                grid.horizontalHeader().height()
                + 4
                + sum(grid.rowHeight(r) for r in range(grid.rowCount()))
            )
            self.tables.addWidget(title)
            self.tables.addWidget(grid)

    def _on_changed(self, changes: list[Changed]) -> None:
        if self.slide is None or not self.slide.live:
            return
        if any(c.kind in PICTURE_KINDS for c in changes):
            index, self.index = self.index, -1
            self.show_slide(index)

    def toggle_blank(self) -> None:
        """Black out the screen (and back), as a clicker's blank button asks."""
        if self.blank.isVisible():
            self.blank.hide()
        else:
            self.blank.setGeometry(self.rect())
            self.blank.raise_()
            self.blank.show()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.blank.setGeometry(self.rect())
        self._refit.start()  # full screen, another screen: the slide's extent fills the map again

    def _fit(self) -> None:
        if self.slide is not None:
            self.page.send(message(Op.FIT, bounds=self.slide.view.bounds))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.ctx.relay.sig_changed.disconnect(self._on_changed)
        self.map_view.shutdown()
        super().closeEvent(event)
        self.sig_closed.emit()
