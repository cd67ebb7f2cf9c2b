"""Humanitarian supply: the words, the defaults and the rules of each record.

After Sahana Eden's inv/req/supply modules and PAHO LSS/SUMA (DESIGN §3).
Quantities are whole numbers of an item's base unit (``L``, ``kg``, ``ration``,
``each``...), never floats; per-person standards are ``Decimal``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from app.core.common.geo import CoordinateError, validate_latlon
from app.core.common.markings import Releasability
from app.core.picture.records import ValidationError, checked_markings
from app.i18n import _, pgettext

CATEGORIES = ("food", "water", "wash", "shelter", "medical", "fuel", "other")
SITE_KINDS = ("warehouse", "distribution_point", "airhead", "port", "field_hospital")
MODES = ("road", "air", "sea", "rail")
SHIPMENT_STATUSES = ("planned", "in_transit", "arrived", "cancelled")
FINAL_SHIPMENT_STATUSES = frozenset({"arrived", "cancelled"})
MOVEMENT_KINDS = ("receipt", "issue", "transfer_out", "transfer_in", "adjustment")
OUTGOING = frozenset({"issue", "transfer_out"})
ADJUSTMENT_REASONS = ("lost", "damaged", "expired", "found", "count")
LOSSES = frozenset({"lost", "damaged", "expired"})
PRIORITIES = ("low", "medium", "high", "critical")
REQUEST_STATUSES = ("open", "partial", "fulfilled", "cancelled")

# per person per day; editable (``SupplyStandard`` rows override these)
DEFAULT_STANDARDS: dict[str, tuple[str, str, str]] = {
    "water": ("15", "L", "Sphere: 15 litres per person per day"),
    "food": ("2100", "kcal", "Sphere: 2,100 kcal per person per day"),
}

# days of supply: below RED is red, below AMBER amber (and a reorder alert)
RED_DAYS = 3.0
AMBER_DAYS = 7.0
REORDER_DAYS = AMBER_DAYS


def category_label(value: str) -> str:
    return {
        "food": pgettext("supply category", "food"),
        "water": pgettext("supply category", "water"),
        "wash": pgettext("supply category", "WASH"),
        "shelter": pgettext("supply category", "shelter"),
        "medical": pgettext("supply category", "medical"),
        "fuel": pgettext("supply category", "fuel"),
        "other": pgettext("supply category", "other"),
    }.get(value, value)


def site_kind_label(value: str) -> str:
    return {
        "warehouse": _("warehouse"),
        "distribution_point": _("distribution point"),
        "airhead": _("airhead"),
        "port": _("port"),
        "field_hospital": _("field hospital"),
    }.get(value, value)


def mode_label(value: str) -> str:
    return {"road": _("road"), "air": _("air"), "sea": _("sea"), "rail": _("rail")}.get(
        value, value
    )


def shipment_status_label(value: str) -> str:
    return {
        "planned": pgettext("shipment", "planned"),
        "in_transit": pgettext("shipment", "in transit"),
        "arrived": pgettext("shipment", "arrived"),
        "cancelled": pgettext("shipment", "cancelled"),
    }.get(value, value)


def priority_label(value: str) -> str:
    return {
        "low": pgettext("need", "low"),
        "medium": pgettext("need", "medium"),
        "high": pgettext("need", "high"),
        "critical": pgettext("need", "critical"),
    }.get(value, value)


def request_status_label(value: str) -> str:
    return {
        "open": pgettext("need", "open"),
        "partial": pgettext("need", "partly fulfilled"),
        "fulfilled": pgettext("need", "fulfilled"),
        "cancelled": pgettext("need", "cancelled"),
    }.get(value, value)


def movement_kind_label(value: str) -> str:
    return {
        "receipt": _("receipt"),
        "issue": _("issue"),
        "transfer_out": _("transfer out"),
        "transfer_in": _("transfer in"),
        "adjustment": _("adjustment"),
    }.get(value, value)


# ------------------------------------------------------------------ parsing
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([ ,\u00a0\u202f]\d{3})+$")


def parse_quantity(value: Any, what: str | None = None, allow_negative: bool = False) -> int:
    """A whole number of base units from an int or text (``1200``, ``1,200``, ``1 200``).

    Refuses fractions, floats, text and (unless ``allow_negative``) negative numbers.
    """
    label = what or _("quantity")
    if isinstance(value, bool):
        raise ValidationError(
            _("{what} must be a whole number, not '{value}'").format(what=label, value=value)
        )
    if isinstance(value, int):
        number = value
    elif isinstance(value, Decimal) and value == value.to_integral_value():
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if _THOUSANDS.match(text):
            text = re.sub(r"[ ,\u00a0\u202f]", "", text)
        try:
            parsed = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                _("{what} must be a whole number, not '{value}'").format(what=label, value=value)
            ) from None
        if not parsed.is_finite() or parsed != parsed.to_integral_value():
            raise ValidationError(
                _("{what} must be a whole number of base units, not '{value}'").format(
                    what=label, value=value
                )
            )
        number = int(parsed)
    else:
        raise ValidationError(
            _("{what} must be a whole number, not '{value}'").format(what=label, value=value)
        )
    if number < 0 and not allow_negative:
        raise ValidationError(
            _("{what} cannot be negative ({value})").format(what=label, value=value)
        )
    if abs(number) > 10**15:
        raise ValidationError(_("{what} is too large ({value})").format(what=label, value=value))
    return number


def parse_standard(value: Any) -> Decimal:
    """A per-person daily standard: a positive decimal number."""
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(
            _("a standard must be a number, not '{value}'").format(value=value)
        ) from None
    if not number.is_finite() or number <= 0:
        raise ValidationError(
            _("a standard must be more than zero, not '{value}'").format(value=value)
        )
    return number


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def parse_date(value: Any) -> datetime | None:
    """A date in any common form (``2015-03-01``, ``1 March 2015``, ``01/03/2015`` day first,
    ISO 8601 with a time) as an aware UTC datetime; None for an empty value."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    text = str(value).strip()
    if not text:
        return None
    if _ISO_DATE.match(text):
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        from hxl.datatypes import normalise_date

        iso = normalise_date(text, dayfirst=True)
        return datetime.combine(date.fromisoformat(iso[:10]), time(), tzinfo=UTC)
    except Exception:  # libhxl raises dateutil's errors and plain ValueError
        raise ValidationError(_("'{value}' is not a date").format(value=value)) from None


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    text = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
    if text == "wash" or text in allowed:
        return text
    raise ValidationError(
        _("unknown {what} '{value}'; use one of: {allowed}").format(
            what=what, value=value, allowed=", ".join(allowed)
        )
    )


