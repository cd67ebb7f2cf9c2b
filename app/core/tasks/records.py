"""Tasks given to units, and the workflow their status follows.

A task is ``draft`` until a unit is assigned, ``assigned`` until it starts,
``in_progress`` until it is ``complete``; at any point before that it can be
``blocked`` or ``cancelled``.  ``complete`` and ``cancelled`` are final: a final
task only moves again when it is *reopened* with a reason.  The whole rule set is
the table ``WORKFLOW`` below; ``check_transition`` applies it and says why a
change is refused.

``filter_tasks`` is the filter the Tasks table uses: pure Python, one pass per
criterion, no regular expression, so it stays fast on tens of thousands of rows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from typing import Any, Protocol, TypeVar

from app.core.common.geo import CoordinateError, validate_latlon
from app.core.common.markings import Releasability
from app.core.picture.records import ValidationError, checked_markings
from app.i18n import N_, _, language, pgettext

TASK_TYPES: tuple[str, ...] = (
    "escort",
    "patrol",
    "reconnaissance",
    "route clearance",
    "distribution",
    "medical evacuation",
    "engineering",
    "liaison",
    "search and rescue",
    "other",
)
PRIORITIES: tuple[str, ...] = ("routine", "priority", "immediate", "flash")
"""From the least to the most urgent."""
PRIORITY_RANK: dict[str, int] = {p: rank for rank, p in enumerate(PRIORITIES)}

STATUSES: tuple[str, ...] = ("draft", "assigned", "in_progress", "complete", "cancelled", "blocked")
FINAL_STATUSES: frozenset[str] = frozenset({"complete", "cancelled"})
STAFFED_STATUSES: frozenset[str] = frozenset({"assigned", "in_progress"})
"""A task in one of these statuses always has at least one assigned unit."""

LOCATION_TYPES = ("Point", "Polygon")
MAX_REFERENCE = 32
MAX_ID = 36
MAX_TITLE = 300
MAX_ORIGINATOR = 200


@cache
def _labels(kind: str, lang: str) -> dict[str, str]:
    """Value -> label in ``lang`` for ``kind`` (type, priority, status); contexts keep the
    values apart from same-spelled words elsewhere in the interface."""
    if kind == "type":
        return {
            "escort": pgettext("task type", "escort"),
            "patrol": pgettext("task type", "patrol"),
            "reconnaissance": pgettext("task type", "reconnaissance"),
            "route clearance": pgettext("task type", "route clearance"),
            "distribution": pgettext("task type", "distribution"),
            "medical evacuation": pgettext("task type", "medical evacuation"),
            "engineering": pgettext("task type", "engineering"),
            "liaison": pgettext("task type", "liaison"),
            "search and rescue": pgettext("task type", "search and rescue"),
            "other": pgettext("task type", "other"),
        }
    if kind == "priority":
        return {
            "routine": pgettext("task priority", "routine"),
            "priority": pgettext("task priority", "priority"),
            "immediate": pgettext("task priority", "immediate"),
            "flash": pgettext("task priority", "flash"),
        }
    return {
        "draft": pgettext("task status", "draft"),
        "assigned": pgettext("task status", "assigned"),
        "in_progress": pgettext("task status", "in progress"),
        "complete": pgettext("task status", "complete"),
        "cancelled": pgettext("task status", "cancelled"),
        "blocked": pgettext("task status", "blocked"),
    }


def type_label(value: str) -> str:
    """The task type in the user's language (unknown values as they are)."""
    return _labels("type", language()).get(value, value)


def priority_label(value: str) -> str:
    """The priority in the user's language (unknown values as they are)."""
    return _labels("priority", language()).get(value, value)


def status_label(value: str) -> str:
    """``in_progress`` -> ``in progress`` in the user's language (unknown values as they are)."""
    return _labels("status", language()).get(value, value)


# --------------------------------------------------------------------------- the workflow


class WorkflowError(ValidationError):
    """A status change the workflow refuses; the message says why."""


class Rule(Enum):
    """What a change of status from one status to another requires."""

    SAME = "same"  # not a change: nothing happens
    FREE = "free"  # always allowed
    UNITS = "units"  # allowed when at least one unit is assigned
    REOPEN = "reopen"  # leaves a final status: needs a reason
    REOPEN_UNITS = "reopen+units"  # reopen with a reason and at least one assigned unit
    NO = "no"  # refused, with the reason in REFUSALS


