"""A slide's content from a saved view: what the map shows, its marking, its
legend and its tables.  The presenter, the PDF and the HTML handout all use it.

With a partner, only what that partner may see is included and the banner is
the marking of exactly that.  A slide holds the records in and around its
extent (the interactive handout can be panned a little beyond it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.core.briefing.history import tasks_as_at, units_as_at, zones_as_at
from app.core.briefing.views import ViewData, list_views
from app.core.common.dtg import format_dtg
from app.core.common.markings import Classification, Releasability, banner_text
from app.core.common.sidc import echelon_label, parse_sidc
from app.core.mapdoc.protocol import Op, message
from app.core.picture.mapdoc import (
    UNIT_COLUMNS,
    Marking,
    marking_for,
    unit_values,
    zone_feature,
    zone_kind_label,
)
from app.core.picture.queries import UnitRow, ZoneRow, list_units, list_zones, picture_marking
from app.core.store.engine import Store
from app.core.tasks.mapdoc import task_feature
from app.core.tasks.queries import TaskRow, list_tasks
from app.i18n import _

MARGIN = 0.25
"""How far around the extent records are kept, as a share of its size."""


@dataclass(frozen=True)
class LegendEntry:
    kind: str  # "unit" (key is a SIDC), "zone" (key is a zone kind), "task"
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class SummaryTable:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    colours: tuple[str, ...] = ()
    """Optional per-row traffic light colour (``#rrggbb``), e.g. for supply."""


SummaryProvider = Callable[
    [Store, datetime, "str | None", list[list[float]]], "SummaryTable | None"
]
SUMMARY_PROVIDERS: dict[str, SummaryProvider] = {}
"""Tables a slide can show, by the name stored in the view's ``summary``.

``tasks`` (tasks by status) and ``supply`` (days of supply per site, as a
traffic light, from the stock ledger as it was at the slide's time) are built
in; another area may add one with ``register_summary(name, fn)``.  A provider
gets (store, time, partner or None, bounds) and returns a ``SummaryTable`` or None.
"""


def register_summary(name: str, provider: SummaryProvider) -> None:
    SUMMARY_PROVIDERS[name] = provider


@dataclass
class Slide:
    view: ViewData
    number: int
    total: int
    at: datetime
    live: bool
    units: list[UnitRow] = field(default_factory=list)
    zones: list[ZoneRow] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)
    marking: Marking = field(default_factory=lambda: marking_for([]))
    level: Classification = field(default_factory=lambda: Classification.parse("UNCLASSIFIED"))
    releasable: Releasability = field(default_factory=Releasability.public)
    legend: list[LegendEntry] = field(default_factory=list)
    summary: list[SummaryTable] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.view.name

    @property
    def dtg(self) -> str:
        return format_dtg(self.at)

    @property
    def when(self) -> str:
        """``As at 281530ZNOV26`` or ``281530ZNOV26`` (live)."""
        return self.dtg if self.live else _("As at {dtg}").format(dtg=self.dtg)

    def messages(self) -> list[dict[str, Any]]:
        """Page messages that put this slide's picture and view on the map."""
        now = self.at
        rows = [
            unit_values(
                u.id,
                u.lat,
                u.lon,
                u.sidc,
                u.name,
                u.callsign,
                u.affiliation,
                u.nation,
                u.echelon,
                u.readiness,
                u.classification,
                u.releasable_to,
                u.stale_after is not None and u.stale_after < now,
                int(u.last_report.timestamp()) if u.last_report else None,
            )
            for u in self.units
        ]
        layers = full_layers(self.view.layers)
        return [
            message(Op.UNITS_RESET, cols=UNIT_COLUMNS, rows=rows),
            message(
                Op.ZONES_RESET,
                zones={
                    "type": "FeatureCollection",
                    "features": [zone_feature(z) for z in self.zones],
                },
            ),
            message(Op.TASKS_RESET, tasks=[task_feature(t) for t in self.tasks if t.location]),
            layers,
            message(Op.FIT, bounds=self.view.bounds),
        ]


AFFILIATIONS = ("friend", "hostile", "neutral", "unknown")


def full_layers(saved: dict[str, Any]) -> dict[str, Any]:
    """The page's ``layers`` message with every switch explicit (what a view left out is on),
    so one slide's hidden layers never carry over to the next."""
    from app.core.picture.records import ZONE_KINDS

    affs = saved.get("affiliations") or {}
    kinds = saved.get("zones") or {}
    switches = {
        key: saved.get(key, True) is not False
        for key in ("units", "labels", "places", "declutter", "tasks")
    }
    return message(
        Op.LAYERS,
        affiliations={a: affs.get(a, True) is not False for a in AFFILIATIONS},
        zones={k: kinds.get(k, True) is not False for k in ZONE_KINDS},
        **switches,
    )


