"""The demo's briefing: a day of history and the morning update's slides.

Operation CORAL SHIELD's picture is recorded as if loaded ``HISTORY_HOURS``
ago (``history_start``); then the last day happens: units move (their reported
positions), fighting around Macomia flares up (the zone's severity rises),
a convoy escort goes from assigned to in progress.  Each
of those is written at the time it happened, so a slide "as at" an earlier
time shows the picture as it was.  Then six slides tell the story.

Ids are fixed, so loading the demo again updates the same records.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from app.core.briefing.views import ViewData, save_views
from app.core.picture.records import ZoneData
from app.i18n import _

if TYPE_CHECKING:
    from app.core.store.engine import Store

HISTORY_HOURS = 26
_VIEW_IDS = [f"019a0000-0000-7000-8000-00000000b{n:03d}" for n in range(1, 7)]

# callsign -> positions (hours ago, lat, lon), oldest first; they end where the unit is now
_TRACKS: dict[str, list[tuple[float, float, float]]] = {
    "ANCHOR 2": [
        (24, -12.962, 40.490),
        (18, -12.930, 40.330),
        (12, -12.860, 40.190),
        (6, -12.790, 40.100),
    ],
    "MSF MOBILE 1": [(24, -12.965, 40.480), (16, -12.940, 40.250), (8, -12.915, 40.080)],
    "TRIDENT 2-1": [(24, -10.800, 40.450), (16, -10.880, 40.430), (8, -10.960, 40.400)],
    "LIONFISH 1-1": [(24, -12.238, 40.112), (12, -12.180, 40.140)],
    "LIONFISH 5": [(24, -11.990, 39.850), (12, -11.970, 39.950)],
    "TRACK H101": [(24, -11.300, 40.330), (14, -11.350, 40.270), (6, -11.390, 40.220)],
    "TRACK H105": [(24, -11.650, 39.560), (16, -11.700, 39.650), (8, -11.750, 39.760)],
    "TRIDENT 1-1": [(24, -11.385, 40.300), (10, -11.360, 40.310)],
    "TRACK U202": [(24, -12.930, 39.640), (12, -12.900, 39.780)],
    "ANCHOR 2-2": [(24, -12.990, 40.400), (12, -13.020, 40.000)],
}


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
        rows = []
        for uid, callsign, lat, lon, last in units:
            last = last or now
            if last.tzinfo is None:
                last = last.replace(tzinfo=UTC)
            track = _TRACKS.get(callsign)
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

    with store.session() as session:
        macomia = session.scalar(
            select(CrisisZone.id).where(
                CrisisZone.name == "Conflict area Macomia", CrisisZone.deleted.is_(False)
            )
        )
        escort = session.scalar(
            select(Task.id)
            .where(Task.status == "in_progress", Task.type == "escort", Task.deleted.is_(False))
            .order_by(Task.reference)
        )
    if macomia:
        (zone,) = list_zones(store, [macomia])
        data = ZoneData(
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
        with at(20) as batch:
            save_zones(batch, [replace(data, severity=max(1, zone.severity - 2))])
        with at(7) as batch:
            save_zones(batch, [data])
    # 3. a convoy escort was only assigned yesterday; it has been under way since this morning
    if escort:
        (task,) = list_tasks(store, [escort])
        with at(20) as batch:
            save_tasks(batch, [replace(task.to_data(), status="assigned")], enforce_workflow=False)
        with at(6) as batch:
            save_tasks(batch, [task.to_data()], enforce_workflow=False)

    # 4. the morning update
    slides = [
        ViewData(
            id=_VIEW_IDS[0],
            position=1,
            name=_("Situation overview — Cabo Delgado"),
            south=-13.75,
            west=38.55,
            north=-10.45,
            east=40.95,
            note=_(
                "Three battlegroups deployed; humanitarian access along the N380 holds; "
                "hostile activity north of the Messalo; fighting around Macomia flared up overnight."
            ),
        ),
        ViewData(
            id=_VIEW_IDS[1],
            position=2,
            name=_("The north: hostile activity"),
            south=-11.95,
            west=39.45,
            north=-10.65,
            east=40.65,
            classification="NATO RESTRICTED",
            releasable_to=["NATO"],
            note=_(
                "TRACK H101 closing on Mocímboa da Praia; TRACK H105 moving east from Muidumbe."
            ),
        ),
        ViewData(
            id=_VIEW_IDS[2],
            position=3,
            name=_("The north, 12 hours ago"),
            south=-11.95,
            west=39.45,
            north=-10.65,
            east=40.65,
            as_at=now - timedelta(hours=12),
            classification="NATO RESTRICTED",
            releasable_to=["NATO"],
            note=_("Compare with the previous slide: both groups have moved towards the coast."),
        ),
        ViewData(
            id=_VIEW_IDS[3],
            position=4,
            name=_("Humanitarian corridor and the Metuge site"),
            south=-13.05,
            west=39.65,
            north=-12.15,
            east=40.60,
            layers={"affiliations": {"hostile": False, "unknown": False}},
            summary=("tasks", "supply"),
            note=_("Convoy ANCHOR 2 with MSF MOBILE 1 on the N380; 38,000 people at Metuge."),
        ),
        ViewData(
            id=_VIEW_IDS[4],
            position=5,
            name=_("Logistics at Pemba"),
            south=-13.06,
            west=40.40,
            north=-12.90,
            east=40.60,
            summary=("tasks", "supply"),
            note=_("Port and airhead open; WFP warehouse 4,800 t."),
        ),
        ViewData(
            id=_VIEW_IDS[5],
            position=6,
            name=_("Tasks for the next 24 hours"),
            south=-13.75,
            west=38.55,
            north=-10.45,
            east=40.95,
            layers={"affiliations": {"hostile": False, "unknown": False, "neutral": False}},
            note=_(
                "Priorities: the convoy escort, route clearance Awasse - Mocímboa, cholera response."
            ),
        ),
    ]
    with writing(store, initiator="demo") as batch:
        return len(save_views(batch, slides))
