"""Keeps the routes on the map in step with the store (cop-routes.js)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer

from app.core.events import Changed
from app.core.exchange.mapdoc import routes_delta, routes_reset
from app.core.exchange.ops import ROUTE_KIND
from app.core.mapdoc.protocol import Op, message
from app.ui.context import AppContext
from app.ui.map.view import MapView


class RoutesOnMap(QObject):
    def __init__(
        self, ctx: AppContext, view: MapView, controller: Any, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx, self.view = ctx, view
        self.map = ctx.map
        self.loaded = False
        controller.sig_loaded.connect(lambda *_a: self.reload())
        ctx.relay.sig_changed.connect(self._on_changed)
        self._stale_timer = QTimer(self)  # routes grey out when they go stale
        self._stale_timer.setInterval(self.STALE_CHECK_MS)
        self._stale_timer.timeout.connect(lambda: self.loaded and self.reload())
        self._stale_timer.start()

    SETTING = "exchange/show_routes"
    STALE_CHECK_MS = 60_000

    @property
    def shown(self) -> bool:
        return self.ctx.settings.value(self.SETTING, True) in (True, "true", "1", 1)

    def show(self, on: bool) -> None:
        """Show or hide the routes on the map (kept between starts)."""
        self.ctx.settings.setValue(self.SETTING, on)
        self.map.send(message(Op.ROUTES_SHOW, on=on))

    def reload(self) -> None:
        self.ctx.runner.submit(routes_reset, self.ctx.store, on_done=self._sent)

    def _sent(self, routes: dict[str, Any]) -> None:
        self.loaded = True
        self.map.send([routes, message(Op.ROUTES_SHOW, on=self.shown)])

    def _on_changed(self, changes: list[Changed]) -> None:
        ids = set().union(*(c.ids for c in changes if c.kind == ROUTE_KIND))
        if ids and self.loaded:
            self.ctx.runner.submit(routes_delta, self.ctx.store, ids, on_done=self.map.send)
