"""Keeps the map page in step with the store: a full picture once, deltas after.

This module is the only code that sends messages to a map page.  Each page
instance has one owner, its :class:`MapPage`; the main window's page is driven
by the :class:`MapController` (``ctx.map``), which panels and tools ask with
``ctx.map.send(message(Op..., ...))``.  A second page (the presenter, the slide
renderer) sends through its own ``MapPage.of(view)``.  Messages are made and
checked with ``app.core.mapdoc.protocol``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.events import Changed, RecordKind
from app.core.mapdoc.protocol import Message, Op, check, message
from app.core.picture import mapdoc as picture
from app.core.tasks import mapdoc as tasks_on_map
from app.ui.context import AppContext
from app.ui.map.view import MapView

PICTURE_KINDS = frozenset({RecordKind.UNIT, RecordKind.ZONE, RecordKind.TASK})
"""The kinds of record the map page draws (a change to any other needs no page update)."""


def _serialise(messages: list[dict[str, Any]]) -> str:
    return json.dumps(messages, separators=(",", ":"))


class MapPage:
    """The one sender to one page instance: checks messages against the protocol
    and pushes them (queued by the view until the page is ready)."""

    def __init__(self, view: MapView) -> None:
        self.view = view

    @classmethod
    def of(cls, view: MapView) -> MapPage:
        """The owner of ``view``'s page (made on first use)."""
        owner = getattr(view, "_cop_page_owner", None)
        if not isinstance(owner, MapPage):
            owner = cls(view)
            view._cop_page_owner = owner  # type: ignore[attr-defined]
        return owner

    def send(self, messages: Message | Sequence[Message]) -> None:
        """Send one message or a list of them (made with ``protocol.message``)."""
        batch = [messages] if isinstance(messages, dict) else list(messages)
        for msg in batch:
            check(msg)
        self.view.push(messages if isinstance(messages, dict) else batch)

    def send_raw(self, payload: str) -> None:
        """Send a list of messages already serialised (built and checked off the GUI thread)."""
        self.view.push_raw(payload)


