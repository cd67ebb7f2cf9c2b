"""Synthetic records for pictures larger than the scenario (benchmarks, load tests).

What they may be (identities, SIDCs, nations, markings, callsigns) is in
``resources/demo/synthetic.toml``, where they may be (the regions and the coast table)
in ``geography.toml``; this module draws them from seeded random streams.  Units are
drawn all at once with numpy; zones and tasks from a ``random.Random`` per seed.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple

import numpy as np

from app.core.common.markings import Releasability
from app.core.common.sidc import make_sidc, parse_sidc
from app.core.demo import data
from app.core.demo.geometry import close
from app.core.demo.ids import entropy, id_stream
from app.core.picture.records import READINESS, ZONE_KINDS, UnitData, ZoneData
from app.core.tasks.records import PRIORITIES, STATUSES, TASK_TYPES, TaskData

Area = tuple[float, float, float, float]  # south, north, west, east


class _Geography(NamedTuple):
    coast_lat0: float
    coast_step: float
    coast: tuple[float, ...]
    coast_array: np.ndarray
    scenario: Area
    east_africa: Area
    wide_from: int


@cache
def _geography() -> _Geography:
    geo = data.load("geography")
    coast = tuple(geo["coast"]["longitudes"])
    south, north, west, east = geo["regions"]["scenario"]
    wide = geo["regions"]["east-africa"]
    return _Geography(
        geo["coast"]["first-latitude"],
        geo["coast"]["step"],
        coast,
        np.array(coast),
        (south, north, west, east),
        (wide[0], wide[1], wide[2], wide[3]),
        data.load("synthetic")["wide_from"],
    )


def area(total: int) -> Area:
    """Where synthetic records go: northern Mozambique, or East Africa for many records."""
    geo = _geography()
    return geo.east_africa if total > geo.wide_from else geo.scenario


def _coast(lat: float) -> float:
    """A longitude safely west of the coast at ``lat`` (the lower of the two table rows)."""
    geo = _geography()
    i = min(max(int((lat - geo.coast_lat0) / geo.coast_step), 0), len(geo.coast) - 2)
    return min(geo.coast[i], geo.coast[i + 1]) - 0.1


def position(rng: random.Random, where: Area) -> tuple[float, float]:
    south, north, west, east = where
    lat = rng.uniform(south, north)
    lon = rng.uniform(west, max(west + 0.1, min(east, _coast(lat))))
    return round(lat, 5), round(lon, 5)


# --------------------------------------------------------------------------- units


class _Kind(NamedTuple):
    sidc: str
    affiliation: str
    echelon: str | None
    label: str


class _Category(NamedTuple):
    share: float  # of all synthetic units
    kinds: list[_Kind]
    nations: tuple[str, ...]
    markings: list[tuple[str, Releasability]]
    threat: bool


_CIVILIAN = "11"


def _pool(
    identity: str,
    symbol_set: str,
    entities: list[str],
    echelons: list[str],
    weights: list[int],
) -> list[_Kind]:
    """Every SIDC a synthetic record of this identity may get, each built and checked once."""
    labels = data.load("synthetic")["echelon_labels"]
    pool = []
    for entity in entities:
        for echelon, weight in zip(echelons, weights, strict=True):
            sidc = make_sidc(identity, symbol_set, entity, echelon)
            parsed = parse_sidc(sidc)
            label = labels.get(parsed.echelon or "", "Org" if symbol_set == _CIVILIAN else "Grp")
            pool.extend([_Kind(sidc, parsed.affiliation_group, parsed.echelon, label)] * weight)
    return pool


@cache
def _categories() -> list[_Category]:
    """Friend 80 %, neutral 8 %, hostile 7 %, unknown 5 %, each with its SIDCs and markings."""
    table = data.marking_table()
    categories = []
    for c in data.load("synthetic")["unit_category"]:
        marks = [table[key] for mix in c["markings"] for key, n in mix.items() for _ in range(n)]
        categories.append(
            _Category(
                c["share"],
                _pool(c["identity"], c["symbol_set"], c["entities"], c["echelons"], c["weights"]),
                tuple(c["nations"]),
                marks,
                c["threat"],
            )
        )
    return categories


def _pick(rng: np.random.Generator, sizes: np.ndarray, category: np.ndarray) -> list[int]:
    """An index into each record's own list (its category's list of ``sizes``)."""
    picks: list[int] = (rng.random(len(category)) * sizes[category]).astype(np.int64).tolist()
    return picks


def units(
    seed: int, start: int, count: int, total: int, now: datetime, ids: list[str]
) -> list[UnitData]:
    """Synthetic units ``start`` .. ``start + count - 1``.

    Every random draw is made at once with numpy, and the SIDCs come from a small
    pool checked once, so the per-unit work is building the record.
    """
    rng = np.random.default_rng(entropy(seed, 3))
    categories = _categories()
    geo = _geography()
    shares = np.cumsum([c.share for c in categories])[:-1]
    category = np.searchsorted(shares, rng.random(count), side="right")
    kind_at = _pick(rng, np.array([len(c.kinds) for c in categories]), category)
    nation_at = _pick(rng, np.array([len(c.nations) for c in categories]), category)
    marking_at = _pick(rng, np.array([len(c.markings) for c in categories]), category)
    threat = np.array([c.threat for c in categories])[category]

    south, north, west, east = area(total)
    lat = rng.uniform(south, north, count)
    row = np.clip(((lat - geo.coast_lat0) / geo.coast_step).astype(np.int64), 0, len(geo.coast) - 2)
    coast = np.minimum(geo.coast_array[row], geo.coast_array[row + 1]) - 0.1
    lon = west + rng.random(count) * (np.maximum(west + 0.1, np.minimum(east, coast)) - west)

    strengths = data.readiness_strength()
    readiness_roll = rng.random(count)
    readiness_at = np.searchsorted([0.85, 0.97], readiness_roll, side="right")
    low = np.array([strengths[r][0] for r in READINESS])[readiness_at]
    high = np.array([strengths[r][1] for r in READINESS])[readiness_at]
    strength = (low + rng.random(count) * (high - low + 1)).astype(np.int64)

    moving = rng.random(count) < 0.2
    course = np.round(rng.uniform(0, 360, count), 1) % 360
    speed = np.round(rng.uniform(1, 15, count), 1)
    stale = rng.random(count) < 0.03
    # seconds since the last report, and how long a report stays fresh
    ago = np.where(threat, rng.uniform(5, 120, count), rng.uniform(3, 240, count)) * 60
    ago = np.where(moving, rng.uniform(1, 20, count) * 60, ago)
    life = np.where(threat, rng.uniform(3, 5, count), rng.uniform(6, 12, count)) * 3600
    ago = np.where(stale, rng.uniform(9, 30, count) * 3600, ago)
    life = np.where(stale, rng.uniform(3, 6, count) * 3600, life)

    result: list[UnitData] = []
    append = result.append
    callwords = data.load("synthetic")["callwords"]
    n_words = len(callwords)
    rows = zip(
        range(start + 1, start + count + 1),
        category.tolist(),
        kind_at,
        nation_at,
        marking_at,
        np.round(lat, 5).tolist(),
        np.round(lon, 5).tolist(),
        readiness_at.tolist(),
        strength.tolist(),
        moving.tolist(),
        course.tolist(),
        speed.tolist(),
        ago.astype(np.int64).tolist(),
        life.astype(np.int64).tolist(),
        strict=True,
    )
    for number, cat, k, n, mk, la, lo, ready, strong, mov, crs, spd, ago_s, life_s in rows:
        c = categories[cat]
        kind = c.kinds[k]
        level, rel = c.markings[mk]
        last = now - timedelta(seconds=ago_s)
        append(
            UnitData(
                name=f"Synthetic {kind.label} {number}",
                sidc=kind.sidc,
                lat=la,
                lon=lo,
                callsign=f"{callwords[number % n_words]} {number}",
                nation=c.nations[n],
                affiliation=kind.affiliation,
                echelon=kind.echelon,
                course=crs if mov else None,
                speed=spd if mov else None,
                readiness=READINESS[ready],
                strength=strong,
                last_report=last,
                stale_after=last + timedelta(seconds=life_s),
                classification=level,
                releasable_to=rel,
                id=ids[number - 1],
            )
        )
    return result


# --------------------------------------------------------------------------- zones


def zones(
    seed: int, start: int, count: int, total: int, now: datetime, ids: list[str]
) -> list[ZoneData]:
    """Synthetic zones ``start`` .. ``start + count - 1``: star-shaped polygons."""
    rng = random.Random(f"coral-shield/{seed}/synthetic-zones")
    where = area(total)
    table = data.marking_table()
    marks = data.load("synthetic")["zones"]["markings_by_severity"]
    result: list[ZoneData] = []
    for index in range(start, start + count):
        kind = ZONE_KINDS[index % len(ZONE_KINDS)]
        severity = rng.randint(1, 5)
        lat, lon = position(rng, where)
        radius = rng.uniform(0.03, 0.2)
        sides = rng.randint(6, 12)
        # star-shaped around the centre with increasing angles: simple and counter-clockwise
        step = 2 * math.pi / sides
        ring = []
        for k in range(sides):
            angle = step * (k + rng.uniform(0.1, 0.9))
            r = radius * rng.uniform(0.6, 1.0)
            ring.append((lon + r * math.cos(angle), lat + r * math.sin(angle)))
        level, rel = table[marks[severity - 1]]
        valid_from = valid_to = None
        if rng.random() < 0.5:
            valid_from = now - timedelta(hours=int(rng.uniform(1, 240)))
            valid_to = now + timedelta(hours=int(rng.uniform(1, 480)))
        result.append(
            ZoneData(
                name=f"Synthetic {kind if kind.endswith('zone') else kind + ' zone'} {index + 1}",
                kind=kind,
                severity=severity,
                geometry={"type": "Polygon", "coordinates": [close(ring)]},
                valid_from=valid_from,
                valid_to=valid_to,
                description="Synthetic zone for load testing.",
                classification=level,
                releasable_to=rel,
                id=ids[index],
            )
        )
    return result


# --------------------------------------------------------------------------- tasks


def tasks(
    seed: int, start: int, count: int, unit_list: list[UnitData], now: datetime, ids: list[str]
) -> list[TaskData]:
    """``count`` synthetic tasks (for load tests), given to the picture's friendly units."""
    rng = random.Random(f"coral-shield/{seed}/synthetic-tasks")
    friends = [u.id for u in unit_list if u.affiliation == "friend" and u.id]
    spec = data.load("synthetic")["tasks"]
    marks = [data.marking_table()[key] for key in spec["markings"]]
    originator = spec["originator"]
    where = area(len(unit_list))
    if len(ids) < start + count:  # the i-th id depends on i only: a longer stream extends it
        ids = id_stream(seed, 4, start + count)
    result: list[TaskData] = []
    for number in range(start, start + count):
        kind = TASK_TYPES[number % len(TASK_TYPES)]
        status = STATUSES[rng.randrange(len(STATUSES))]
        assigned: list[str] = []
        if friends and status != "draft":
            assigned = rng.sample(friends, k=min(len(friends), rng.choice((1, 1, 1, 2))))
        elif status != "draft":
            status = "draft"
        location = None
        if rng.random() < 0.8:
            lat, lon = position(rng, where)
            location = {"type": "Point", "coordinates": [lon, lat]}
        start_at = now + timedelta(minutes=rng.randint(-72 * 60, 24 * 60))
        level, rel = marks[rng.randrange(len(marks))]
        result.append(
            TaskData(
                id=ids[number],
                title=f"Synthetic {kind} task {number + 1}",
                type=kind,
                priority=PRIORITIES[rng.randrange(len(PRIORITIES))],
                status=status,
                assigned_units=assigned,
                originator=originator,
                location=location,
                start=start_at,
                due=start_at + timedelta(minutes=rng.randint(60, 96 * 60)),
                classification=level,
                releasable_to=rel,
            )
        )
    return result
