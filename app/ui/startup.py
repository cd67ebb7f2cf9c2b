"""First-run behaviour: ask who this site is, and offer the demo picture on an empty store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.core.common.markings import MarkingError, normalise_partner
from app.core.picture.queries import is_empty
from app.core.store.identity import set_site
from app.i18n import _


class SiteDialog(QDialog):
    """The site's name and partner, prefilled, checked as ``site set`` checks them."""

    def __init__(self, name: str, partner: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("siteDialog")
        self.setWindowTitle(_("This site"))
        self.setModal(True)
        intro = QLabel(
            _(
                "Partners see this site under its name and partner. The partner cannot "
                "change once the site has exchanged bundles or synced."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.name_edit = QLineEdit(name, self)
        self.name_edit.setMaxLength(200)
        self.partner_edit = QLineEdit(partner, self)
        self.partner_edit.setPlaceholderText(_("e.g. NATO, UN, FRA"))
        self.error = QLabel(self)
        self.error.setObjectName("siteError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #c62828;")
        self.error.hide()
        form = QFormLayout()
        form.addRow(_("Site name"), self.name_edit)
        form.addRow(_("Partner"), self.partner_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        later = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        later.setText(_("Ask me later"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.values: tuple[str, str] | None = None

    def accept(self) -> None:
        name = self.name_edit.text().strip()
        problem = _("the site name cannot be empty") if not name else None
        partner = ""
        if problem is None:
            try:
                partner = normalise_partner(self.partner_edit.text())
            except MarkingError as exc:
                problem = str(exc)
        if problem is not None:
            self.error.setText(problem)
            self.error.show()
            return
        self.values = (name, partner)
        super().accept()


def offer_site(window: Any, then: Callable[[], None] | None = None) -> SiteDialog | None:
    """Ask for the site's name and partner if no person has set them yet (a new store
    has the host name and NATO).  Written in the worker; the status bar follows.
    ``then`` runs once the question is settled (at once if it is not asked)."""
    store = window.ctx.store
    if store.site.confirmed:
        if then:
            then()
        return None
    dialog = SiteDialog(store.site.site_name, store.site.partner, window)

    def done(_site: Any) -> None:
        window.show_site()
        window.ctx.sig_status.emit(
            _("This site is {site} ({partner}).").format(
                site=store.site.site_name, partner=store.site.partner
            )
        )

    def finished(result: int) -> None:
        if result == QDialog.DialogCode.Accepted and dialog.values is not None:
            name, partner = dialog.values
            window.ctx.runner.submit(set_site, store, name=name, partner=partner, on_done=done)
        dialog.deleteLater()
        if then:
            then()

    dialog.finished.connect(finished)
    dialog.open()  # window-modal, without a nested event loop
    return dialog


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
