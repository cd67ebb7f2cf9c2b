"""What every panel is given: the store, the background runner, the change
relay and the shared selection.  Panels talk to each other only through here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal

from app.core.events import Changed
from app.core.store.engine import Store
from app.ui.workers import Runner

if TYPE_CHECKING:
    from app.ui.map.controller import MapController


class ChangeRelay(QObject):
    """Re-emits the store's change events on the GUI thread."""

    sig_changed = Signal(object)
    """A list of ``app.core.events.Changed`` from one committed operation."""

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe: Callable[[], None] | None = store.events.subscribe(self._on_changes)

    def _on_changes(self, changes: list[Changed]) -> None:
        self.sig_changed.emit(changes)

    def close(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None


class AppContext(QObject):
    sig_unit_selected = Signal(str, str)
    """A unit was selected (unit id or "", the name of who selected it)."""
    sig_task_selected = Signal(str, str)
    """A task was selected (task id, who selected it)."""
    sig_zone_selected = Signal(str, str)
    """A zone was selected (zone id, who selected it)."""
    sig_status = Signal(str)
    """A short message for the status bar."""
    sig_picture_shown = Signal()
    """The map painted the whole picture for the first time (start-up is over)."""
    sig_marking = Signal(str, str)
    """The banner text and level name of what is shown changed."""
    sig_history_time = Signal(object)
    """The History bar moved: show the picture as at this UTC time (None: live)."""

    map: MapController
    """The main map page's controller: panels send page messages with ``ctx.map.send``
    (set when the controller is made)."""

    def __init__(self, store: Store, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings
        self.runner = Runner(self)
        self.relay = ChangeRelay(store, self)
        self.selected_unit = ""
        self.picture_shown = False
        self._after_picture: list[Callable[[], None]] = []
        self.sig_picture_shown.connect(self._on_picture_shown)

    def when_picture_shown(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the map has painted the picture (or now, if it has).

        Panels load after the map so that the store's single worker gives the
        picture first: start-up is the map, then the tables.
        """
        if self.picture_shown:
            callback()
        else:
            self._after_picture.append(callback)

    def _on_picture_shown(self) -> None:
        self.picture_shown = True
        waiting, self._after_picture = self._after_picture, []
        for callback in waiting:
            callback()

    def select_unit(self, unit_id: str, source: str) -> None:
        if unit_id == self.selected_unit:
            return
        self.selected_unit = unit_id
        self.sig_unit_selected.emit(unit_id, source)

    def close(self) -> None:
        self.runner.close()
        self.relay.close()
