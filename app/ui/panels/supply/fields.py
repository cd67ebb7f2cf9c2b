"""Fields shared by the Supply dock's forms: choice boxes of values, sites and items,
and how whole numbers and DTGs typed in a field are read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox, QWidget

from app.core.common.dtg import DTGError, parse_dtg
from app.core.picture.records import ValidationError
from app.core.supply.records import parse_quantity
from app.i18n import _

if TYPE_CHECKING:
    from app.core.supply.indicators import SiteSummary
    from app.core.supply.queries import ItemRow

UNITS = ("each", "L", "kg", "ration", "box", "kit", "carton", "m³")


def combo(
    parent: QWidget, values: Sequence[str], label: Callable[[str], str], current: str | None
) -> QComboBox:
    box = QComboBox(parent)
    for value in values:
        box.addItem(label(value), value)
    if current is not None:
        box.setCurrentIndex(max(0, box.findData(current)))
    return box


def count_field(text: str, what: str) -> int | None:
    """A whole number typed in a field (``1,200`` or ``1 200`` too); None when empty."""
    text = text.strip()
    return None if not text else parse_quantity(text, what)


def number_text(value: int | None) -> str:
    return "" if value is None else str(value)


def when_field(text: str, what: str) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        return parse_dtg(text)
    except DTGError as exc:
        raise ValidationError(_("{what}: {error}").format(what=what, error=exc)) from exc


def site_combo(
    parent: QWidget,
    sites: Sequence[SiteSummary],
    current: str | None = None,
    none: str | None = None,
) -> QComboBox:
    box = QComboBox(parent)
    if none is not None:
        box.addItem(none, None)
    for s in sorted(sites, key=lambda s: s.name.lower()):
        box.addItem(s.name, s.site_id)
    if current:
        box.setCurrentIndex(max(0, box.findData(current)))
    return box


def item_combo(parent: QWidget, items: Sequence[ItemRow], current: str | None = None) -> QComboBox:
    box = QComboBox(parent)
    for i in sorted(items, key=lambda i: i.name.lower()):
        box.addItem(f"{i.name} ({i.unit})", i.id)
    if current:
        box.setCurrentIndex(max(0, box.findData(current)))
    return box
