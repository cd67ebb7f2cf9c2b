"""The classification banner shown above and below the picture."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from app.core.common.markings import Level, banner_colour


class ClassificationBanner(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("classificationBanner")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumHeight(22)
        self.set_marking("UNCLASSIFIED", Level.UNCLASSIFIED)

    def set_marking(self, text: str, level: int) -> None:
        self.setText(text)
        colour = banner_colour(Level(int(level)))
        fg = "#000000" if Level(int(level)) == Level.TOP_SECRET else "#ffffff"
        self.setStyleSheet(
            f"QLabel#classificationBanner {{ background: {colour}; color: {fg};"
            " font-weight: bold; font-size: 13px; letter-spacing: 1px; padding: 2px; }"
        )
