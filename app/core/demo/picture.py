"""The demo picture: Operation CORAL SHIELD.

A fictional EU/NATO-led multinational humanitarian and stabilisation operation in
Cabo Delgado province, northern Mozambique.  The geography is real (Pemba, Montepuez,
Mueda, Macomia, Mocímboa da Praia, Palma, the Messalo and Lúrio rivers, the N380);
every unit, name and callsign is invented.

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

import contextlib
import gc
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from app.core.common.markings import Classification, Releasability
from app.core.common.sidc import make_sidc, parse_sidc
from app.core.picture.records import READINESS, ZONE_KINDS, UnitData, ZoneData
from app.core.tasks.records import PRIORITIES, STATUSES, TASK_TYPES, TaskData
from app.i18n import _

if TYPE_CHECKING:
    from app.core.store.engine import Store

OPERATION = "Operation CORAL SHIELD"
MAX_UNITS = 100_000
MAX_ZONES = 100_000
MAX_TASKS = 100_000

# Ids: UUIDv7 layout (48-bit milliseconds, version 7, RFC 4122 variant) with a fixed
# time base, so they are valid, time-ordered by index, and the same for a seed.
_ID_BASE_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def _entropy(seed: int, stream: int) -> list[int]:
    """Seed material for one numpy random stream of the demo (any int seed)."""
    return [abs(seed) * 2 + (seed < 0), stream, 0xC0A1]


def _id_stream(seed: int, stream: int, count: int) -> list[str]:
    """``count`` UUIDv7-shaped ids; the i-th depends only on (seed, stream, i)."""
    raw = np.random.PCG64(np.random.SeedSequence(_entropy(seed, stream))).random_raw(2 * count)
    raw = raw.reshape(count, 2)
    ms = np.arange(_ID_BASE_MS, _ID_BASE_MS + count, dtype=np.uint64)
    words = np.empty((count, 2), dtype=">u8")  # big-endian, so the bytes read as the UUID
    # 48-bit time, version 7, 12 random bits | variant 0b10, 62 random bits
    words[:, 0] = (ms << np.uint64(16)) | np.uint64(0x7000) | (raw[:, 0] >> np.uint64(52))
    words[:, 1] = (raw[:, 1] >> np.uint64(2)) | np.uint64(1 << 63)
    text = words.tobytes().hex()
    chunks = (text[i : i + 32] for i in range(0, 32 * count, 32))
    return [f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" for h in chunks]


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many records (none form cycles).

    Collections triggered by 100,000 new objects cost about a third of the build time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --------------------------------------------------------------------------- markings

_MISSION = ["NATO", "AUT", "IRL"]  # NATO plus the mission's non-NATO contributing nations


@cache
def _marking_table() -> dict[str, tuple[str, Releasability]]:
    """Marking profiles: (classification as stored, releasability), parsed once."""
    table = {
        # operational records: NATO RESTRICTED, releasable to NATO and the contributing nations
        "mission": ("NATO RESTRICTED", Releasability.parse(_MISSION)),
        # units partnered with host-nation forces
        "partnered": ("NATO RESTRICTED", Releasability.parse([*_MISSION, "MOZ"])),
        # sustainment, medical, CIMIC: shared with the UN for deconfliction
        "nato-un": ("NATO UNCLASSIFIED", Releasability.parse(["NATO", "UN"])),
        # sensitive: special operations, electronic warfare
        "confidential": ("NATO CONFIDENTIAL", Releasability.parse(["NATO"])),
        # hostile and unknown tracks: NATO only
        "threat": ("NATO RESTRICTED", Releasability.parse(["NATO"])),
        # host-nation and UN coordination records
        "coordination": ("UNCLASSIFIED", Releasability.parse(["NATO", "UN", "MOZ"])),
        # humanitarian records
        "public": ("UNCLASSIFIED", Releasability.public()),
    }
    # already in the form validate() gives, so records need no normalising
    return {key: (str(Classification.parse(level)), rel) for key, (level, rel) in table.items()}


# --------------------------------------------------------------------------- the scenario's units


class _Unit(NamedTuple):
    key: str
    parent: str | None
    name: str
    callsign: str
    nation: str
    identity: str  # friend, neutral, hostile, unknown
    symbol_set: str  # "10" land unit, "11" land civilian unit/organisation
    entity: str
    echelon: str  # a name (company ...) or "00"
    lat: float
    lon: float
    marking: str
    readiness: str = "green"
    hq: bool = False
    moving: tuple[float, float] | None = None  # (course degrees, speed m/s)
    stale: bool = False
    remarks: str = ""


_F, _N, _H, _U = "friend", "neutral", "hostile", "unknown"
_MIL, _CIV = "10", "11"

# Parents come before their children, so any prefix of this list is self-contained.
# fmt: off
_SCENARIO_UNITS: tuple[_Unit, ...] = (
    # --- brigade headquarters and enablers, Pemba (airhead and port)
    _Unit("bde", None, "HQ Multinational Brigade CORAL", "CORAL 6", "PRT", _F, _MIL, "121000",
          "brigade", -12.962, 40.508, "mission", hq=True,
          remarks="Brigade main HQ, Pemba; OPCON battlegroups TRIDENT, LIONFISH and ORCA."),
    _Unit("sig", "bde", "Brigade Signal Company", "SPARK 6", "PRT", _F, _MIL, "111000",
          "company", -12.967, 40.512, "mission"),
    _Unit("mp", "bde", "Brigade Military Police Platoon", "WARDEN 1", "BEL", _F, _MIL, "141200",
          "platoon", -12.974, 40.515, "partnered",
          remarks="Joint patrols with host-nation police in Pemba."),
    _Unit("cbrn", "bde", "CBRN Defence Platoon", "ASH 1", "DEU", _F, _MIL, "140100",
          "platoon", -12.985, 40.517, "mission"),
    _Unit("cimic", "bde", "CIMIC Centre Pemba", "BRIDGE 6", "ITA", _F, _MIL, "110300",
          "company", -12.970, 40.505, "nato-un",
          remarks="Humanitarian liaison desk; daily meeting with OCHA at 0900Z."),
    _Unit("cimic-metuge", "cimic", "CIMIC Team Metuge", "BRIDGE 2", "NLD", _F, _MIL, "110300",
          "team", -12.826, 40.362, "nato-un"),
    _Unit("ca-macomia", "cimic", "Civil Affairs Team Macomia", "BRIDGE 3", "PRT", _F, _MIL,
          "110200", "team", -12.250, 40.118, "nato-un"),
    _Unit("sof", "bde", "Special Operations Task Unit", "SABRE 1", "FRA", _F, _MIL, "121800",
          "team", -11.425, 40.262, "confidential"),
    _Unit("ew", "bde", "Electronic Warfare Team", "ECHO 7", "POL", _F, _MIL, "150500",
          "team", -12.198, 40.083, "confidential"),
    _Unit("helo", "bde", "Multinational Helicopter Detachment", "ROTOR 6", "FRA", _F, _MIL,
          "120600", "company", -12.990, 40.520, "mission"),
    _Unit("medevac", "helo", "Medevac Helicopter Flight", "ROTOR 2", "DEU", _F, _MIL, "120600",
          "platoon", -12.994, 40.526, "nato-un", remarks="Two aircraft at 30 min notice."),
    _Unit("uas", "bde", "UAS Platoon", "HAWKEYE 1", "ITA", _F, _MIL, "121900",
          "platoon", -11.668, 39.562, "mission", readiness="amber",
          remarks="One air vehicle unserviceable, spares due by air."),
    # --- sustainment
    _Unit("log", "bde", "Brigade Logistics Battalion", "ANCHOR 6", "ITA", _F, _MIL, "160600",
          "battalion", -12.964, 40.495, "nato-un", hq=True),
    _Unit("supply", "log", "Supply Company", "ANCHOR 1", "ITA", _F, _MIL, "163400",
          "company", -12.960, 40.492, "nato-un"),
    _Unit("transport", "log", "Transport Company", "ANCHOR 2", "ESP", _F, _MIL, "163600",
          "company", -12.720, 40.040, "nato-un", moving=(350.0, 11.0),
          remarks="Food convoy for WFP, Pemba to Macomia along the N380."),
    _Unit("transport-2", "transport", "Transport Platoon (Montepuez convoy)", "ANCHOR 2-2", "PRT",
          _F, _MIL, "163600", "platoon", -13.060, 39.560, "nato-un", moving=(262.0, 13.0)),
    _Unit("water", "log", "Water Purification Section", "ANCHOR 5", "AUT", _F, _MIL, "164800",
          "section", -12.834, 40.371, "nato-un", remarks="Producing 60,000 L/day for the Metuge site."),
    _Unit("role2", "log", "Role 2 Medical Treatment Facility", "MEDIC 6", "DEU", _F, _MIL, "161400",
          "company", -12.976, 40.508, "nato-un"),
    _Unit("med-macomia", "role2", "Medical Platoon Macomia", "MEDIC 3", "FRA", _F, _MIL, "161300",
          "platoon", -12.244, 40.127, "nato-un"),
    # --- Battlegroup TRIDENT (north: Mueda, Mocímboa da Praia, Palma)
    _Unit("bg-n", "bde", "Battlegroup TRIDENT HQ", "TRIDENT 6", "PRT", _F, _MIL, "121102",
          "battalion", -11.666, 39.545, "mission", hq=True),
    _Unit("n-a", "bg-n", "A Company (mechanized)", "TRIDENT 1", "PRT", _F, _MIL, "121102",
          "company", -11.385, 40.300, "mission", readiness="amber",
          remarks="FOB west of Mocímboa da Praia; two vehicles damaged by IED."),
    _Unit("n-a1", "n-a", "1st Platoon, A Company", "TRIDENT 1-1", "PRT", _F, _MIL, "121102",
          "platoon", -11.340, 40.322, "mission", moving=(40.0, 4.0)),
    _Unit("n-b", "bg-n", "B Company (motorized)", "TRIDENT 2", "ESP", _F, _MIL, "121104",
          "company", -10.790, 40.455, "partnered"),
    _Unit("n-b1", "n-b", "1st Platoon, B Company", "TRIDENT 2-1", "ESP", _F, _MIL, "121104",
          "platoon", -11.050, 40.370, "mission", moving=(195.0, 8.0)),
    _Unit("n-c", "bg-n", "C Company", "TRIDENT 3", "POL", _F, _MIL, "121100",
          "company", -11.655, 39.538, "mission"),
    _Unit("n-rec", "bg-n", "Reconnaissance Troop", "TRIDENT 7", "ESP", _F, _MIL, "121300",
          "company", -11.800, 39.800, "mission"),
    _Unit("n-rec3", "n-rec", "Reconnaissance Team Messalo", "TRIDENT 7-3", "ESP", _F, _MIL,
          "121300", "team", -11.905, 39.990, "mission", readiness="amber", stale=True,
          remarks="Missed last two scheduled reports; assumed comms failure."),
    # --- Battlegroup LIONFISH (centre: Macomia, Quissanga, Meluco)
    _Unit("bg-c", "bde", "Battlegroup LIONFISH HQ", "LIONFISH 6", "FRA", _F, _MIL, "121100",
          "battalion", -12.238, 40.112, "mission", hq=True),
    _Unit("c-1", "bg-c", "1st Company", "LIONFISH 1", "FRA", _F, _MIL, "121100",
          "company", -11.985, 40.178, "mission"),
    _Unit("c-11", "c-1", "1st Platoon, 1st Company", "LIONFISH 1-1", "FRA", _F, _MIL, "121100",
          "platoon", -12.100, 40.160, "mission", moving=(352.0, 3.0)),
    _Unit("c-2", "bg-c", "2nd Company (motorized)", "LIONFISH 2", "BEL", _F, _MIL, "121104",
          "company", -12.420, 40.470, "partnered", readiness="amber"),
    _Unit("c-23", "c-2", "3rd Section, 2nd Company", "LIONFISH 2-3", "BEL", _F, _MIL, "121104",
          "section", -12.080, 40.490, "mission", readiness="red",
          remarks="Contact near Mucojo 0415Z; two wounded evacuated; resupply requested."),
    _Unit("c-3", "bg-c", "3rd Company (mechanized)", "LIONFISH 3", "ITA", _F, _MIL, "121102",
          "company", -12.540, 39.640, "mission"),
    _Unit("c-rec", "bg-c", "Armoured Reconnaissance Platoon", "LIONFISH 5", "FRA", _F, _MIL,
          "120501", "platoon", -11.950, 40.050, "mission", moving=(80.0, 6.0)),
    # --- Battlegroup ORCA (south and west: Montepuez, Ancuabe, Chiúre, Metuge)
    _Unit("bg-s", "bde", "Battlegroup ORCA HQ", "ORCA 6", "DEU", _F, _MIL, "121102",
          "battalion", -13.120, 39.010, "mission", hq=True),
    _Unit("s-2", "bg-s", "2nd Company (amphibious)", "ORCA 2", "NLD", _F, _MIL, "121101",
          "company", -12.958, 40.500, "mission", remarks="Brigade reserve, 2 h notice to move."),
    _Unit("s-3", "bg-s", "3rd Company", "ORCA 3", "POL", _F, _MIL, "121100",
          "company", -12.972, 39.852, "mission"),
    _Unit("s-31", "s-3", "1st Platoon, 3rd Company", "ORCA 3-1", "POL", _F, _MIL, "121100",
          "platoon", -13.382, 39.785, "mission", stale=True),
    _Unit("s-4", "bg-s", "4th Company (motorized)", "ORCA 4", "IRL", _F, _MIL, "121104",
          "company", -12.845, 40.345, "partnered", remarks="Security of the Metuge safe area."),
    _Unit("s-eng", "bg-s", "Engineer Company", "ORCA 5", "DEU", _F, _MIL, "140701",
          "company", -12.815, 40.358, "nato-un", remarks="Drainage and latrines, Metuge site."),
    _Unit("s-eng2", "s-eng", "Engineer Section Lúrio Bridge", "ORCA 5-2", "NLD", _F, _MIL,
          "140702", "section", -13.545, 39.795, "nato-un"),
    # --- host nation
    _Unit("hn-bn", "bde", "Host-Nation Infantry Battalion", "KUDU 6", "MOZ", _F, _MIL, "121100",
          "battalion", -11.700, 39.600, "partnered", hq=True),
    _Unit("hn-gov", None, "Provincial Government Office", "", "MOZ", _N, _CIV, "110200",
          "00", -12.972, 40.519, "coordination"),
    _Unit("hn-dist", None, "District Administration Macomia", "", "MOZ", _N, _CIV, "110200",
          "00", -12.248, 40.123, "coordination"),
    _Unit("hn-police", None, "Host-Nation Police Post Montepuez", "", "MOZ", _N, _MIL, "200700",
          "section", -13.128, 39.004, "coordination"),
    # --- United Nations
    _Unit("un-cmcoord", None, "UN Civil-Military Coordination Cell", "UN CMCOORD", "OCHA", _N,
          _CIV, "110400", "00", -12.963, 40.506, "coordination"),
    _Unit("wfp-hub", None, "WFP Logistics Hub Pemba", "WFP PEMBA", "WFP", _N, _CIV, "110400",
          "00", -12.962, 40.490, "public", remarks="Warehouse 4,800 t; trucks to Macomia daily."),
    _Unit("wfp-fdp", None, "WFP Forward Distribution Point Ancuabe", "WFP ANCUABE", "WFP", _N,
          _CIV, "110400", "00", -12.978, 39.858, "public"),
    _Unit("unhcr", None, "UNHCR Protection Team Metuge", "UNHCR METUGE", "UNHCR", _N, _CIV,
          "110400", "00", -12.830, 40.366, "public"),
    _Unit("who", None, "WHO Cholera Response Team", "WHO CTC", "WHO", _N, _CIV, "111000",
          "00", -13.122, 38.995, "public"),
    # --- non-governmental organisations
    _Unit("msf-fh", None, "MSF Field Hospital Macomia", "MSF MACOMIA", "MSF", _N, _CIV, "111000",
          "00", -12.256, 40.130, "public"),
    _Unit("msf-mc", None, "MSF Mobile Clinic", "MSF MOBILE 1", "MSF", _N, _CIV, "111000",
          "00", -12.900, 39.950, "public", moving=(110.0, 9.0)),
    _Unit("icrc", None, "ICRC Team Mueda", "ICRC MUEDA", "ICRC", _N, _CIV, "110400",
          "00", -11.670, 39.540, "public", stale=True, remarks="Outside network coverage."),
    # --- hostile groups (fictional)
    _Unit("h-moc", None, "Insurgent group, Mocímboa west (est. company)", "TRACK H101", "", _H,
          _MIL, "121100", "company", -11.410, 40.190, "threat"),
    _Unit("h-messalo", None, "Insurgent cell, Messalo valley", "TRACK H102", "", _H, _MIL,
          "121100", "platoon", -11.850, 40.120, "threat", stale=True),
    _Unit("h-chai", None, "Insurgent roadblock N380, Chai", "TRACK H103", "", _H, _MIL, "121100",
          "section", -12.020, 40.165, "threat", remarks="Extortion of travellers reported."),
    _Unit("h-muid", None, "Insurgent motorized group, Muidumbe", "TRACK H105", "", _H, _MIL,
          "121104", "platoon", -11.780, 39.850, "threat", moving=(120.0, 6.0)),
    _Unit("h-quit", None, "Insurgent group, Quiterajo (est. company)", "TRACK H106", "", _H, _MIL,
          "121100", "company", -11.760, 40.390, "threat"),
    # --- unknown tracks
    _Unit("u-meluco", None, "Unidentified armed group, Meluco", "TRACK U201", "", _U, _MIL,
          "121100", "section", -12.450, 39.800, "threat", stale=True),
    _Unit("u-ancuabe", None, "Unidentified vehicles, Ancuabe", "TRACK U202", "", _U, _MIL,
          "121104", "team", -12.850, 39.950, "threat", moving=(300.0, 10.0)),
    _Unit("u-palma", None, "Unidentified armed group, Palma hinterland", "TRACK U203", "", _U,
          _MIL, "121100", "00", -10.900, 40.300, "threat"),
)
# fmt: on

# --------------------------------------------------------------------------- the scenario's zones


def _close(points: Sequence[tuple[float, float]]) -> list[list[float]]:
    ring = [[round(lon, 5), round(lat, 5)] for lon, lat in points]
    if ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    return ring


def _polygon(points: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """A GeoJSON Polygon from (lon, lat) points, exterior counter-clockwise (RFC 7946)."""
    ring = _close(points)
    area2 = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False))
    if area2 < 0:
        ring.reverse()
    return {"type": "Polygon", "coordinates": [ring]}


def _buffered_line(points: Sequence[tuple[float, float]], half_width_deg: float) -> dict[str, Any]:
    """A thin polygon along a (lon, lat) line: a road corridor or a river's flood plain."""
    from shapely.geometry import LineString

    shape = LineString(points).buffer(half_width_deg, quad_segs=4)
    return _polygon(list(shape.exterior.coords))


