"""The time slider on the main window: the picture as it was at any time over a
period (6 h to 7 days), played forward on demand; the right end is the live picture."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QSlider, QToolBar, QWidget

from app.core.briefing.slides import picture_at
from app.core.common.dtg import format_dtg
from app.i18n import _

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

STEPS = 96
PERIODS = ((6, "6 h"), (24, "24 h"), (72, "72 h"), (168, "7 d"))


class TimeBar(QToolBar):
    sig_time_changed = Signal(object)
    """The map now shows the picture at this time (a datetime), or live (None)."""

    PLAY_MS = 400

    def __init__(self, window: MainWindow) -> None:
        super().__init__(_("Time"), window)
        self.setObjectName("timeBar")
        self.window_ = window
        self.ctx = window.ctx
        self.addWidget(QLabel(_("History:") + " ", self))
        self.period = QComboBox(self)
        self.period.setObjectName("timePeriod")
        for hours, _text in PERIODS:
            self.period.addItem(_("last {hours} h").format(hours=hours), hours)
        self.period.setCurrentIndex(1)
        self.period.setToolTip(_("How far back the slider reaches"))
        self.addWidget(self.period)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("timeSlider")
        self.slider.setRange(0, STEPS)
        self.slider.setValue(STEPS)
        self.slider.setMinimumWidth(260)
        self.slider.setToolTip(_("Drag back to see the picture as it was; the right end is live"))
        self.addWidget(self.slider)
        self.play = QPushButton(_("▶ Play"), self)
        self.play.setObjectName("timePlay")
        self.play.setCheckable(True)
        self.play.setToolTip(_("Play the period forward"))
        self.addWidget(self.play)
        self.live_button = QPushButton(_("Live"), self)
        self.live_button.setObjectName("timeLive")
        self.addWidget(self.live_button)
        self.label = QLabel(self)
        self.label.setObjectName("timeLabel")
        self.label.setMinimumWidth(170)
        self.addWidget(self.label)
        self.end = datetime.now(UTC)
        self.at: datetime | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)
        self._debounce.timeout.connect(self._apply)
        self._timer = QTimer(self)
        self._timer.setInterval(self.PLAY_MS)
        self._timer.timeout.connect(self._step)
        self._busy = False
        self._again = False
        self.slider.valueChanged.connect(self._moved)
        self.period.currentIndexChanged.connect(lambda *_a: self._moved(self.slider.value()))
        self.play.toggled.connect(self._play)
        self.live_button.clicked.connect(self.go_live)
        self._show_label()

    # ------------------------------------------------------------------ time
    def time_at(self, value: int) -> datetime | None:
        if value >= STEPS:
            return None
        hours = self.period.currentData()
        return self.end - timedelta(hours=hours) + timedelta(hours=hours) * value / STEPS

    def set_time(self, at: datetime | None) -> None:
        """Show the picture at ``at`` (None: live); the slider follows."""
        if at is None:
            self.slider.setValue(STEPS)
            return
        self.end = datetime.now(UTC)
        needed = (self.end - at) / timedelta(hours=1)
        fits = [i for i, (hours, _t) in enumerate(PERIODS) if hours >= needed]
        index = fits[0] if fits else len(PERIODS) - 1
        if index != self.period.currentIndex():
            self.period.blockSignals(True)
            self.period.setCurrentIndex(index)
            self.period.blockSignals(False)
        hours = self.period.currentData()
        value = round((at - (self.end - timedelta(hours=hours))) / timedelta(hours=hours) * STEPS)
        self.slider.setValue(max(0, min(STEPS - 1, value)))

    def _moved(self, value: int) -> None:
        if value >= STEPS or self.at is None:
            self.end = datetime.now(UTC)  # the period ends now when leaving live
        self._show_label()
        self._debounce.start()

    def _show_label(self) -> None:
        at = self.time_at(self.slider.value())
        self.label.setText(_("Live") if at is None else _("As at {dtg}").format(dtg=format_dtg(at)))
        self.live_button.setEnabled(at is not None)

    def go_live(self) -> None:
        self.play.setChecked(False)
        self.slider.setValue(STEPS)

    def _apply(self) -> None:
        at = self.time_at(self.slider.value())
        controller = self.ctx.map
        if at is None:
            if self.at is not None:
                self.at = None
                controller.live = True
                controller.reload()
                self.sig_time_changed.emit(None)
            return
        self.at = at
        controller.live = False
        if self._busy:  # one rebuild at a time; the latest position wins
            self._again = True
            return
        self._busy = True
        self.ctx.runner.submit(
            picture_at, self.ctx.store, at, on_done=self._arrived, on_error=self._failed
        )

    def _arrived(self, result: tuple[list[dict[str, Any]], Any, int]) -> None:
        self._busy = False
        if self._again:
            self._again = False
            self._apply()
            return
        if self.at is None:
            return
        messages, marking, _count = result
        self.ctx.map.send(messages)
        self.ctx.sig_marking.emit(marking.banner, str(marking.level))
        self.sig_time_changed.emit(self.at)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.ctx.runner.sig_error.emit(str(exc))

    # ------------------------------------------------------------------ play
    def _play(self, on: bool) -> None:
        if on:
            if self.slider.value() >= STEPS:
                self.end = datetime.now(UTC)
                self.slider.setValue(0)
            self._timer.start()
            self.play.setText(_("❚❚ Pause"))
        else:
            self._timer.stop()
            self.play.setText(_("▶ Play"))

    def _step(self) -> None:
        if self._busy:
            return  # the map keeps up before the slider moves on
        value = self.slider.value() + 1
        self.slider.setValue(value)
        if value >= STEPS:
            self.play.setChecked(False)


def install(window: MainWindow, parent: QWidget | None = None) -> TimeBar:
    bar = TimeBar(window)
    window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    window.view_menu.addAction(bar.toggleViewAction())
    return bar