_S, _F, _U, _R, _RU, _N = Rule.SAME, Rule.FREE, Rule.UNITS, Rule.REOPEN, Rule.REOPEN_UNITS, Rule.NO

# fmt: off
WORKFLOW: dict[str, dict[str, Rule]] = {
    #   from \ to       draft  assigned  in_progress  complete  cancelled  blocked
    "draft":       dict(zip(STATUSES, (_S,   _U,       _N,          _N,       _F,        _F), strict=True)),
    "assigned":    dict(zip(STATUSES, (_N,   _S,       _U,          _N,       _F,        _F), strict=True)),
    "in_progress": dict(zip(STATUSES, (_N,   _N,       _S,          _F,       _F,        _F), strict=True)),
    "complete":    dict(zip(STATUSES, (_R,   _RU,      _RU,         _S,       _N,        _N), strict=True)),
    "cancelled":   dict(zip(STATUSES, (_R,   _RU,      _RU,         _N,       _S,        _N), strict=True)),
    "blocked":     dict(zip(STATUSES, (_N,   _U,       _U,          _N,       _F,        _S), strict=True)),
}
"""``WORKFLOW[old][new]``: the rule for changing a task's status from ``old`` to ``new``."""

# Why each refused (NO) change is refused.
REFUSALS: dict[tuple[str, str], str] = {
    ("draft", "in_progress"):    N_("a draft task must be assigned to a unit before it can start"),
    ("draft", "complete"):       N_("a draft task cannot be completed directly: assign it and start it first"),
    ("assigned", "draft"):       N_("an assigned task cannot go back to draft; cancel it instead"),
    ("assigned", "complete"):    N_("a task must be in progress before it can be completed"),
    ("in_progress", "draft"):    N_("a task in progress cannot go back to draft; block or cancel it instead"),
    ("in_progress", "assigned"): N_("a task in progress cannot go back to assigned; block it instead"),
    ("blocked", "draft"):        N_("a blocked task cannot go back to draft; cancel it instead"),
    ("blocked", "complete"):     N_("a blocked task must be resumed (in progress) before it can be completed"),
    ("complete", "cancelled"):   N_("a complete task is final; it cannot be cancelled"),
    ("complete", "blocked"):     N_("a complete task is final; reopen it first (with a reason)"),
    ("cancelled", "complete"):   N_("a cancelled task is final; reopen it first (with a reason)"),
    ("cancelled", "blocked"):    N_("a cancelled task is final; reopen it first (with a reason)"),
}
# fmt: on


def _check_status(value: str) -> None:
    if value not in STATUSES:
        raise WorkflowError(
            _("unknown status '{value}'; use one of: {statuses}").format(
                value=value, statuses=", ".join(STATUSES)
            )
        )


def check_transition(
    old_status: str,
    new_status: str,
    assigned_units: Sequence[str] | Collection[str],
    reason: str = "",
) -> None:
    """Raise ``WorkflowError`` (saying why) unless a task may go from ``old_status`` to ``new_status``.

    ``assigned_units`` are the units the task will have after the change; ``reason``
    is required to reopen a final (complete or cancelled) task.  The same status
    is not a change and is always accepted.
    """
    _check_status(old_status)
    _check_status(new_status)
    rule = WORKFLOW[old_status][new_status]
    if rule in (Rule.SAME, Rule.FREE):
        return

    def refuse(why: str) -> WorkflowError:
        return WorkflowError(
            _("cannot change the status from {old} to {new}: {why}").format(
                old=status_label(old_status), new=status_label(new_status), why=why
            )
        )

    if rule is Rule.NO:
        raise refuse(_(REFUSALS[(old_status, new_status)]))
    if rule in (Rule.REOPEN, Rule.REOPEN_UNITS) and not (reason or "").strip():
        raise refuse(
            _("a {status} task is final; reopening it needs a reason").format(
                status=status_label(old_status)
            )
        )
    if rule in (Rule.UNITS, Rule.REOPEN_UNITS) and not assigned_units:
        raise refuse(_("no unit is assigned; assign at least one unit first"))


def allowed_statuses(old_status: str, has_units: bool, has_reason: bool = False) -> list[str]:
    """The statuses a task may move to now (for menus and the board), in workflow order."""
    result = []
    for new in STATUSES:
        try:
            check_transition(
                old_status, new, ["unit"] if has_units else [], "reason" if has_reason else ""
            )
        except WorkflowError:
            continue
        if new != old_status:
            result.append(new)
    return result


