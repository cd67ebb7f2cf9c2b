"""APP-6 / 2525 symbol icons for native widgets (tables, legends).

SVG comes from the ``milsymbol`` Python port (Qt-free, rendered in a worker
because its first call takes most of a second); pixmaps are made on the GUI
thread and cached per SIDC and size.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QByteArray, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from app.ui.workers import Runner


def symbol_svgs(sidcs: Iterable[str], size: int) -> dict[str, str]:
    import milsymbol

    out: dict[str, str] = {}
    for sidc in sidcs:
        try:
            out[sidc] = milsymbol.Symbol(sidc, size=size).as_svg()
        except Exception:
            out[sidc] = ""
    return out


class SymbolIcons(QObject):
    sig_ready = Signal()
    """New symbols were rendered; views should repaint their symbol column."""

    def __init__(self, runner: Runner, size: int = 22, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.size = size
        self._svg: dict[str, str] = {}
        self._pixmaps: dict[str, QPixmap] = {}
        self._pending: set[str] = set()
        self._waiting: set[str] = set()
        self.paused = True  # the first call costs most of a second: not while the map loads

    def pixmap(self, sidc: str) -> QPixmap | None:
        pix = self._pixmaps.get(sidc)
        if pix is not None:
            return pix
        svg = self._svg.get(sidc)
        if svg is None:
            self.request([sidc])
            return None
        pix = self._render(svg)
        self._pixmaps[sidc] = pix
        return pix

    def resume(self) -> None:
        """Start rendering (called once the map has painted the picture)."""
        if self.paused:
            self.paused = False
            waiting, self._waiting = self._waiting, set()
            self.request(waiting)

    def request(self, sidcs: Iterable[str]) -> None:
        wanted = {s for s in sidcs if s not in self._svg and s not in self._pending}
        if not wanted:
            return
        if self.paused:
            self._waiting |= wanted
            return
        self._pending |= wanted
        self.runner.submit(symbol_svgs, sorted(wanted), self.size * 2, on_done=self._arrived, pool="io")

    def _arrived(self, svgs: dict[str, str]) -> None:
        self._svg.update(svgs)
        self._pending -= set(svgs)
        self.sig_ready.emit()

    def _render(self, svg: str) -> QPixmap:
        renderer = QSvgRenderer(QByteArray(svg.encode()))
        box = renderer.defaultSize()
        height = self.size
        width = max(1, int(height * box.width() / max(1, box.height())))
        image = QImage(width * 2, height * 2, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, width * 2, height * 2))
        painter.end()
        pix = QPixmap.fromImage(image)
        pix.setDevicePixelRatio(2.0)
        return pix