def _ellipse(lon: float, lat: float, rx_deg: float, ry_deg: float, n: int = 24) -> dict[str, Any]:
    return _polygon(
        [
            (
                lon + rx_deg * math.cos(2 * math.pi * k / n),
                lat + ry_deg * math.sin(2 * math.pi * k / n),
            )
            for k in range(n)
        ]
    )


# The N380 from Pemba west to the Sunate junction, then north to Macomia.
_N380_PEMBA_MACOMIA = [
    (40.505, -12.975),
    (40.430, -13.025),
    (40.300, -13.020),
    (40.150, -12.995),
    (40.010, -12.975),
    (40.020, -12.800),
    (40.050, -12.610),
    (40.090, -12.430),
    (40.120, -12.250),
]
# The lower Messalo, from below the N380 crossing to its mouth north of Quiterajo.
_LOWER_MESSALO = [
    (39.900, -11.930),
    (40.050, -11.890),
    (40.180, -11.850),
    (40.320, -11.750),
    (40.440, -11.665),
]
# The lower Lúrio (the provincial boundary), from the N1 crossing to Baía do Lúrio.
_LOWER_LURIO = [
    (39.780, -13.555),
    (40.050, -13.580),
    (40.300, -13.540),
    (40.530, -13.500),
]
# The road from the Awasse junction (N380) to Mocímboa da Praia.
_AWASSE_MOCIMBOA = [(40.140, -11.480), (40.230, -11.420), (40.340, -11.355)]