def is_overdue(status: str, due: datetime | None, now: datetime) -> bool:
    """Due in the past and neither complete nor cancelled."""
    return due is not None and due < now and status not in FINAL_STATUSES


# --------------------------------------------------------------------------- the record


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _check_location(geom: Any) -> tuple[float, float]:
    """Validate a GeoJSON Point or Polygon; returns its (lat, lon) centroid."""
    if not isinstance(geom, dict) or geom.get("type") not in LOCATION_TYPES:
        raise ValidationError(_("the location must be a GeoJSON Point or Polygon"))
    coords = geom.get("coordinates")
    if geom["type"] == "Point":
        if not isinstance(coords, (list, tuple)) or len(coords) < 2:
            raise ValidationError(_("the location point needs [longitude, latitude]"))
        try:
            lon, lat = float(coords[0]), float(coords[1])
            validate_latlon(lat, lon)
        except CoordinateError as exc:
            raise ValidationError(_("location: {error}").format(error=exc)) from exc
        except (TypeError, ValueError) as exc:
            raise ValidationError(_("the location point needs [longitude, latitude]")) from exc
        return lat, lon
    if not isinstance(coords, list) or not coords:
        raise ValidationError(_("the location polygon has no coordinates"))
    for ring in coords:
        if not isinstance(ring, list) or len(ring) < 4:
            raise ValidationError(_("the location polygon needs at least 3 distinct points"))
        for point in ring:
            if not isinstance(point, (list, tuple)) or len(point) < 2:
                raise ValidationError(_("a location vertex is not a [longitude, latitude] pair"))
            try:
                validate_latlon(float(point[1]), float(point[0]))
            except (TypeError, ValueError) as exc:
                raise ValidationError(_("location: {error}").format(error=exc)) from exc
    from shapely.geometry import shape

    try:
        shp = shape(geom)
    except Exception as exc:
        raise ValidationError(_("the location cannot be read ({error})").format(error=exc)) from exc
    if shp.is_empty or shp.area == 0 or not shp.is_valid:
        raise ValidationError(_("the location polygon is not a valid area"))
    centre = shp.centroid
    return centre.y, centre.x


@dataclass
class TaskData:
    """A task as the user, an import or the demo gives it; ``validate()`` checks it.

    ``assigned_units`` are unit ids, in order; an id the store does not know yet is
    kept for later linking.  ``reference`` ``None`` means "number it" for a new
    task and "keep it" for an existing one.  ``location`` is a GeoJSON Point or
    Polygon (or ``None``).  Times are aware UTC datetimes (naive ones are taken as UTC).
    """

    id: str | None = None
    reference: str | None = None
    title: str = ""
    type: str = "other"
    description: str = ""
    priority: str = "routine"
    status: str = "draft"
    assigned_units: list[str] = field(default_factory=list)
    originator: str = ""
    location: dict[str, Any] | None = None
    start: datetime | None = None
    due: datetime | None = None
    classification: str = "UNCLASSIFIED"
    releasable_to: Releasability | str | list[str] = "PUBLIC"
    centroid: tuple[float, float] | None = field(default=None, repr=False, compare=False)

    def validate(self) -> TaskData:
        """Check every rule and normalise; raises ``ValidationError`` naming the field and value."""
        self.title = " ".join(str(self.title or "").split())
        if not self.title:
            raise ValidationError(_("a task needs a title"))
        if len(self.title) > MAX_TITLE:
            raise ValidationError(_("the title is longer than {n} characters").format(n=MAX_TITLE))
        if self.id is not None:
            self.id = str(self.id).strip() or None
            if self.id and len(self.id) > MAX_ID:
                raise ValidationError(_("task id '{value}' is too long").format(value=self.id))
        if self.reference is not None:
            self.reference = str(self.reference).strip() or None
            if self.reference and len(self.reference) > MAX_REFERENCE:
                raise ValidationError(
                    _("reference '{value}' is longer than {n} characters").format(
                        value=self.reference, n=MAX_REFERENCE
                    )
                )
        if self.type not in TASK_TYPES:
            raise ValidationError(
                _("unknown task type '{value}'; use one of: {types}").format(
                    value=self.type, types=", ".join(TASK_TYPES)
                )
            )
        if self.priority not in PRIORITIES:
            raise ValidationError(
                _("unknown priority '{value}'; use one of: {priorities}").format(
                    value=self.priority, priorities=", ".join(PRIORITIES)
                )
            )
        _check_status(self.status)
        units: list[str] = []
        for unit in self.assigned_units or []:
            unit = str(unit).strip()
            if unit and unit not in units:
                if len(unit) > MAX_ID:
                    raise ValidationError(_("unit id '{value}' is too long").format(value=unit))
                units.append(unit)
        self.assigned_units = units
        if self.status in STAFFED_STATUSES and not units:
            raise WorkflowError(
                _("a task that is {status} needs at least one assigned unit").format(
                    status=status_label(self.status)
                )
            )
        self.description = str(self.description or "")
        self.originator = str(self.originator or "").strip()
        if len(self.originator) > MAX_ORIGINATOR:
            raise ValidationError(
                _("the originator is longer than {n} characters").format(n=MAX_ORIGINATOR)
            )
        if self.location is not None:
            self.centroid = _check_location(self.location)
            self.location = json.loads(json.dumps(self.location))
        else:
            self.centroid = None
        self.start, self.due = _aware(self.start), _aware(self.due)
        if self.start and self.due and self.due < self.start:
            raise ValidationError(_("it is due before it starts"))
        self.classification, self.releasable_to = checked_markings(
            self.classification, self.releasable_to
        )
        return self

    def columns(self) -> dict[str, Any]:
        """The task's own columns (not the reference, not the assigned units)."""
        lat, lon = self.centroid if self.centroid else (None, None)
        return {
            "title": self.title,
            "type": self.type,
            "description": self.description,
            "priority": self.priority,
            "status": self.status,
            "originator": self.originator,
            "location": json.dumps(self.location, separators=(",", ":")) if self.location else None,
            "lat": lat,
            "lon": lon,
            "start": self.start,
            "due": self.due,
            "classification": self.classification,
            "releasable_to": self.releasable_to,
        }


