"""First-run behaviour: offer the demo picture on an empty store."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox

from app.core.picture.queries import is_empty
from app.i18n import _


def offer_demo(window: Any, auto: bool = False) -> None:
    def decided(empty: bool) -> None:
        if not empty:
            return
        if auto:
            window.load_demo()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Empty store"),
            _(
                "This store holds no units or zones yet. Load the demo picture (Operation CORAL SHIELD)?"
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            window,
        )

        def clicked(button: Any) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Yes:
                window.load_demo()

        box.buttonClicked.connect(clicked)
        box.open()

    window.ctx.runner.submit(is_empty, window.ctx.store, on_done=decided)