class MapController(QObject):
    sig_loaded = Signal(int, int)
    """The whole picture reached the page (units, zones)."""
    sig_places_sent = Signal()
    """Place names reached the page."""
    sig_delta_sent = Signal(int)
    """A delta for this many records was sent to the page."""

    STALE_CHECK_MS = 30_000

    def __init__(self, ctx: AppContext, view: MapView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view = view
        self.page = MapPage.of(view)
        ctx.map = self
        self.loaded = False
        self.live = True  # False while the map shows the picture as it was (briefing time slider)
        self.fit_on_load = True
        self._stale: dict[str, bool] = {}
        view.bridge.sig_unit_clicked.connect(lambda uid: ctx.select_unit(uid, "map"))
        view.bridge.sig_map_clicked.connect(lambda *_: ctx.select_unit("", "map"))
        view.bridge.sig_zone_clicked.connect(lambda zid: ctx.sig_zone_selected.emit(zid, "map"))
        ctx.sig_unit_selected.connect(self._on_selected)
        view.bridge.sig_task_clicked.connect(lambda tid: ctx.sig_task_selected.emit(tid, "map"))
        ctx.sig_task_selected.connect(
            lambda tid, source: (
                source != "map" and self.send(message(Op.TASKS_SELECT, id=tid, pan=True))
            )
        )
        ctx.relay.sig_changed.connect(self._on_changed)
        self._stale_timer = QTimer(self)
        self._stale_timer.setInterval(self.STALE_CHECK_MS)
        self._stale_timer.timeout.connect(self._check_stale)
        self._shown = False
        self._bounds: list[list[float]] | None = None
        view.bridge.sig_painted.connect(self._painted)
        view.bridge.sig_view_changed.connect(self._remember_view)
        saved = self.saved_view()
        if saved:  # the user's last view wins over fitting the picture
            self.fit_on_load = False
            self.send(message(Op.FLY, lat=saved["lat"], lon=saved["lon"], zoom=saved["zoom"]))

    def send(self, messages: Message | Sequence[Message]) -> None:
        """Send one message or a list of them to the main map page (the panels' way in)."""
        self.page.send(messages)

    def send_raw(self, payload: str) -> None:
        """Send a serialised list of messages built off the GUI thread."""
        self.page.send_raw(payload)

    def saved_view(self) -> dict[str, Any] | None:
        raw = self.ctx.settings.value("map/view")
        try:
            view = json.loads(raw) if isinstance(raw, str) else None
            if view and all(isinstance(view.get(k), (int, float)) for k in ("lat", "lon", "zoom")):
                return dict(view)
        except ValueError:
            pass
        return None

    def _remember_view(self, view: dict[str, Any]) -> None:
        if self.loaded:
            self.ctx.settings.setValue(
                "map/view", json.dumps({k: view[k] for k in ("lat", "lon", "zoom")})
            )

    def reload(self) -> None:
        """Send the whole picture (at start, or after a bulk change)."""
        self.ctx.runner.submit(self._build_picture, self.fit_on_load, on_done=self._on_picture)
        self.fit_on_load = False

    def _build_picture(self, fit: bool) -> tuple[str, picture.Picture]:
        """In the worker: read the store and serialise, so the GUI thread only forwards."""
        pic = picture.full_picture(self.ctx.store)
        messages = [*pic.messages, tasks_on_map.tasks_reset(self.ctx.store)]
        if fit and pic.bounds:
            messages.insert(0, message(Op.FIT, bounds=pic.bounds))
        return _serialise(messages), pic

    def _on_picture(self, result: tuple[str, picture.Picture]) -> None:
        payload, pic = result
        self.send_raw(payload)
        self.ctx.sig_marking.emit(pic.marking.banner, str(pic.marking.level))
        self._bounds = pic.bounds
        self.loaded = True
        self._stale_timer.start()
        self.sig_loaded.emit(pic.units, pic.zones)

    def _painted(self, _stats: dict[str, Any]) -> None:
        if self.loaded and not self._shown:
            self._shown = True
            self.ctx.sig_picture_shown.emit()
            # place names load after the picture is up (the gazetteer takes a second)
            self.ctx.runner.submit(
                picture.places_message, self._bounds, on_done=self._send_places, pool="io"
            )

    def _send_places(self, places: Message) -> None:
        self.send(places)
        self.sig_places_sent.emit()

    def show_trails(self, on: bool) -> None:
        """Breadcrumbs: load each unit's last positions, or hide them."""
        if on:
            self.ctx.runner.submit(picture.trails_message, self.ctx.store, on_done=self.send)
        else:
            self.send(message(Op.TRAILS, on=False, trails={}))

    def _on_changed(self, changes: list[Changed]) -> None:
        relevant = [c for c in changes if c.kind in PICTURE_KINDS]
        if not relevant:
            return
        if not self.loaded or not self.live:
            return  # the pending full load will include it (or the past is shown)
        self.ctx.runner.submit(self._build_delta, relevant, on_done=self._send_delta)

    def _build_delta(self, changes: list[Changed]) -> tuple[str, int, picture.Marking]:
        messages = picture.delta(self.ctx.store, changes)
        messages += tasks_on_map.tasks_delta(self.ctx.store, changes)
        count = sum(len(c.ids) for c in changes)
        marking = picture.store_marking(self.ctx.store)
        return _serialise(messages), count, marking

    def _send_delta(self, result: tuple[str, int, picture.Marking]) -> None:
        payload, count, marking = result
        self.send_raw(payload)
        self.ctx.sig_marking.emit(marking.banner, str(marking.level))
        self.sig_delta_sent.emit(count)

    def _on_selected(self, unit_id: str, source: str) -> None:
        self.send(message(Op.SELECT, id=unit_id or None, pan=source != "map"))

    def _check_stale(self) -> None:
        if not self.live:
            return
        self.ctx.runner.submit(
            picture.stale_changes, self.ctx.store, self._stale, on_done=self._send_stale
        )

    def _send_stale(self, result: tuple[list[str], list[str]]) -> None:
        went, back = result
        if went:
            self.send(message(Op.UNITS_STALE, ids=went, stale=True))
        if back:
            self.send(message(Op.UNITS_STALE, ids=back, stale=False))