# --------------------------------------------------------------------------- filtering


class FilterableTask(Protocol):
    """What ``filter_tasks`` reads from a row (``TaskRow`` in the store has it)."""

    @property
    def status(self) -> str: ...
    @property
    def priority(self) -> str: ...
    @property
    def due(self) -> datetime | None: ...
    @property
    def assigned_units(self) -> Sequence[str]: ...
    @property
    def overdue(self) -> bool: ...
    @property
    def search_text(self) -> str: ...


T = TypeVar("T", bound=FilterableTask)


def search_text(*parts: str | None) -> str:
    """The lower-case text a row is searched in (built once per row)."""
    return "\x1f".join(p for p in parts if p).casefold()


def _as_set(value: str | Iterable[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset({value}) if value else None
    found = frozenset(value)
    return found or None


def filter_tasks(
    rows: Sequence[T],
    status: str | Iterable[str] | None = None,
    priority: str | Iterable[str] | None = None,
    unit_id: str | None = None,
    overdue: bool | None = None,
    text: str = "",
    now: datetime | None = None,
) -> list[T]:
    """The rows matching every given criterion, in their order.

    ``status`` / ``priority``: one value or several; ``unit_id``: tasks assigned to
    that unit; ``overdue``: True for overdue only, False for not overdue; ``text``:
    every word must appear (case-insensitive) in the reference, title, description,
    type, originator or an assigned unit's callsign.  ``overdue`` uses each row's
    own flag, or is recomputed for ``now`` when given.
    """
    result: list[T] = list(rows)
    statuses = _as_set(status)
    if statuses is not None:
        result = [r for r in result if r.status in statuses]
    priorities = _as_set(priority)
    if priorities is not None:
        result = [r for r in result if r.priority in priorities]
    if unit_id:
        result = [r for r in result if unit_id in r.assigned_units]
    if overdue is not None:
        if now is None:
            result = [r for r in result if r.overdue is overdue]
        else:
            result = [r for r in result if is_overdue(r.status, r.due, now) is overdue]
    words = text.casefold().split() if text else []
    for word in words:
        result = [r for r in result if word in r.search_text]
    return result


def sort_key_urgency(row: FilterableTask) -> tuple[int, float]:
    """Most urgent first: priority (flash first), then the earliest due (none last)."""
    due = row.due.timestamp() if row.due else math.inf
    return (-PRIORITY_RANK.get(row.priority, 0), due)