# Mocímboa da Praia town and its hinterland, to the coast.
_MOCIMBOA_AREA = [
    (40.15, -11.22),
    (40.30, -11.18),
    (40.44, -11.24),
    (40.41, -11.33),
    (40.44, -11.42),
    (40.45, -11.52),
    (40.30, -11.58),
    (40.15, -11.55),
    (40.08, -11.40),
]
# Macomia, Chai and the coast at Mucojo.
_MACOMIA_AREA = [
    (39.98, -12.05),
    (40.15, -11.93),
    (40.35, -11.95),
    (40.50, -12.05),
    (40.50, -12.20),
    (40.38, -12.32),
    (40.20, -12.40),
    (40.02, -12.32),
]
# The coast and bush around Quiterajo, south of the Messalo mouth.
_QUITERAJO_AREA = [
    (40.28, -11.68),
    (40.36, -11.63),
    (40.44, -11.65),
    (40.46, -11.80),
    (40.40, -11.87),
    (40.28, -11.82),
]


@dataclass(frozen=True)
class _Zone:
    name: str
    kind: str
    severity: int
    geometry: dict[str, Any]
    marking: str
    valid: tuple[float, float | None] | None = None  # (from, to) in days relative to now
    description: str = ""


def _scenario_zones() -> list[_Zone]:
    return [
        _Zone(
            "Conflict area Mocímboa da Praia",
            "conflict",
            5,
            _polygon(_MOCIMBOA_AREA),
            "mission",
            description="Repeated insurgent attacks on the town and the coastal road; "
            "armed escort required for all movement.",
        ),
        _Zone(
            "Conflict area Macomia",
            "conflict",
            4,
            _polygon(_MACOMIA_AREA),
            "nato-un",
            description="Macomia, Chai and Mucojo: sporadic attacks and roadblocks "
            "on the N380; humanitarian access by escorted convoy only.",
        ),
        _Zone(
            "No-go area Quiterajo / Messalo mouth",
            "no-go",
            5,
            _polygon(_QUITERAJO_AREA),
            "confidential",
            description="Insurgent base area. No movement without brigade approval.",
        ),
        _Zone(
            "No-go road Awasse - Mocímboa da Praia",
            "no-go",
            4,
            _buffered_line(_AWASSE_MOCIMBOA, 0.02),
            "mission",
            valid=(-5.0, 10.0),
            description="IED threat on the road; route clearance in progress.",
        ),
        _Zone(
            "Flood zone lower Messalo",
            "flood",
            4,
            _buffered_line(_LOWER_MESSALO, 0.035),
            "public",
            valid=(-3.0, 7.0),
            description="River out of its banks after heavy rain; the N380 diversion at "
            "Miangaleua is under water.",
        ),
        _Zone(
            "Flood zone lower Lúrio",
            "flood",
            3,
            _buffered_line(_LOWER_LURIO, 0.03),
            "public",
            valid=(-2.0, 9.0),
            description="Flooded fields and villages on both banks; the N1 bridge is open.",
        ),
        _Zone(
            "Humanitarian corridor N380 Pemba - Macomia",
            "corridor",
            2,
            _buffered_line(_N380_PEMBA_MACOMIA, 0.025),
            "nato-un",
            valid=(-2.0, 14.0),
            description="Escorted convoys daily 0600-1600 local; report at the Sunate checkpoint.",
        ),
        _Zone(
            "Safe area Metuge displacement site",
            "safe area",
            3,
            _ellipse(40.362, -12.832, 0.05, 0.035),
            "public",
            description="About 38,000 displaced people; protection by ORCA 4.",
        ),
        _Zone(
            "Cholera outbreak Montepuez",
            "epidemic",
            3,
            _ellipse(39.00, -13.125, 0.09, 0.07),
            "public",
            valid=(-12.0, 18.0),
            description="Cholera treatment centre at the district hospital; oral vaccination "
            "campaign under way.",
        ),
        _Zone(
            "Restricted operating zone Pemba airport",
            "restricted operating zone",
            1,
            _ellipse(40.524, -12.992, 0.075, 0.075, n=32),
            "nato-un",
            valid=(-30.0, None),
            description="Surface to 3,000 ft; all UAS and helicopter flights coordinate with "
            "the Pemba air cell.",
        ),
    ]


