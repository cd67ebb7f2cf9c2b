"""The demo picture: Operation CORAL SHIELD.

A fictional EU/NATO-led multinational humanitarian and stabilisation operation in
Cabo Delgado province, northern Mozambique.  The geography is real (Pemba, Montepuez,
Mueda, Macomia, Mocímboa da Praia, Palma, the Messalo and Lúrio rivers, the N380);
every unit, name and callsign is invented.

The scenario is data: ``resources/demo/units.toml``, ``zones.toml``, ``tasks.toml``
(geometry as control points in ``geography.toml``, marking profiles in
``markings.toml``); see ``app.core.demo.data``.  This module is its generator.

``build_demo()`` makes the picture (deterministic for a seed, all times relative to
``now``): units, zones and the brigade's tasks (about 30, every status, some late);
``load_demo()`` writes it to a store in one transaction.  Asked for more
units or zones than the scenario holds, both add synthetic ones spread over the wider
region (over East Africa for very large numbers), so the same call also serves
benchmarks.  Ids are UUIDv7-shaped and derived from (seed, index), so loading the
same seed twice updates the records instead of duplicating them, and the first
records of a large picture are the scenario's own.

Units' ``speed`` is in metres per second (as in CoT), ``course`` in degrees true.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from app.core.common.sidc import make_sidc, parse_sidc
from app.core.demo import data, synthetic
from app.core.demo.geometry import shape
from app.core.demo.ids import gc_paused, id_stream
from app.core.picture.records import UnitData, ZoneData
from app.core.tasks.records import TaskData
from app.i18n import _

if TYPE_CHECKING:
    from app.core.store.engine import Store

OPERATION = "Operation CORAL SHIELD"
MAX_UNITS = 100_000
MAX_ZONES = 100_000
MAX_TASKS = 100_000

_THREATS = ("hostile", "unknown")
_MILITARY = "10"  # symbol set of land units (civilian organisations: "11")


def _scenario_unit_specs() -> list[dict[str, Any]]:
    """The scenario's units (``units.toml``), parents before their children, so any
    prefix of the list is self-contained."""
    specs: list[dict[str, Any]] = data.load("units")["unit"]
    return specs


# --------------------------------------------------------------------------- the picture


@dataclass
class DemoPicture:
    """Units, zones and tasks of the demo, ready for ``save_units`` / ``save_zones`` /
    ``save_tasks``."""

    units: list[UnitData]
    zones: list[ZoneData]
    tasks: list[TaskData] = field(default_factory=list)


def _times(
    rng: random.Random, now: datetime, hostile: bool, moving: bool, stale: bool
) -> tuple[datetime, datetime]:
    """(last report, stale after): minutes to hours ago; stale ones already past."""
    if stale:
        last = now - timedelta(seconds=int(rng.uniform(9, 30) * 3600))
        return last, last + timedelta(seconds=int(rng.uniform(3, 6) * 3600))
    if moving:
        ago = rng.uniform(1, 20) * 60
    elif hostile:
        ago = rng.uniform(5, 120) * 60
    else:
        ago = rng.uniform(3, 240) * 60
    last = now - timedelta(seconds=int(ago))
    life = rng.uniform(3, 5) if hostile else rng.uniform(6, 12)
    return last, last + timedelta(seconds=int(life * 3600))


def _scenario_units(rng: random.Random, now: datetime, ids: list[str]) -> list[UnitData]:
    by_key: dict[str, str] = {}
    units: list[UnitData] = []
    markings = data.marking_table()
    strengths = data.readiness_strength()
    for index, spec in enumerate(_scenario_unit_specs()):
        uid = ids[index]
        by_key[spec["key"]] = uid
        symbol_set, entity, echelon = spec["symbol"]
        sidc = make_sidc(
            spec["identity"],
            symbol_set,
            entity,
            echelon,
            hq_tf_dummy="2" if spec.get("hq", False) else "0",
        )
        parsed = parse_sidc(sidc)
        jitter = 0.003 if symbol_set == _MILITARY else 0.001
        spec_lat, spec_lon = spec["at"]
        lat = round(spec_lat + rng.uniform(-jitter, jitter), 5)
        lon = round(spec_lon + rng.uniform(-jitter, jitter), 5)
        readiness = spec.get("readiness", "green")
        low, high = strengths[readiness]
        strength = rng.randint(low, high)
        course = speed = None
        moving = spec.get("moving")
        if moving:
            course = round((moving[0] + rng.uniform(-10, 10)) % 360, 1)
            speed = round(moving[1] * rng.uniform(0.8, 1.2), 1)
        threat = spec["identity"] in _THREATS
        last, stale_after = _times(rng, now, threat, moving is not None, spec.get("stale", False))
        level, rel = markings[spec["marking"]]
        parent = spec.get("parent")
        units.append(
            UnitData(
                name=spec["name"],
                sidc=sidc,
                lat=lat,
                lon=lon,
                callsign=spec["callsign"],
                nation=spec["nation"],
                affiliation=parsed.affiliation_group,
                echelon=parsed.echelon,
                parent_id=by_key[parent] if parent else None,
                course=course,
                speed=speed,
                readiness=readiness,
                strength=strength,
                last_report=last,
                stale_after=stale_after,
                remarks=spec.get("remarks", ""),
                classification=level,
                releasable_to=rel,
                id=uid,
            )
        )
    return units


def _scenario_zones(now: datetime, ids: list[str], count: int) -> list[ZoneData]:
    """The first ``count`` of the scenario's zones (``zones.toml``)."""
    paths = data.load("geography")["paths"]
    markings = data.marking_table()
    zones: list[ZoneData] = []
    for index, spec in enumerate(data.load("zones")["zone"][:count]):
        level, rel = markings[spec["marking"]]
        valid_from = valid_to = None
        valid = spec.get("valid")
        if valid:
            valid_from = now + timedelta(days=valid[0])
            valid_to = now + timedelta(days=valid[1]) if len(valid) > 1 else None
        zones.append(
            ZoneData(
                name=spec["name"],
                kind=spec["kind"],
                severity=spec["severity"],
                geometry=shape(spec["geometry"], paths),
                valid_from=valid_from,
                valid_to=valid_to,
                description=spec.get("description", ""),
                classification=level,
                releasable_to=rel,
                id=ids[index],
            )
        )
    return zones


