"""Keyboard use: focus keys for the map and every dock, and Help > Keyboard
shortcuts, a list built from the window's own actions (so a new panel's
shortcuts appear in it without anyone keeping a list)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def _plain(text: str) -> str:
    """A menu text without its mnemonic ampersand or trailing ellipsis."""
    return text.replace("&&", "\x00").replace("&", "").replace("\x00", "&").rstrip("…").strip()


def shortcut_rows(window: MainWindow) -> list[tuple[str, str, str]]:
    """(where, what, keys) for every action and shortcut of the window that has keys."""
    rows: dict[tuple[str, str], str] = {}

    def walk(menu: QMenu, where: str) -> None:
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                walk(sub, f"{where} › {_plain(sub.title())}")
                continue
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys and action.text():
                rows[(where, _plain(action.text()))] = keys

    for top in window.menuBar().actions():
        if isinstance(top.menu(), QMenu):
            walk(top.menu(), _plain(top.text()))
    for action in window.findChildren(QAction):
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and action.text() and not any(k[1] == _plain(action.text()) for k in rows):
            rows[(_("Window"), _plain(action.text()))] = keys
    for shortcut in window.findChildren(QShortcut):
        keys = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
        what = shortcut.whatsThis()
        if keys and what:
            rows.setdefault((_("Window"), what), keys)
    return sorted(
        ((where, what, keys) for (where, what), keys in rows.items()), key=lambda r: (r[0], r[1])
    )


class ShortcutsDialog(QDialog):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle(_("Keyboard shortcuts"))
        self.resize(640, 620)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(_("Find a shortcut"))
        self.filter.setClearButtonEnabled(True)
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setHorizontalHeaderLabels([_("Where"), _("Action"), _("Keys")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(2)
        self.filter.textChanged.connect(self._filter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    def _filter(self, text: str) -> None:
        needle = text.casefold().strip()
        for r in range(self.table.rowCount()):
            hay = " ".join(self.table.item(r, c).text() for c in range(3)).casefold()
            self.table.setRowHidden(r, bool(needle) and needle not in hay)


class Keyboard:
    """F6 / Shift+F6 go round the map and the open docks; Ctrl+1 the map,
    Ctrl+2… the docks in the order they were added."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        help_action = QAction(_("&Keyboard shortcuts"), window)
        help_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        help_action.triggered.connect(self.show_help)
        menu = window.help_menu
        menu.insertAction(menu.actions()[0] if menu.actions() else None, help_action)  # type: ignore[arg-type]
        self.help_action = help_action
        self._key("F6", _("Next panel"), lambda: self.cycle(1))
        self._key("Shift+F6", _("Previous panel"), lambda: self.cycle(-1))
        self._key("Ctrl+1", _("Go to the map"), lambda: self.focus(0))
        for n in range(2, 10):
            self._key(f"Ctrl+{n}", _("Go to panel {n}").format(n=n), lambda i=n - 1: self.focus(i))
        self.dialog: ShortcutsDialog | None = None

    def _key(self, keys: str, what: str, slot: object) -> None:
        shortcut = QShortcut(QKeySequence(keys), self.window)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.setWhatsThis(what)
        shortcut.activated.connect(slot)

    def places(self) -> list[QWidget]:
        """The map, then each dock that is open, in order."""
        docks = [d for d in self.window.docks if d.isVisible() and d.widget() is not None]
        return [self.window.map_view, *[d.widget() for d in docks]]

    def focus(self, index: int) -> None:
        places = [
            self.window.map_view,
            *[d.widget() for d in self.window.docks if d.widget() is not None],
        ]
        if 0 <= index < len(places):
            target = places[index]
            dock = target.parentWidget()
            if dock is not None and dock is not self.window and hasattr(dock, "raise_"):
                dock.show()
                dock.raise_()
            target.setFocus(Qt.FocusReason.ShortcutFocusReason)
            if target.focusProxy() is None and not target.hasFocus():
                target.focusNextChild()

    def cycle(self, step: int) -> None:
        places = self.places()
        focus = self.window.focusWidget()
        current = next(
            (
                i
                for i, p in enumerate(places)
                if focus is not None and (focus is p or p.isAncestorOf(focus))
            ),
            -1,
        )
        target = places[(current + step) % len(places)]
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not (target.hasFocus() or target.isAncestorOf(self.window.focusWidget() or target)):
            target.focusNextChild()

    def show_help(self) -> ShortcutsDialog:
        self.dialog = ShortcutsDialog(self.window)
        self.dialog.open()
        return self.dialog


def install(window: MainWindow) -> Keyboard:
    return Keyboard(window)
