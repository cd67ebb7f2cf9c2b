"""The demo's briefing: a day of history and the morning update's slides.

Operation CORAL SHIELD's picture is recorded as if loaded ``HISTORY_HOURS``
ago (``history_start``); then the last day happens: units move (their reported
positions), fighting around Macomia flares up (the zone's severity rises),
a convoy escort goes from assigned to in progress.  Each
of those is written at the time it happened, so a slide "as at" an earlier
time shows the picture as it was.  Then six slides tell the story.

The tracks, the flare-up and the slides are data (``resources/demo/briefing.toml``);
the slides' names and notes are translated.

Ids are fixed, so loading the demo again updates the same records.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from app.core.briefing.views import ViewData, save_views
from app.core.demo import data
from app.core.picture.records import ZoneData
from app.i18n import _

if TYPE_CHECKING:
    from app.core.store.engine import Store

HISTORY_HOURS = 26


def _view_id(position: int) -> str:
    """The fixed id of the slide at ``position`` (1, 2 ...)."""
    return f"019a0000-0000-7000-8000-00000000b{position:03d}"


def _tracks() -> dict[str, list[list[float]]]:
    """callsign -> positions [hours ago, lat, lon], oldest first; they end where the unit
    is now (``briefing.toml``)."""
    tracks: dict[str, list[list[float]]] = data.load("briefing")["tracks"]
    return tracks


def build_slides(now: datetime) -> list[ViewData]:
    """The morning update's slides (``briefing.toml``); names and notes translated."""
    slides = []
    for index, spec in enumerate(data.load("briefing")["slide"]):
        south, west, north, east = spec["bounds"]
        extra: dict[str, Any] = {}
        if "as_at_hours_ago" in spec:
            extra["as_at"] = now - timedelta(hours=spec["as_at_hours_ago"])
        if "classification" in spec:
            extra["classification"] = spec["classification"]
        if "releasable_to" in spec:
            extra["releasable_to"] = list(spec["releasable_to"])
        if "layers" in spec:
            extra["layers"] = copy.deepcopy(spec["layers"])
        if "summary" in spec:
            extra["summary"] = tuple(spec["summary"])
        slides.append(
            ViewData(
                id=_view_id(index + 1),
                position=index + 1,
                name=_(spec["name"]),
                south=south,
                west=west,
                north=north,
                east=east,
                note=_(spec["note"]),
                **extra,
            )
        )
    return slides


def history_start(now: datetime) -> datetime:
    """When the demo picture is recorded as loaded (a day and a bit before ``now``)."""
    return now - timedelta(hours=HISTORY_HOURS)


def _square(lat: float, lon: float, half: float) -> dict[str, object]:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def load_briefing_demo(store: Store, now: datetime) -> int:
    """Write the last day's history and the briefing's slides; returns the slides written."""
    from sqlalchemy import select

    from app.core.picture.ops import save_zones
    from app.core.store.models import Unit, UnitPosition
    from app.core.store.writing import writing
    from app.core.tasks.ops import save_tasks

    def at(hours_ago: float):  # type: ignore[no-untyped-def]
        """A write recorded when it happened (the demo's past)."""
        cm = writing(store, initiator="demo")

        class _Past:
            def __enter__(self):  # type: ignore[no-untyped-def]
                batch = cm.__enter__()
                batch.now = now - timedelta(hours=hours_ago)
                return batch

            def __exit__(self, *exc):  # type: ignore[no-untyped-def]
                return cm.__exit__(*exc)

        return _Past()

    # 1. every unit was where it is a day ago, except those that moved
    with writing(store, initiator="demo") as batch:
        units = batch.session.execute(
            select(Unit.id, Unit.callsign, Unit.lat, Unit.lon, Unit.last_report).where(
                Unit.deleted.is_(False)
            )
        ).all()
        start = history_start(now)
        tracks = _tracks()
        rows = []
        for uid, callsign, lat, lon, last in units:
            last = last or now
            if last.tzinfo is None:
                last = last.replace(tzinfo=UTC)
            track = tracks.get(callsign)
            past = [(start, track[0][1] if track else lat, track[0][2] if track else lon)]
            past += [(now - timedelta(hours=h), t_lat, t_lon) for h, t_lat, t_lon in track or ()]
            past = [p for p in past if p[0] < last]  # nothing after the unit's own last report
            rows += [
                {"unit_id": uid, "at": when, "lat": p_lat, "lon": p_lon}
                for when, p_lat, p_lon in past
            ]
            if (
                track and past
            ):  # the current report again, last, so trails (in written order) end where it is
                rows.append({"unit_id": uid, "at": last, "lat": lat, "lon": lon})
        if rows:
            batch.session.execute(UnitPosition.__table__.insert(), rows)

    # 2. fighting flared up again around Macomia overnight: the zone was less severe yesterday
    from app.core.picture.queries import list_zones
    from app.core.store.models import CrisisZone, Task
    from app.core.tasks.queries import list_tasks

    flare_up = data.load("briefing")["flare_up"]
    with store.session() as session:
        macomia = session.scalar(
            select(CrisisZone.id).where(
                CrisisZone.name == flare_up["zone"], CrisisZone.deleted.is_(False)
            )
        )
        escort = session.scalar(
            select(Task.id)
            .where(Task.status == "in_progress", Task.type == "escort", Task.deleted.is_(False))
            .order_by(Task.reference)
        )
    if macomia:
        (zone,) = list_zones(store, [macomia])
        record = ZoneData(
            id=zone.id,
            name=zone.name,
            kind=zone.kind,
            severity=zone.severity,
            geometry=zone.geometry,
            valid_from=zone.valid_from,
            valid_to=zone.valid_to,
            description=zone.description,
            classification=zone.classification,
            releasable_to=zone.releasable_to,
        )
        calmer = replace(record, severity=max(1, zone.severity - flare_up["severity_drop"]))
        since, until = flare_up["hours_ago"]
        with at(since) as batch:
            save_zones(batch, [calmer])
        with at(until) as batch:
            save_zones(batch, [record])
    # 3. a convoy escort was only assigned yesterday; it has been under way since this morning
    if escort:
        (task,) = list_tasks(store, [escort])
        with at(20) as batch:
            save_tasks(batch, [replace(task.to_data(), status="assigned")], enforce_workflow=False)
        with at(6) as batch:
            save_tasks(batch, [task.to_data()], enforce_workflow=False)

    # 4. the morning update
    slides = build_slides(now)
    with writing(store, initiator="demo") as batch:
        return len(save_views(batch, slides))