# --------------------------------------------------------------------------- public API


def _count(value: int | None, default: int, limit: int, what: str) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        raise ValueError(
            _("the number of {what} must be a whole number from 0 to {limit}, not {value}").format(
                what=what, limit=limit, value=value
            )
        )
    return value


def build_demo(
    seed: int = 7,
    units: int | None = None,
    zones: int | None = None,
    now: datetime | None = None,
    tasks: int | None = None,
) -> DemoPicture:
    """The Operation CORAL SHIELD picture.

    ``units`` / ``zones`` / ``tasks`` (up to 100,000 each) ask for that many records: the
    scenario's first ones, then synthetic ones; ``None`` gives the scenario as written
    (about 60 units, 10 zones, 30 tasks).  The scenario's tasks come with the scenario's
    units: with ``tasks=None`` a picture holding fewer units than the scenario has no
    tasks, and a scenario task is only ever included when its units are in the picture.
    The same ``seed`` always gives the same records and ids; times are relative to
    ``now`` (default: the current UTC time; a naive ``now`` is taken as UTC).
    """
    n_scenario_units = len(_scenario_unit_specs())
    n_scenario_zones = len(data.load("zones")["zone"])
    n_units = _count(units, n_scenario_units, MAX_UNITS, "units")
    n_tasks = _count(tasks, -1, MAX_TASKS, "tasks")
    n_zones = _count(zones, n_scenario_zones, MAX_ZONES, "zones")
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    else:
        now = now.astimezone(UTC)

    unit_ids = id_stream(seed, 1, max(n_units, n_scenario_units))
    unit_list = _scenario_units(random.Random(seed), now, unit_ids)[:n_units]
    if n_units > len(unit_list):
        with gc_paused():
            unit_list += synthetic.units(
                seed, len(unit_list), n_units - len(unit_list), n_units, now, unit_ids
            )

    zone_ids = id_stream(seed, 2, max(n_zones, n_scenario_zones))
    zone_list = _scenario_zones(now, zone_ids, n_zones)
    if n_zones > len(zone_list):
        with gc_paused():
            zone_list += synthetic.zones(
                seed, len(zone_list), n_zones - len(zone_list), n_zones, now, zone_ids
            )
    task_list = _tasks(seed, n_tasks, n_units, unit_list, unit_ids, now)
    return DemoPicture(units=unit_list, zones=zone_list, tasks=task_list)


