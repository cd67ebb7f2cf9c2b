"""Spatial checks on tasks: a task placed inside a no-go zone; an assigned unit
too far from its task.  The warnings go to the Alerts dock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from shapely.geometry import Point, shape
from shapely.ops import nearest_points

from app.core.common.geo import distance_bearing
from app.core.picture.geofence import ZoneShape, zones_in_force
from app.core.store.chunks import READ_CHUNK, chunked
from app.core.tasks.records import FINAL_STATUSES
from app.i18n import _

DEFAULT_MAX_KM = 50.0


@dataclass(frozen=True, slots=True)
class TaskWarning:
    kind: str  # "task_in_no_go" or "unit_far"
    task_id: str
    reference: str
    title: str
    unit_id: str
    unit_name: str
    zone_name: str
    severity: int
    lat: float
    lon: float
    km: float = 0.0

    @property
    def message(self) -> str:
        if self.kind == "task_in_no_go":
            return _("{reference} '{title}' lies inside the no-go zone {zone}").format(
                reference=self.reference, title=self.title, zone=self.zone_name
            )
        return _("{unit} is {km:.0f} km from its task {reference}").format(
            unit=self.unit_name, km=self.km, reference=self.reference
        )


def check_tasks(
    tasks: Iterable[object],
    units: dict[str, tuple[str, float, float]],
    zones: list[ZoneShape],
    max_km: float = DEFAULT_MAX_KM,
) -> list[TaskWarning]:
    """Warnings for open tasks (``TaskRow``-like) given unit positions (id -> name, lat, lon)."""
    no_go = [z for z in zones if z.kind == "no-go"]
    warnings: list[TaskWarning] = []
    for task in tasks:
        if task.status in FINAL_STATUSES or not task.location:  # type: ignore[attr-defined]
            continue
        where = shape(task.location)  # type: ignore[attr-defined]
        ref, title, tid = task.reference, task.title, task.id  # type: ignore[attr-defined]
        centre = where.representative_point()
        for zone in no_go:
            if zone.geometry.intersects(where):
                warnings.append(
                    TaskWarning(
                        "task_in_no_go",
                        tid,
                        ref,
                        title,
                        "",
                        "",
                        zone.name,
                        zone.severity,
                        centre.y,
                        centre.x,
                    )
                )
        for unit_id in task.assigned_units:  # type: ignore[attr-defined]
            if unit_id not in units:
                continue
            name, lat, lon = units[unit_id]
            if where.contains(Point(lon, lat)):
                continue
            near = nearest_points(where, Point(lon, lat))[0]
            metres, _bearing = distance_bearing(lat, lon, near.y, near.x)
            if metres / 1000 > max_km:
                warnings.append(
                    TaskWarning(
                        "unit_far",
                        tid,
                        ref,
                        title,
                        unit_id,
                        name,
                        "",
                        2,
                        lat,
                        lon,
                        metres / 1000,
                    )
                )
    return warnings


class TaskWarningTracker:
    """Tasks, their units' positions and the no-go zones kept between updates,
    so a move of assigned units re-runs the checks without reading the store."""

    def __init__(self, max_km: float = DEFAULT_MAX_KM) -> None:
        self.max_km = max_km
        self.tasks: list[object] = []
        self.units: dict[str, tuple[str, float, float]] = {}
        self.zones: list[ZoneShape] = []
        self.warnings: list[TaskWarning] = []

    @property
    def assigned(self) -> set[str]:
        return {u for t in self.tasks for u in t.assigned_units}  # type: ignore[attr-defined]

    def load(self, store: object, now: datetime | None = None) -> list[TaskWarning]:
        from sqlalchemy import select

        from app.core.picture.queries import list_zones
        from app.core.store.models import Unit
        from app.core.tasks.queries import list_tasks

        now = now or datetime.now(UTC)
        self.tasks = list(list_tasks(store, now=now))  # type: ignore[arg-type]
        ids = sorted(self.assigned)
        self.units = {}
        with store.session() as session:  # type: ignore[attr-defined]
            for chunk in chunked(ids, READ_CHUNK):
                for uid, name, lat, lon in session.execute(
                    select(Unit.id, Unit.name, Unit.lat, Unit.lon).where(
                        Unit.deleted.is_(False), Unit.id.in_(chunk)
                    )
                ):
                    self.units[uid] = (name, lat, lon)
        self.zones = zones_in_force(list_zones(store), now)  # type: ignore[arg-type]
        self.warnings = check_tasks(self.tasks, self.units, self.zones, self.max_km)
        return self.warnings

    def moved(self, positions: Iterable[tuple[str, float, float]]) -> list[TaskWarning]:
        """New positions (id, lat, lon): the checks run again only if an assigned unit moved."""
        touched = False
        for uid, lat, lon in positions:
            known = self.units.get(uid)
            if known is not None:
                self.units[uid] = (known[0], lat, lon)
                touched = True
        if touched:
            self.warnings = check_tasks(self.tasks, self.units, self.zones, self.max_km)
        return self.warnings


def store_task_warnings(
    store: object, max_km: float = DEFAULT_MAX_KM, now: datetime | None = None
) -> list[TaskWarning]:
    return TaskWarningTracker(max_km).load(store, now)