# --------------------------------------------------------------------------- the scenario's tasks


class _Task(NamedTuple):
    title: str
    type: str
    priority: str
    status: str
    units: tuple[str, ...]  # unit keys
    originator: str
    location: dict[str, Any] | None
    start: float | None  # hours relative to now
    due: float | None  # hours relative to now
    marking: str
    description: str = ""


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def _scenario_tasks() -> list[_Task]:
    """The brigade's tasking: every status, some late (due in the past and still open)."""
    return [
        _Task(
            "Escort WFP convoy from the Pemba airhead to Camp North (Macomia)",
            "escort",
            "immediate",
            "in_progress",
            ("transport", "c-2"),
            "CORAL 6 G3",
            _buffered_line(_N380_PEMBA_MACOMIA, 0.015),
            -2,
            5,
            "nato-un",
            "18 trucks, 240 t of food for WFP. Escort along the N380, report at the Sunate "
            "checkpoint, hand over at Camp North.",
        ),
        _Task(
            "Clear route BLUE (Awasse - Mocímboa da Praia)",
            "route clearance",
            "immediate",
            "in_progress",
            ("n-a", "n-a1"),
            "TRIDENT 6",
            _buffered_line(_AWASSE_MOCIMBOA, 0.012),
            -20,
            -3,
            "mission",
            "IED threat; two vehicles damaged on the last attempt. Clear and hold the road "
            "for the logistics convoy.",
        ),
        _Task(
            "Secure distribution point 4 (Ancuabe)",
            "distribution",
            "priority",
            "assigned",
            ("s-3",),
            "ORCA 6",
            _point(39.858, -12.978),
            2,
            18,
            "nato-un",
            "WFP forward distribution point: food for about 6,500 people, distribution "
            "starts at first light.",
        ),
        _Task(
            "Medevac two casualties from Mucojo",
            "medical evacuation",
            "flash",
            "complete",
            ("medevac",),
            "LIONFISH 6",
            _point(40.49, -12.08),
            -9,
            -7,
            "nato-un",
            "Two wounded after the contact at 0415Z; evacuated to the Role 2 in Pemba.",
        ),
        _Task(
            "Medevac transfer Macomia - Role 2 Pemba",
            "medical evacuation",
            "priority",
            "assigned",
            ("medevac", "med-macomia"),
            "CORAL 6 Med",
            _point(40.127, -12.244),
            1,
            4,
            "nato-un",
            "One stable patient for surgery at the Role 2.",
        ),
        _Task(
            "Joint patrol of Pemba town with host-nation police",
            "patrol",
            "routine",
            "in_progress",
            ("mp",),
            "CORAL 6 G3",
            _ellipse(40.51, -12.97, 0.03, 0.025),
            -3,
            9,
            "partnered",
        ),
        _Task(
            "Night patrol of the Metuge displacement site perimeter",
            "patrol",
            "priority",
            "assigned",
            ("s-4",),
            "ORCA 6",
            _ellipse(40.362, -12.832, 0.06, 0.045),
            8,
            16,
            "mission",
        ),
        _Task(
            "Reconnaissance of the Chai roadblock on the N380",
            "reconnaissance",
            "immediate",
            "in_progress",
            ("c-rec",),
            "LIONFISH 6",
            _point(40.165, -12.02),
            -6,
            -1,
            "mission",
            "Confirm the strength and position of TRACK H103 before the convoy passes.",
        ),
        _Task(
            "Recce of the Messalo crossing near Miangaleua",
            "reconnaissance",
            "priority",
            "blocked",
            ("n-rec3",),
            "TRIDENT 6",
            _point(39.95, -11.92),
            -30,
            -6,
            "mission",
            "Blocked: the team is out of contact and the river is in flood.",
        ),
        _Task(
            "UAS overwatch of the Quiterajo base area",
            "reconnaissance",
            "priority",
            "in_progress",
            ("uas",),
            "CORAL 6 G2",
            _polygon(_QUITERAJO_AREA),
            -4,
            8,
            "confidential",
        ),
        _Task(
            "Special reconnaissance west of Mocímboa da Praia",
            "reconnaissance",
            "flash",
            "assigned",
            ("sof",),
            "CORAL 6 G3",
            _point(40.19, -11.41),
            6,
            30,
            "confidential",
        ),
        _Task(
            "Direction finding on insurgent radios around Macomia",
            "other",
            "immediate",
            "in_progress",
            ("ew",),
            "CORAL 6 G2",
            _ellipse(40.12, -12.2, 0.1, 0.08),
            -10,
            14,
            "confidential",
        ),
        _Task(
            "Food distribution at the Metuge site",
            "distribution",
            "priority",
            "complete",
            ("supply", "cimic-metuge"),
            "CORAL 6 G4",
            _point(40.366, -12.83),
            -30,
            -20,
            "public",
            "With WFP and UNHCR: 38,000 rations issued.",
        ),
        _Task(
            "Second water purification unit for Metuge",
            "engineering",
            "routine",
            "in_progress",
            ("water",),
            "CORAL 6 G4",
            _point(40.371, -12.834),
            -24,
            30,
            "nato-un",
        ),
        _Task(
            "Drainage and latrines at Metuge, phase 2",
            "engineering",
            "routine",
            "assigned",
            ("s-eng",),
            "ORCA 6",
            _ellipse(40.358, -12.815, 0.02, 0.015),
            12,
            72,
            "nato-un",
        ),
        _Task(
            "Repair the N1 approach to the Lúrio bridge",
            "engineering",
            "priority",
            "blocked",
            ("s-eng2",),
            "CORAL 6 G4",
            _point(39.78, -13.555),
            -36,
            -10,
            "nato-un",
            "Blocked: the approach is under water; work resumes when the river falls.",
        ),
        _Task(
            "Convoy access talks with the Macomia district administration",
            "liaison",
            "routine",
            "complete",
            ("ca-macomia",),
            "CORAL 6 J9",
            _point(40.123, -12.248),
            -50,
            -26,
            "coordination",
        ),
        _Task(
            "Daily coordination meeting with OCHA",
            "liaison",
            "routine",
            "in_progress",
            ("cimic",),
            "CORAL 6 J9",
            _point(40.506, -12.963),
            -1,
            2,
            "coordination",
        ),
        _Task(
            "Search for missing fishermen off Mucojo",
            "search and rescue",
            "immediate",
            "cancelled",
            ("helo",),
            "CORAL 6 G3",
            _polygon([(40.52, -12.02), (40.65, -12.02), (40.65, -12.14), (40.52, -12.14)]),
            -14,
            -8,
            "public",
            "Cancelled: the fishermen came back to Mucojo on their own.",
        ),
        _Task(
            "Rescue people cut off by the lower Messalo flood",
            "search and rescue",
            "flash",
            "in_progress",
            ("helo", "hn-bn"),
            "CORAL 6 G3",
            _ellipse(40.05, -11.89, 0.06, 0.03),
            -2,
            2,
            "public",
        ),
        _Task(
            "Escort the WHO cholera vaccination team in Montepuez",
            "escort",
            "priority",
            "assigned",
            ("s-31",),
            "ORCA 6",
            _ellipse(39.00, -13.125, 0.05, 0.04),
            -3,
            -1,
            "public",
            "The team is waiting; ORCA 3-1 has not reported.",
        ),
        _Task(
            "Escort the Montepuez supply convoy",
            "escort",
            "priority",
            "complete",
            ("transport-2", "s-3"),
            "CORAL 6 G4",
            _point(39.56, -13.06),
            -16,
            -8,
            "nato-un",
        ),
        _Task(
            "Patrol the Mueda - Muidumbe road",
            "patrol",
            "immediate",
            "assigned",
            ("n-c",),
            "TRIDENT 6",
            _buffered_line([(39.545, -11.666), (39.7, -11.72), (39.85, -11.78)], 0.015),
            1,
            7,
            "mission",
            "TRACK H105 reported moving south-east on this road.",
        ),
        _Task(
            "Patrol the Palma hinterland",
            "patrol",
            "priority",
            "draft",
            (),
            "TRIDENT 6",
            _point(40.30, -10.90),
            24,
            48,
            "mission",
        ),
        _Task(
            "Clear the N380 from Macomia to Awasse",
            "route clearance",
            "priority",
            "draft",
            (),
            "CORAL 6 G3",
            _buffered_line(
                [(40.12, -12.25), (40.13, -12.0), (40.14, -11.75), (40.14, -11.48)], 0.015
            ),
            36,
            60,
            "mission",
        ),
        _Task(
            "Secure Mocímboa da Praia port for a humanitarian landing",
            "other",
            "immediate",
            "cancelled",
            ("n-b",),
            "CORAL 6 G3",
            _point(40.355, -11.345),
            -48,
            -24,
            "mission",
            "Cancelled: the landing moved to Pemba.",
        ),
        _Task(
            "Decontamination point at the Pemba airhead",
            "other",
            "routine",
            "complete",
            ("cbrn",),
            "CORAL 6 G3",
            _point(40.52, -12.99),
            -72,
            -48,
            "mission",
        ),
        _Task(
            "Radio relay site on the Mueda plateau",
            "engineering",
            "routine",
            "in_progress",
            ("sig",),
            "CORAL 6 G6",
            _point(39.56, -11.67),
            -20,
            -2,
            "mission",
        ),
        _Task(
            "Joint patrol with the host-nation battalion around Mueda",
            "patrol",
            "routine",
            "assigned",
            ("hn-bn", "n-c"),
            "TRIDENT 6",
            _ellipse(39.55, -11.68, 0.08, 0.06),
            4,
            12,
            "partnered",
        ),
        _Task(
            "Liaison visit to the ICRC team in Mueda",
            "liaison",
            "routine",
            "draft",
            (),
            "CORAL 6 J9",
            _point(39.54, -11.67),
            None,
            72,
            "public",
        ),
        _Task(
            "Resupply LIONFISH 2-3 near Mucojo",
            "distribution",
            "immediate",
            "in_progress",
            ("supply", "c-23"),
            "LIONFISH 6",
            _point(40.49, -12.08),
            -1,
            3,
            "mission",
            "Ammunition, water and rations after the contact.",
        ),
    ]