def _inside(bounds: list[list[float]], lat: float, lon: float) -> bool:
    (s, w), (n, e) = bounds
    return s <= lat <= n and w <= lon <= e


def _padded(view: ViewData) -> list[list[float]]:
    dlat = (view.north - view.south) * MARGIN
    dlon = (view.east - view.west) * MARGIN
    return [[view.south - dlat, view.west - dlon], [view.north + dlat, view.east + dlon]]


def _zone_box(zone: ZoneRow) -> tuple[float, float, float, float]:
    coords = zone.geometry["coordinates"]
    polys = [coords] if zone.geometry["type"] == "Polygon" else coords
    lats = [p[1] for poly in polys for p in poly[0]]
    lons = [p[0] for poly in polys for p in poly[0]]
    return min(lats), min(lons), max(lats), max(lons)


def _visible(view: ViewData) -> tuple[Callable[[str], bool], Callable[[str], bool], bool]:
    layers = view.layers
    affs = layers.get("affiliations") or {}
    kinds = layers.get("zones") or {}
    units_on = layers.get("units", True) is not False
    return (
        lambda aff: units_on and affs.get(aff, True) is not False,
        lambda kind: kinds.get(kind, True) is not False,
        layers.get("tasks", True) is not False,
    )


def affiliation_label(aff: str) -> str:
    return {
        "friend": _("Friend"),
        "hostile": _("Hostile"),
        "neutral": _("Neutral"),
        "unknown": _("Unknown"),
    }.get(aff, aff)


def symbol_label(sidc: str) -> str:
    """``Hostile · Infantry · company`` for a legend."""
    try:
        parsed = parse_sidc(sidc)
    except ValueError:
        return sidc
    parts = [
        affiliation_label(parsed.affiliation_group),
        parsed.entity_name or parsed.symbol_set_name,
    ]
    if parsed.echelon:
        parts.append(echelon_label(parsed.echelon))
    return " · ".join(p for p in parts if p)


def tasks_summary(
    store: Store,
    at: datetime,
    partner: str | None,
    bounds: list[list[float]],
    tasks: list[TaskRow] | None = None,
) -> SummaryTable | None:
    """Tasks by status (those in the slide's extent, and those without a location)."""
    from app.core.tasks.records import STATUSES, status_label

    rows = tasks if tasks is not None else tasks_as_at(store, at, partner)
    shown = [t for t in rows if t.lat is None or _inside(bounds, t.lat, t.lon or 0.0)]
    counts = Counter(t.status for t in shown)
    overdue = Counter(t.status for t in shown if t.overdue)
    if not shown:
        return None
    table = tuple(
        (status_label(s), str(counts[s]), str(overdue[s]) if overdue[s] else "")
        for s in STATUSES
        if counts[s]
    )
    return SummaryTable(_("Tasks by status"), (_("Status"), _("Tasks"), _("Overdue")), table)


SUPPLY_COLOURS = {"red": "#ef9a9a", "amber": "#ffe082", "green": "#a5d6a7"}


def supply_summary(
    store: Store, at: datetime, partner: str | None, bounds: list[list[float]]
) -> SummaryTable | None:
    """The supply sites of the slide's extent with their days of supply, as at ``at``:
    stock on hand and consumption come from the ledger rows up to that time."""
    from app.core.supply.indicators import site_summaries
    from app.core.supply.queries import list_sites

    allowed = {site.id for site in list_sites(store, partner)}
    sites = [
        s
        for s in site_summaries(store, as_of=at, partner=partner)
        if s.site_id in allowed
        and s.lat is not None
        and s.lon is not None
        and _inside(bounds, s.lat, s.lon)
    ]
    if not sites:
        return None
    order = {"red": 0, "amber": 1, "green": 2}
    sites.sort(
        key=lambda s: (
            order.get(s.level, 3),
            s.worst_days if s.worst_days is not None else 1e9,
            s.name,
        )
    )
    rows = tuple(
        (s.name, f"{s.worst_days:.1f}" if s.worst_days is not None else "—", s.worst_item)
        for s in sites
    )
    colours = tuple(SUPPLY_COLOURS.get(s.level, "") for s in sites)
    return SummaryTable(
        _("Supply: days of supply"), (_("Site"), _("Days"), _("Lowest item")), rows, colours
    )


register_summary("supply", supply_summary)