def _text(value: Any, what: str, limit: int, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(_("{what} is missing").format(what=what))
    if len(text) > limit:
        raise ValidationError(
            _("{what} is longer than {limit} characters").format(what=what, limit=limit)
        )
    return text


@dataclass
class Marked:
    classification: str = "UNCLASSIFIED"
    releasable_to: Releasability | str | list[str] = "PUBLIC"

    def _check_markings(self) -> None:
        self.classification, self.releasable_to = checked_markings(
            self.classification, self.releasable_to
        )

    def marking_columns(self) -> dict[str, Any]:
        return {"classification": self.classification, "releasable_to": self.releasable_to}


@dataclass
class ItemData(Marked):
    code: str = ""
    name: str = ""
    category: str = "other"
    unit: str = "each"
    pack_name: str = ""
    pack_size: int = 1
    standard: str | None = None
    kcal_per_unit: int | None = None
    id: str | None = None

    def validate(self) -> ItemData:
        self.code = _text(self.code, _("item code"), 64, required=True)
        self.name = _text(self.name, _("item name"), 200) or self.code
        self.category = _choice(self.category, CATEGORIES, _("category"))
        self.unit = _text(self.unit, _("unit"), 32, required=True)
        self.pack_name = _text(self.pack_name, _("pack"), 32)
        self.pack_size = parse_quantity(self.pack_size, _("pack size"))
        if self.pack_size < 1:
            raise ValidationError(_("pack size must be at least 1"))
        self.standard = _text(self.standard, _("standard"), 32).lower() or None
        if self.kcal_per_unit is not None:
            self.kcal_per_unit = parse_quantity(self.kcal_per_unit, _("kcal per unit")) or None
        self._check_markings()
        return self

    def columns(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "category": self.category,
            "unit": self.unit,
            "pack_name": self.pack_name,
            "pack_size": self.pack_size,
            "standard": self.standard,
            "kcal_per_unit": self.kcal_per_unit,
            **self.marking_columns(),
        }


@dataclass
class SiteData(Marked):
    name: str = ""
    kind: str = "warehouse"
    lat: float | None = None
    lon: float | None = None
    capacity: int | None = None
    organisation: str = ""
    admin1: str = ""
    country: str = ""
    people_in_need: int | None = None
    people_targeted: int | None = None
    id: str | None = None

    def validate(self) -> SiteData:
        self.name = _text(self.name, _("site name"), 200, required=True)
        self.kind = _choice(self.kind, SITE_KINDS, _("kind of site"))
        if (self.lat is None) != (self.lon is None):
            raise ValidationError(_("a site needs both latitude and longitude, or neither"))
        if self.lat is not None and self.lon is not None:
            try:
                validate_latlon(self.lat, self.lon)
                self.lat, self.lon = float(self.lat), float(self.lon)
            except (CoordinateError, TypeError, ValueError) as exc:
                raise ValidationError(str(exc)) from exc
        for name in ("capacity", "people_in_need", "people_targeted"):
            value = getattr(self, name)
            if value is not None and value != "":
                setattr(self, name, parse_quantity(value, name.replace("_", " ")))
            else:
                setattr(self, name, None)
        self.organisation = _text(self.organisation, _("organisation"), 200)
        self.admin1 = _text(self.admin1, _("admin area"), 200)
        self.country = _text(self.country, _("country"), 64)
        self._check_markings()
        return self

    def columns(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "lat": self.lat,
            "lon": self.lon,
            "capacity": self.capacity,
            "organisation": self.organisation,
            "admin1": self.admin1,
            "country": self.country,
            "people_in_need": self.people_in_need,
            "people_targeted": self.people_targeted,
            **self.marking_columns(),
        }


@dataclass
class MovementData(Marked):
    """One ledger entry; ``quantity`` is the amount moved (positive), signed only for adjustments."""

    site_id: str = ""
    item_id: str = ""
    kind: str = "receipt"
    quantity: int = 0
    at: datetime | None = None
    reason: str = ""
    lot: str = ""
    expiry: datetime | None = None
    shipment_id: str | None = None
    note: str = ""
    id: str | None = None

    def validate(self) -> MovementData:
        if self.kind not in MOVEMENT_KINDS:
            raise ValidationError(
                _("unknown movement '{value}'; use one of: {allowed}").format(
                    value=self.kind, allowed=", ".join(MOVEMENT_KINDS)
                )
            )
        if not self.site_id or not self.item_id:
            raise ValidationError(_("a stock movement needs a site and an item"))
        if self.kind == "adjustment":
            self.quantity = parse_quantity(self.quantity, allow_negative=True)
            if self.reason not in ADJUSTMENT_REASONS:
                raise ValidationError(
                    _("an adjustment needs a reason: {allowed}").format(
                        allowed=", ".join(ADJUSTMENT_REASONS)
                    )
                )
            if self.reason in LOSSES and self.quantity > 0:
                raise ValidationError(_("a loss takes stock away: its quantity must be negative"))
            if self.reason == "found" and self.quantity < 0:
                raise ValidationError(_("stock found adds to stock: its quantity must be positive"))
        else:
            self.quantity = parse_quantity(self.quantity)
        if self.quantity == 0:
            raise ValidationError(_("a stock movement must move something"))
        self.lot = _text(self.lot, _("lot"), 64)
        self.note = _text(self.note, _("note"), 2000)
        self._check_markings()
        return self

    @property
    def signed(self) -> int:
        """The change to stock on hand."""
        if self.kind == "adjustment":
            return self.quantity
        return -self.quantity if self.kind in OUTGOING else self.quantity


@dataclass
class LineData:
    item_id: str
    quantity: int
    received: int | None = None
    discrepancy_reason: str = ""
    lot: str = ""
    expiry: datetime | None = None
    request_id: str | None = None
    id: str | None = None

    def validate(self) -> LineData:
        self.quantity = parse_quantity(self.quantity)
        if self.quantity == 0:
            raise ValidationError(_("a shipment line must carry something"))
        if self.received is not None:
            self.received = parse_quantity(self.received, _("quantity received"))
        self.lot = _text(self.lot, _("lot"), 64)
        return self


@dataclass
class ShipmentData(Marked):
    waybill: str = ""
    destination_site_id: str = ""
    origin_site_id: str | None = None
    origin_name: str = ""
    mode: str = "road"
    status: str = "planned"
    departure: datetime | None = None
    eta: datetime | None = None
    arrived_at: datetime | None = None
    note: str = ""
    lines: list[LineData] = field(default_factory=list)
    id: str | None = None

    def validate(self) -> ShipmentData:
        self.waybill = _text(self.waybill, _("waybill"), 64, required=True)
        if not self.destination_site_id:
            raise ValidationError(_("a shipment needs a destination"))
        if self.origin_site_id and self.origin_site_id == self.destination_site_id:
            raise ValidationError(_("a shipment cannot go to the site it leaves from"))
        self.mode = _choice(self.mode, MODES, _("transport mode"))
        self.status = _choice(self.status, SHIPMENT_STATUSES, _("shipment status"))
        if self.departure and self.eta and self.eta < self.departure:
            raise ValidationError(_("the ETA is before the departure"))
        self.origin_name = _text(self.origin_name, _("origin"), 200)
        self.note = _text(self.note, _("note"), 2000)
        if not self.lines:
            raise ValidationError(_("a shipment needs at least one line"))
        for line in self.lines:
            line.validate()
        self._check_markings()
        return self

    def columns(self) -> dict[str, Any]:
        return {
            "waybill": self.waybill,
            "origin_site_id": self.origin_site_id or None,
            "origin_name": self.origin_name,
            "destination_site_id": self.destination_site_id,
            "mode": self.mode,
            "status": self.status,
            "departure": self.departure,
            "eta": self.eta,
            "arrived_at": self.arrived_at,
            "note": self.note,
            **self.marking_columns(),
        }


@dataclass
class RequestData(Marked):
    site_id: str = ""
    item_id: str = ""
    quantity: int = 0
    priority: str = "medium"
    required_by: datetime | None = None
    status: str = "open"
    note: str = ""
    id: str | None = None

    def validate(self) -> RequestData:
        if not self.site_id or not self.item_id:
            raise ValidationError(_("a request needs a site and an item"))
        self.quantity = parse_quantity(self.quantity)
        self.priority = _choice(self.priority, PRIORITIES, _("priority"))
        self.status = _choice(self.status, REQUEST_STATUSES, _("request status"))
        self.note = _text(self.note, _("note"), 2000)
        self._check_markings()
        return self

    def columns(self) -> dict[str, Any]:
        return {
            "site_id": self.site_id,
            "item_id": self.item_id,
            "quantity": self.quantity,
            "priority": self.priority,
            "required_by": self.required_by,
            "status": self.status,
            "note": self.note,
            **self.marking_columns(),
        }


@dataclass
class PresenceData(Marked):
    organisation: str = ""
    sector: str = ""
    place: str = ""
    admin1: str = ""
    country: str = ""
    in_need: int | None = None
    affected: int | None = None
    targeted: int | None = None
    reached: int | None = None
    as_of: datetime | None = None
    id: str | None = None

    def validate(self) -> PresenceData:
        self.organisation = _text(self.organisation, _("organisation"), 200, required=True)
        self.sector = _text(self.sector, _("sector"), 100)
        self.place = _text(self.place, _("place"), 200)
        self.admin1 = _text(self.admin1, _("admin area"), 200)
        self.country = _text(self.country, _("country"), 64)
        if not (self.place or self.admin1 or self.country):
            raise ValidationError(_("a presence row needs a place, an admin area or a country"))
        for name in ("in_need", "affected", "targeted", "reached"):
            value = getattr(self, name)
            setattr(
                self,
                name,
                None if value in (None, "") else parse_quantity(value, name.replace("_", " ")),
            )
        self._check_markings()
        return self

    def columns(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "sector": self.sector,
            "place": self.place,
            "admin1": self.admin1,
            "country": self.country,
            "in_need": self.in_need,
            "affected": self.affected,
            "targeted": self.targeted,
            "reached": self.reached,
            "as_of": self.as_of,
            **self.marking_columns(),
        }