# --------------------------------------------------------------------------- the picture


@dataclass
class DemoPicture:
    """Units, zones and tasks of the demo, ready for ``save_units`` / ``save_zones`` /
    ``save_tasks``."""

    units: list[UnitData]
    zones: list[ZoneData]
    tasks: list[TaskData] = field(default_factory=list)


_READINESS_STRENGTH = {"green": (86, 100), "amber": (66, 85), "red": (40, 62)}


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
    for index, spec in enumerate(_SCENARIO_UNITS):
        uid = ids[index]
        by_key[spec.key] = uid
        sidc = make_sidc(
            spec.identity,
            spec.symbol_set,
            spec.entity,
            spec.echelon,
            hq_tf_dummy="2" if spec.hq else "0",
        )
        parsed = parse_sidc(sidc)
        jitter = 0.003 if spec.symbol_set == _MIL else 0.001
        lat = round(spec.lat + rng.uniform(-jitter, jitter), 5)
        lon = round(spec.lon + rng.uniform(-jitter, jitter), 5)
        low, high = _READINESS_STRENGTH[spec.readiness]
        strength = rng.randint(low, high)
        course = speed = None
        if spec.moving:
            course = round((spec.moving[0] + rng.uniform(-10, 10)) % 360, 1)
            speed = round(spec.moving[1] * rng.uniform(0.8, 1.2), 1)
        threat = spec.identity in (_H, _U)
        last, stale_after = _times(rng, now, threat, spec.moving is not None, spec.stale)
        level, rel = _marking_table()[spec.marking]
        units.append(
            UnitData(
                name=spec.name,
                sidc=sidc,
                lat=lat,
                lon=lon,
                callsign=spec.callsign,
                nation=spec.nation,
                affiliation=parsed.affiliation_group,
                echelon=parsed.echelon,
                parent_id=by_key[spec.parent] if spec.parent else None,
                course=course,
                speed=speed,
                readiness=spec.readiness,
                strength=strength,
                last_report=last,
                stale_after=stale_after,
                remarks=spec.remarks,
                classification=level,
                releasable_to=rel,
                id=uid,
            )
        )
    return units