def build_slide(
    store: Store,
    view: ViewData,
    number: int = 1,
    total: int = 1,
    partner: str | None = None,
    now: datetime | None = None,
) -> Slide:
    """One slide: the records of its extent as they are (or were at ``as_at``)."""
    live = view.as_at is None
    at = view.as_at or now or datetime.now(UTC)
    if live:
        units = list_units(store, partner=partner)
        zones = list_zones(store, partner=partner)
        tasks = list_tasks(store, partner=partner, now=at)
    else:
        units = units_as_at(store, at, partner)
        zones = zones_as_at(store, at, partner)
        tasks = tasks_as_at(store, at, partner)
    box = _padded(view)
    show_aff, show_zone, show_tasks = _visible(view)
    units = [u for u in units if _inside(box, u.lat, u.lon) and show_aff(u.affiliation)]
    (s, w), (n, e) = box
    kept_zones = []
    for z in zones:
        zs, zw, zn, ze = _zone_box(z)
        if zs <= n and zn >= s and zw <= e and ze >= w and show_zone(z.kind):
            kept_zones.append(z)
    shown_tasks = (
        [t for t in tasks if t.lat is not None and _inside(box, t.lat, t.lon or 0.0)]
        if show_tasks
        else []
    )
    slide = Slide(view, number, total, at, live, units, kept_zones, shown_tasks)
    markings = [(u.classification, u.releasable_to) for u in units]
    markings += [(z.classification, z.releasable_to) for z in kept_zones]
    markings += [(t.classification, t.releasable_to) for t in shown_tasks]
    markings.append((view.classification, view.releasable_to))
    slide.summary = []
    for name in view.summary:
        if name == "tasks":
            table = tasks_summary(store, at, partner, view.bounds, tasks)
            if table is not None:
                slide.summary.append(table)
        elif name in SUMMARY_PROVIDERS:
            table = SUMMARY_PROVIDERS[name](store, at, partner, view.bounds)
            if table is not None:
                slide.summary.append(table)
    if partner:
        markings = [(c, r) for c, r in markings if Releasability.parse(r).allows(partner)]
    slide.level, slide.releasable = picture_marking(markings)
    slide.marking = marking_for(markings)
    slide.legend = legend(units, kept_zones, shown_tasks, view.bounds)
    return slide


def legend(
    units: list[UnitRow], zones: list[ZoneRow], tasks: list[TaskRow], bounds: list[list[float]]
) -> list[LegendEntry]:
    """The symbols shown in the extent: each SIDC with its count, then zone kinds, then tasks."""
    sidcs = Counter(u.sidc for u in units if _inside(bounds, u.lat, u.lon))
    entries = [
        LegendEntry("unit", sidc, symbol_label(sidc), count) for sidc, count in sidcs.most_common()
    ]
    kinds = Counter(z.kind for z in zones)
    entries += [
        LegendEntry("zone", kind, zone_kind_label(kind), count)
        for kind, count in sorted(kinds.items())
    ]
    in_view = [t for t in tasks if t.lat is not None and _inside(bounds, t.lat, t.lon or 0.0)]
    if in_view:
        entries.append(LegendEntry("task", "task", _("Task"), len(in_view)))
    return entries


def build_deck(
    store: Store,
    partner: str | None = None,
    now: datetime | None = None,
    views: list[ViewData] | None = None,
) -> list[Slide]:
    """Every saved view (releasable to ``partner``) as a slide, in order."""
    chosen = views if views is not None else list_views(store, partner)
    now = now or datetime.now(UTC)
    return [
        build_slide(store, v, i, len(chosen), partner, now) for i, v in enumerate(chosen, start=1)
    ]


def deck_marking(slides: list[Slide]) -> Marking:
    """The marking of the whole handout: the highest of its slides, their common releasability."""
    level = Classification.highest(s.level for s in slides)
    rel = Releasability.common(s.releasable for s in slides)
    return Marking(banner_text(level, rel), int(level.level))


def picture_at(
    store: Store, at: datetime, partner: str | None = None
) -> tuple[list[dict[str, Any]], Marking, int]:
    """The whole picture as it was at ``at``, as page messages (the main window's time slider).

    Returns the messages, the marking of what they show and the number of units.
    """
    units = units_as_at(store, at, partner)
    zones = zones_as_at(store, at, partner)
    tasks = tasks_as_at(store, at, partner)
    everything = ViewData(name="-", south=-90, west=-180, north=90, east=180)
    slide = Slide(everything, 1, 1, at, False, units, zones, tasks)
    messages = slide.messages()[:3]  # the records, not the view: the user keeps the map where it is
    markings = [(u.classification, u.releasable_to) for u in units]
    markings += [(z.classification, z.releasable_to) for z in zones]
    markings += [(t.classification, t.releasable_to) for t in tasks]
    return messages, marking_for(markings), len(units)
