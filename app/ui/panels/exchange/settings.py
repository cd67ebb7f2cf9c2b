"""The live feed's settings: protocol, address, certificates, opt-in sending."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.core.exchange.feed import DEFAULT_GROUP, DEFAULT_PORT, FeedConfig
from app.core.formats.errors import InteropError
from app.i18n import _

PREFIX = "feed/"


def setting_bool(value: object) -> bool:
    """A boolean as QSettings gives it back (a bool, or text on some platforms)."""
    return value in (True, "true", "1", 1)


def load_config(settings: QSettings) -> FeedConfig:
    """The saved feed settings (defaults: UDP multicast 239.2.3.1:6969, sending off)."""

    def value(key: str, default: object) -> object:
        return settings.value(PREFIX + key, default)

    def number(key: str, default: int) -> int:
        try:
            return int(value(key, default))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return default

    return FeedConfig(
        protocol=str(value("protocol", "udp")),
        host=str(value("host", DEFAULT_GROUP)),
        port=number("port", DEFAULT_PORT),
        interface=str(value("interface", "0.0.0.0")),
        certfile=str(value("certfile", "")),
        keyfile=str(value("keyfile", "")),
        cafile=str(value("cafile", "")),
        check_hostname=setting_bool(value("check_hostname", True)),
        send_own=setting_bool(value("send_own", False)),
        send_interval_s=number("send_interval_s", 30),
        max_rate=number("max_rate", 5000),
        batch_ms=number("batch_ms", 500),
    )


def save_config(settings: QSettings, config: FeedConfig) -> None:
    for key in (
        "protocol",
        "host",
        "port",
        "interface",
        "certfile",
        "keyfile",
        "cafile",
        "check_hostname",
        "send_own",
        "send_interval_s",
        "max_rate",
        "batch_ms",
    ):
        settings.setValue(PREFIX + key, getattr(config, key))


class FeedSettingsDialog(QDialog):
    def __init__(
        self, config: FeedConfig, connect_at_start: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Live feed settings"))
        self.setMinimumWidth(520)
        self.protocol = QComboBox(self)
        for key, label in (
            ("udp", _("UDP (multicast or local address)")),
            ("tcp", _("TCP to a TAK server")),
            ("tls", _("TLS to a TAK server (certificates)")),
        ):
            self.protocol.addItem(label, key)
        self.protocol.setCurrentIndex(max(0, self.protocol.findData(config.protocol)))
        self.host = QLineEdit(config.host, self)
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        self.port.setValue(config.port)
        self.interface = QLineEdit(config.interface, self)
        self.certfile = QLineEdit(config.certfile, self)
        self.keyfile = QLineEdit(config.keyfile, self)
        self.cafile = QLineEdit(config.cafile, self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(_("only if the key is protected (not saved)"))
        self.check_hostname = QCheckBox(_("Check that the server's certificate names it"), self)
        self.check_hostname.setChecked(config.check_hostname)
        self.send_own = QCheckBox(_("Send our own units on this connection"), self)
        self.send_own.setChecked(config.send_own)
        self.interval = QSpinBox(self)
        self.interval.setRange(5, 3600)
        self.interval.setSuffix(_(" s"))
        self.interval.setValue(config.send_interval_s)
        self.max_rate = QSpinBox(self)
        self.max_rate.setRange(10, 100_000)
        self.max_rate.setSingleStep(500)
        self.max_rate.setValue(config.max_rate)
        self.at_start = QCheckBox(_("Connect when the application starts"), self)
        self.at_start.setChecked(connect_at_start)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b71c1c;")
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(_("Protocol"), self.protocol)
        form.addRow(_("Host or group"), self.host)
        form.addRow(_("Port"), self.port)
        form.addRow(_("Multicast interface"), self.interface)
        form.addRow(
            _("Client certificate"),
            self._with_browse(self.certfile, _("Certificates (*.pem *.crt *.p12 *.pfx)")),
        )
        form.addRow(_("Private key"), self._with_browse(self.keyfile, _("Keys (*.pem *.key)")))
        form.addRow(_("Server CA"), self._with_browse(self.cafile, _("Certificates (*.pem *.crt)")))
        form.addRow(_("Key password"), self.password)
        form.addRow("", self.check_hostname)
        form.addRow("", self.send_own)
        form.addRow(_("Send every"), self.interval)
        form.addRow(_("Events kept per second"), self.max_rate)
        form.addRow("", self.at_start)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.send_own.toggled.connect(self.interval.setEnabled)
        self.interval.setEnabled(config.send_own)
        self.protocol.currentIndexChanged.connect(self._protocol_changed)
        self._protocol_changed()
        self.config: FeedConfig | None = None

    def _with_browse(self, edit: QLineEdit, filter_text: str) -> QWidget:
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit)
        button = QPushButton(_("Browse…"), box)
        button.clicked.connect(lambda: self._browse(edit, filter_text))
        row.addWidget(button)
        return box

    def _browse(self, edit: QLineEdit, filter_text: str) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Choose a file"), edit.text(), filter_text
        )
        if path:
            edit.setText(path)

    def _protocol_changed(self) -> None:
        tls = self.protocol.currentData() == "tls"
        for widget in (
            self.certfile,
            self.keyfile,
            self.cafile,
            self.password,
            self.check_hostname,
        ):
            widget.setEnabled(tls)
        self.interface.setEnabled(self.protocol.currentData() == "udp")

    def current(self) -> FeedConfig:
        return FeedConfig(
            protocol=str(self.protocol.currentData()),
            host=self.host.text().strip(),
            port=self.port.value(),
            interface=self.interface.text().strip() or "0.0.0.0",
            certfile=self.certfile.text().strip(),
            keyfile=self.keyfile.text().strip(),
            cafile=self.cafile.text().strip(),
            password=self.password.text(),
            check_hostname=self.check_hostname.isChecked(),
            send_own=self.send_own.isChecked(),
            send_interval_s=self.interval.value(),
            max_rate=self.max_rate.value(),
        )

    def _accept(self) -> None:
        try:
            self.config = self.current().validate()
        except InteropError as exc:
            self.error.setText(str(exc))
            return
        self.accept()