# --------------------------------------------------------------------------- synthetic records

# Easternmost mainland longitude every half degree of latitude from 20 S to 5 N
# (Natural Earth 1:50m land), so synthetic records stay ashore.
_COAST_LAT0 = -20.0
_COAST_LON = (
    34.75,
    35.36,
    35.85,
    36.56,
    36.94,
    37.64,
    38.98,
    39.72,
    40.11,
    40.54,
    40.69,
    40.64,
    40.59,
    40.55,
    40.57,
    40.50,
    40.53,
    40.46,
    40.51,
    40.48,
    39.72,
    39.66,
    39.49,
    39.32,
    39.44,
    39.30,
    39.53,
    39.07,
    38.81,
    38.98,
    39.12,
    39.47,
    39.73,
    39.91,
    40.19,
    40.69,
    40.97,
    41.69,
    41.96,
    42.41,
    42.88,
    43.35,
    43.90,
    44.49,
    45.27,
    46.08,
    46.59,
    47.08,
    47.54,
    47.98,
    48.27,
)
_COAST_ARRAY = np.array(_COAST_LON)
_REGION = (-16.0, -10.0, 35.0, 41.0)  # south, north, west, east: northern Mozambique
_EAST_AFRICA = (-20.0, 5.0, 25.0, 45.0)
_WIDE_FROM = 5_000  # more records than this are spread over East Africa