def _tasks(
    seed: int,
    wanted: int,
    n_units: int,
    unit_list: list[UnitData],
    unit_ids: list[str],
    now: datetime,
) -> list[TaskData]:
    """The scenario's tasks whose units are all in the picture, then synthetic ones.

    ``wanted`` -1 means "the scenario's tasks if the picture holds all the scenario's units".
    """
    specs = data.load("tasks")["task"]
    unit_specs = _scenario_unit_specs()
    if wanted < 0:
        wanted = len(specs) if n_units >= len(unit_specs) else 0
    if wanted == 0:
        return []
    key_id = {spec["key"]: unit_ids[i] for i, spec in enumerate(unit_specs)}
    present = {u.id for u in unit_list}
    ids = id_stream(seed, 4, max(wanted, len(specs)))
    paths = data.load("geography")["paths"]
    markings = data.marking_table()
    result: list[TaskData] = []
    for index, spec in enumerate(specs):
        if len(result) == wanted:
            break
        assigned = [key_id[key] for key in spec["units"]]
        if any(uid not in present for uid in assigned):
            continue
        level, rel = markings[spec["marking"]]
        start, due = spec.get("start"), spec.get("due")
        location = spec.get("location")
        result.append(
            TaskData(
                id=ids[index],
                title=spec["title"],
                type=spec["type"],
                description=spec.get("description", ""),
                priority=spec["priority"],
                status=spec["status"],
                assigned_units=assigned,
                originator=spec["originator"],
                location=shape(location, paths) if location is not None else None,
                start=now + timedelta(hours=start) if start is not None else None,
                due=now + timedelta(hours=due) if due is not None else None,
                classification=level,
                releasable_to=rel,
            )
        )
    if wanted > len(result):
        with gc_paused():
            result += synthetic.tasks(seed, len(specs), wanted - len(result), unit_list, now, ids)
    return result


_NULLABLE = (
    "affiliation",
    "echelon",
    "cot_type",
    "parent_id",
    "course",
    "speed",
    "last_report",
    "stale_after",
)


def _null_pattern(unit: UnitData) -> tuple[bool, ...]:
    return tuple(getattr(unit, name) is None for name in _NULLABLE)


def load_demo(
    store: Store,
    seed: int = 7,
    units: int | None = None,
    zones: int | None = None,
    now: datetime | None = None,
    tasks: int | None = None,
) -> tuple[int, int]:
    """Write the demo picture to ``store`` in one transaction; returns (units, zones) written.

    The picture's tasks (see ``build_demo``) are written in the same transaction; loading
    again puts the demo's tasks back in the demo's status whatever happened to them.
    The ids depend on the seed only, so loading the same seed again updates the same
    records rather than adding new ones.
    """
    from app.core.demo.supply import load_supply
    from app.core.picture.ops import save_units, save_zones
    from app.core.store.writing import writing
    from app.core.tasks.ops import save_tasks

    picture = build_demo(seed=seed, units=units, zones=zones, now=now, tasks=tasks)
    # The ORM's bulk insert leaves None values out of a row's parameters, so each change
    # in which columns are None starts a new INSERT; grouping alike rows keeps batches big
    # (100,000 units: about 45,000 statements unsorted, a handful sorted).
    ordered = sorted(picture.units, key=_null_pattern)
    from app.core.demo.briefing import history_start, load_briefing_demo

    with writing(store, initiator="demo") as batch:
        batch.now = history_start(
            batch.now if now is None else now
        )  # recorded a day ago: see demo_briefing
        unit_ids = save_units(batch, ordered)
        zone_ids = save_zones(batch, picture.zones)
        save_tasks(batch, picture.tasks, enforce_workflow=False)
        load_supply(batch, seed=seed, now=now)
    if units is None and zones is None and tasks is None:  # the scenario, not a benchmark's picture
        load_briefing_demo(store, now or datetime.now(UTC))
    return len(unit_ids), len(zone_ids)
