"""The live feed in the window: a background listener, its connection
indicator in the status bar, batches into the store, opt-in sending."""

from __future__ import annotations

import html

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from app.core.exchange.feed import (
    FeedClient,
    FeedConfig,
    Ingested,
    ingest_live,
    own_units_cot,
    state_label,
)
from app.core.formats.cot import CotEvent
from app.core.formats.errors import InteropError
from app.i18n import _
from app.ui.context import AppContext
from app.ui.panels.exchange.settings import PREFIX, load_config, save_config, setting_bool

COLOURS = {"off": "#757575", "connecting": "#ef6c00", "connected": "#2e7d32", "error": "#c62828"}


class FeedController(QObject):
    sig_state = Signal(str, str)
    """The connection changed state (off, connecting, connected, error) with a detail."""
    sig_batch = Signal(object)
    """A batch of events arrived (emitted from the listener's thread)."""
    sig_stored = Signal(int)
    """A batch was stored: this many records added or updated."""

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.client: FeedClient | None = None
        self.config = load_config(ctx.settings)
        self.stored = 0
        self.rejected = 0
        self.detail = ""
        self.state = "off"
        self.last_errors: tuple[str, ...] = ()
        self.indicator = QLabel()
        self.indicator.setObjectName("feedIndicator")
        self._waiting: list[CotEvent] = []
        self._in_flight = 0
        self.merged = 0
        self.sig_batch.connect(self._on_batch)
        self.sig_state.connect(self._on_state)
        self._send_timer = QTimer(self)
        self._send_timer.timeout.connect(self.send_own_units)
        self._refresh()

    # ------------------------------------------------------------------ control
    @property
    def connect_at_start(self) -> bool:
        return setting_bool(self.ctx.settings.value(PREFIX + "enabled", False))

    def start(self, config: FeedConfig | None = None) -> None:
        """Connect (or reconnect) with ``config`` or the saved settings."""
        self.stop()
        self.config = (config or self.config).validate()
        self.client = FeedClient(
            self.config, on_batch=self.sig_batch.emit, on_status=self.sig_state.emit
        )
        self.client.start()
        self.ctx.settings.setValue(PREFIX + "enabled", True)
        self._arm_sending()

    def stop(self, remember: bool = False) -> None:
        self._send_timer.stop()
        if self.client is not None:
            client, self.client = self.client, None
            client.stop()
        self.state = "off"
        if remember:
            self.ctx.settings.setValue(PREFIX + "enabled", False)
        self._refresh()

    def apply_settings(self, config: FeedConfig, connect_at_start: bool) -> None:
        save_config(self.ctx.settings, config)
        self.ctx.settings.setValue(PREFIX + "enabled", connect_at_start)
        running = self.client is not None
        self.config = config
        if running:
            self.start(config)
        self._arm_sending()

    def set_sending(self, on: bool) -> None:
        self.config.send_own = on
        save_config(self.ctx.settings, self.config)
        self._arm_sending()

    def _arm_sending(self) -> None:
        self._send_timer.stop()
        if self.config.send_own and self.client is not None:
            self._send_timer.start(max(5, self.config.send_interval_s) * 1000)

    def send_own_units(self) -> None:
        """Build our units' CoT on the store's worker, send it on the io pool."""
        client = self.client
        if client is None or client.state != "connected":
            return
        self.ctx.runner.submit(
            own_units_cot,
            self.ctx.store,
            on_done=lambda data: self.ctx.runner.submit(
                client.send, data, pool="io", on_done=lambda _ok: None
            ),
        )

    # ------------------------------------------------------------------ events
    MAX_IN_FLIGHT = 2  # batches queued on the store's worker; beyond, they wait here
    MAX_WAITING = 50_000  # events waiting; beyond, only each track's latest report is kept

    def _on_batch(self, events: list[CotEvent]) -> None:
        """Store a batch; when the store falls behind, batches wait and merge (memory stays bounded)."""
        self._waiting.extend(events)
        if len(self._waiting) > self.MAX_WAITING:
            latest = {e.uid: e for e in self._waiting}
            self.merged += len(self._waiting) - len(latest)
            self._waiting = list(latest.values())
        self._submit()

    def _submit(self) -> None:
        if self._in_flight >= self.MAX_IN_FLIGHT or not self._waiting:
            return
        events, self._waiting = self._waiting, []
        self._in_flight += 1
        self.ctx.runner.submit(
            ingest_live, self.ctx.store, events, on_done=self._stored, on_error=self._failed
        )

    def _stored(self, result: Ingested) -> None:
        self._in_flight -= 1
        self._submit()
        self.stored += result.stored
        self.rejected += result.rejected
        if result.errors:
            self.last_errors = result.errors
        self._refresh()
        self.sig_stored.emit(result.stored)

    def _failed(self, exc: BaseException) -> None:
        self._in_flight -= 1
        self._submit()
        self.rejected += 1
        self.last_errors = (str(exc),)
        self._refresh()

    def _on_state(self, state: str, detail: str) -> None:
        self.state, self.detail = state, detail
        if state == "connected" and self.config.send_own:
            self.send_own_units()
        self._refresh()

    def _refresh(self) -> None:
        where = self.config.describe()
        text = _("CoT feed: {state}").format(state=state_label(self.state))
        if self.state in ("connected", "connecting", "error"):
            text += f" · {where}"
        if self.stored:
            text += " · " + _("{n} stored").format(n=self.stored)
        colour = COLOURS.get(self.state, COLOURS["off"])
        self.indicator.setText(f'<span style="color:{colour}">●</span> {html.escape(text)}')
        client = self.client
        lines = [html.escape(_("Live feed {where}").format(where=where))]
        if client is not None:
            stats = client.stats
            lines.append(
                html.escape(
                    _(
                        "received {r}, stored {s}, refused {x}, merged over the rate limit {c}, sent {t}"
                    ).format(
                        r=stats.received,
                        s=self.stored,
                        x=stats.rejected + self.rejected,
                        c=stats.coalesced + self.merged,
                        t=stats.sent,
                    )
                )
            )
            if stats.last_error:
                lines.append(html.escape(stats.last_error))
        lines += [html.escape(e) for e in self.last_errors]
        if self.config.send_own:
            lines.append(
                html.escape(
                    _("Our units are sent every {n} s").format(n=self.config.send_interval_s)
                )
            )
        self.indicator.setToolTip("<br>".join(lines))

    def close(self) -> None:
        self.stop()


def check(config: FeedConfig) -> str | None:
    """The reason ``config`` cannot be used, or None."""
    try:
        config.validate()
    except InteropError as exc:
        return str(exc)
    return None


__all__ = ["FeedController", "QWidget", "check"]