def _coast(lat: float) -> float:
    """A longitude safely west of the coast at ``lat`` (the lower of the two table rows)."""
    i = min(max(int((lat - _COAST_LAT0) / 0.5), 0), len(_COAST_LON) - 2)
    return min(_COAST_LON[i], _COAST_LON[i + 1]) - 0.1


def _position(rng: random.Random, area: tuple[float, float, float, float]) -> tuple[float, float]:
    south, north, west, east = area
    lat = rng.uniform(south, north)
    lon = rng.uniform(west, max(west + 0.1, min(east, _coast(lat))))
    return round(lat, 5), round(lon, 5)


_ECHELON_ABBR = {
    "team": "Tm",
    "section": "Sect",
    "platoon": "Plt",
    "company": "Coy",
    "battalion": "Bn",
    "brigade": "Bde",
}
_CALLWORDS = (
    "AMBER",
    "BASALT",
    "CEDAR",
    "DELTA",
    "EMBER",
    "FALCON",
    "GRANITE",
    "HARBOUR",
    "IBIS",
    "JASPER",
    "KESTREL",
    "LANTERN",
    "MARLIN",
    "NOMAD",
    "OSPREY",
    "PELICAN",
)
_FRIEND_NATIONS = ("PRT", "FRA", "ITA", "ESP", "DEU", "NLD", "POL", "BEL", "AUT", "IRL")
_NEUTRAL_NATIONS = ("WFP", "UNHCR", "UNICEF", "OCHA", "IOM", "WHO", "MSF", "ICRC", "NRC", "MOZ")


class _Kind(NamedTuple):
    sidc: str
    affiliation: str
    echelon: str | None
    label: str


def _pool(
    identity: str,
    symbol_set: str,
    entities: Sequence[str],
    echelons: Sequence[str],
    weights: Sequence[int],
) -> list[_Kind]:
    """Every SIDC a synthetic record of this identity may get, each built and checked once."""
    pool = []
    for entity in entities:
        for echelon, weight in zip(echelons, weights, strict=True):
            sidc = make_sidc(identity, symbol_set, entity, echelon)
            parsed = parse_sidc(sidc)
            label = _ECHELON_ABBR.get(parsed.echelon or "", "Org" if symbol_set == _CIV else "Grp")
            pool.extend([_Kind(sidc, parsed.affiliation_group, parsed.echelon, label)] * weight)
    return pool


_SMALL_TO_BIG = ("team", "section", "platoon", "company", "battalion")
_FRIEND_ENTITIES = (
    "121100",
    "121102",
    "121104",
    "121300",
    "140700",
    "161300",
    "163400",
    "163600",
    "111000",
    "141200",
    "110300",
    "120600",
    "160600",
    "140100",
    "164800",
)


class _Category(NamedTuple):
    share: float  # of all synthetic units
    kinds: list[_Kind]
    nations: tuple[str, ...]
    markings: list[tuple[str, Releasability]]
    threat: bool


def _categories() -> list[_Category]:
    """Friend 80 %, neutral 8 %, hostile 7 %, unknown 5 %, each with its SIDCs and markings."""
    m = _marking_table()
    friend_marks = [m["mission"]] * 14 + [m["partnered"]] * 2 + [m["nato-un"]] * 3
    friend_marks.append(m["confidential"])
    neutral_marks = [m["public"]] * 7 + [m["coordination"]] * 3
    return [
        _Category(
            0.80,
            _pool(_F, _MIL, _FRIEND_ENTITIES, _SMALL_TO_BIG, (2, 3, 4, 3, 1)),
            _FRIEND_NATIONS,
            friend_marks,
            False,
        ),
        _Category(
            0.08,
            _pool(_N, _CIV, ("110400", "111000", "110200"), ("00",), (1,)),
            _NEUTRAL_NATIONS,
            neutral_marks,
            False,
        ),
        _Category(
            0.07,
            _pool(_H, _MIL, ("121100", "121104", "121300"), _SMALL_TO_BIG[:4], (2, 2, 2, 1)),
            ("",),
            [m["threat"]],
            True,
        ),
        _Category(
            0.05,
            _pool(_U, _MIL, ("121100", "121104"), ("00", "team", "section"), (2, 1, 1)),
            ("",),
            [m["threat"]],
            True,
        ),
    ]


def _pick(rng: np.random.Generator, sizes: np.ndarray, category: np.ndarray) -> list[int]:
    """An index into each record's own list (its category's list of ``sizes``)."""
    picks: list[int] = (rng.random(len(category)) * sizes[category]).astype(np.int64).tolist()
    return picks


def _synthetic_units(
    seed: int, start: int, count: int, total: int, now: datetime, ids: list[str]
) -> list[UnitData]:
    """Synthetic units ``start`` .. ``start + count - 1``.

    Every random draw is made at once with numpy, and the SIDCs come from a small
    pool checked once, so the per-unit work is building the record.
    """
    rng = np.random.default_rng(_entropy(seed, 3))
    categories = _categories()
    shares = np.cumsum([c.share for c in categories])[:-1]
    category = np.searchsorted(shares, rng.random(count), side="right")
    kind_at = _pick(rng, np.array([len(c.kinds) for c in categories]), category)
    nation_at = _pick(rng, np.array([len(c.nations) for c in categories]), category)
    marking_at = _pick(rng, np.array([len(c.markings) for c in categories]), category)
    threat = np.array([c.threat for c in categories])[category]

    south, north, west, east = _EAST_AFRICA if total > _WIDE_FROM else _REGION
    lat = rng.uniform(south, north, count)
    row = np.clip(((lat - _COAST_LAT0) / 0.5).astype(np.int64), 0, len(_COAST_LON) - 2)
    coast = np.minimum(_COAST_ARRAY[row], _COAST_ARRAY[row + 1]) - 0.1
    lon = west + rng.random(count) * (np.maximum(west + 0.1, np.minimum(east, coast)) - west)

    readiness_roll = rng.random(count)
    readiness_at = np.searchsorted([0.85, 0.97], readiness_roll, side="right")
    low = np.array([_READINESS_STRENGTH[r][0] for r in READINESS])[readiness_at]
    high = np.array([_READINESS_STRENGTH[r][1] for r in READINESS])[readiness_at]
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

    units: list[UnitData] = []
    append = units.append
    callwords = _CALLWORDS
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
                callsign=f"{callwords[number % 16]} {number}",
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
    return units


_ZONE_SEVERITY_MARKS = ("public", "nato-un", "nato-un", "mission", "threat")


def _synthetic_zones(
    seed: int, start: int, count: int, total: int, now: datetime, ids: list[str]
) -> list[ZoneData]:
    rng = random.Random(f"coral-shield/{seed}/synthetic-zones")
    area = _EAST_AFRICA if total > _WIDE_FROM else _REGION
    zones: list[ZoneData] = []
    for index in range(start, start + count):
        kind = ZONE_KINDS[index % len(ZONE_KINDS)]
        severity = rng.randint(1, 5)
        lat, lon = _position(rng, area)
        radius = rng.uniform(0.03, 0.2)
        sides = rng.randint(6, 12)
        # star-shaped around the centre with increasing angles: simple and counter-clockwise
        step = 2 * math.pi / sides
        ring = []
        for k in range(sides):
            angle = step * (k + rng.uniform(0.1, 0.9))
            r = radius * rng.uniform(0.6, 1.0)
            ring.append((lon + r * math.cos(angle), lat + r * math.sin(angle)))
        level, rel = _marking_table()[_ZONE_SEVERITY_MARKS[severity - 1]]
        valid_from = valid_to = None
        if rng.random() < 0.5:
            valid_from = now - timedelta(hours=int(rng.uniform(1, 240)))
            valid_to = now + timedelta(hours=int(rng.uniform(1, 480)))
        zones.append(
            ZoneData(
                name=f"Synthetic {kind if kind.endswith('zone') else kind + ' zone'} {index + 1}",
                kind=kind,
                severity=severity,
                geometry={"type": "Polygon", "coordinates": [_close(ring)]},
                valid_from=valid_from,
                valid_to=valid_to,
                description="Synthetic zone for load testing.",
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
    n_units = _count(units, len(_SCENARIO_UNITS), MAX_UNITS, "units")
    n_tasks = _count(tasks, -1, MAX_TASKS, "tasks")
    specs = _scenario_zones()
    n_zones = _count(zones, len(specs), MAX_ZONES, "zones")
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    else:
        now = now.astimezone(UTC)

    unit_ids = _id_stream(seed, 1, max(n_units, len(_SCENARIO_UNITS)))
    unit_list = _scenario_units(random.Random(seed), now, unit_ids)[:n_units]
    if n_units > len(unit_list):
        with _gc_paused():
            unit_list += _synthetic_units(
                seed, len(unit_list), n_units - len(unit_list), n_units, now, unit_ids
            )

    zone_ids = _id_stream(seed, 2, max(n_zones, len(specs)))
    zone_list: list[ZoneData] = []
    for index, spec in enumerate(specs[:n_zones]):
        level, rel = _marking_table()[spec.marking]
        valid_from = valid_to = None
        if spec.valid:
            valid_from = now + timedelta(days=spec.valid[0])
            valid_to = now + timedelta(days=spec.valid[1]) if spec.valid[1] is not None else None
        zone_list.append(
            ZoneData(
                name=spec.name,
                kind=spec.kind,
                severity=spec.severity,
                geometry=spec.geometry,
                valid_from=valid_from,
                valid_to=valid_to,
                description=spec.description,
                classification=level,
                releasable_to=rel,
                id=zone_ids[index],
            )
        )
    if n_zones > len(zone_list):
        with _gc_paused():
            zone_list += _synthetic_zones(
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
    specs = _scenario_tasks()
    if wanted < 0:
        wanted = len(specs) if n_units >= len(_SCENARIO_UNITS) else 0
    if wanted == 0:
        return []
    key_id = {spec.key: unit_ids[i] for i, spec in enumerate(_SCENARIO_UNITS)}
    present = {u.id for u in unit_list}
    ids = _id_stream(seed, 4, max(wanted, len(specs)))
    result: list[TaskData] = []
    for index, spec in enumerate(specs):
        if len(result) == wanted:
            break
        assigned = [key_id[key] for key in spec.units]
        if any(uid not in present for uid in assigned):
            continue
        level, rel = _marking_table()[spec.marking]
        result.append(
            TaskData(
                id=ids[index],
                title=spec.title,
                type=spec.type,
                description=spec.description,
                priority=spec.priority,
                status=spec.status,
                assigned_units=assigned,
                originator=spec.originator,
                location=spec.location,
                start=now + timedelta(hours=spec.start) if spec.start is not None else None,
                due=now + timedelta(hours=spec.due) if spec.due is not None else None,
                classification=level,
                releasable_to=rel,
            )
        )
    if wanted > len(result):
        with _gc_paused():
            result += _synthetic_tasks(seed, len(specs), wanted - len(result), unit_list, now, ids)
    return result


_SYNTHETIC_TASK_MARKS = ("mission", "mission", "nato-un", "partnered", "public", "coordination")


def _synthetic_tasks(
    seed: int, start: int, count: int, unit_list: list[UnitData], now: datetime, ids: list[str]
) -> list[TaskData]:
    """``count`` synthetic tasks (for load tests), given to the picture's friendly units."""
    rng = random.Random(f"coral-shield/{seed}/synthetic-tasks")
    friends = [u.id for u in unit_list if u.affiliation == "friend" and u.id]
    marks = [_marking_table()[key] for key in _SYNTHETIC_TASK_MARKS]
    area = _EAST_AFRICA if len(unit_list) > _WIDE_FROM else _REGION
    if len(ids) < start + count:  # the i-th id depends on i only: a longer stream extends it
        ids = _id_stream(seed, 4, start + count)
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
            lat, lon = _position(rng, area)
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
                originator="CORAL 6 G3",
                location=location,
                start=start_at,
                due=start_at + timedelta(minutes=rng.randint(60, 96 * 60)),
                classification=level,
                releasable_to=rel,
            )
        )
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
