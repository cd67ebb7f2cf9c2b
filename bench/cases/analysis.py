"""zone_alerts_20k_500: geofence alerts for 20,000 units against 500 zones (ms).

Baseline (same run): the plain shapely way, each hazard zone testing every
unit (``shapely.contains_xy`` per zone).
"""

from __future__ import annotations

import time

import numpy as np
import shapely

from cases import Result, bench, median


def _picture(units: int, zones: int) -> tuple[list, list]:
    from app.core.picture.geofence import ZoneShape

    rng = np.random.default_rng(11)
    lats = rng.uniform(-20, 5, units)
    lons = rng.uniform(25, 45, units)
    unit_rows = [(f"u{i}", f"Unit {i}", float(lats[i]), float(lons[i])) for i in range(units)]
    kinds = ["no-go", "conflict", "flood", "epidemic", "safe area"]
    shapes = []
    for i in range(zones):
        cx, cy = rng.uniform(26, 44), rng.uniform(-19, 4)
        ring = [
            (cx + r * np.cos(a), cy + r * np.sin(a))
            for a, r in zip(
                np.linspace(0, 2 * np.pi, 24, endpoint=False),
                rng.uniform(0.1, 0.6, 24),
                strict=True,
            )
        ]
        shapes.append(
            ZoneShape(f"z{i}", f"Zone {i}", kinds[i % len(kinds)], 1 + i % 5, shapely.Polygon(ring))
        )
    return unit_rows, shapes


@bench("zone_alerts_20k_500")
def zone_alerts(repeat: int | None) -> Result:
    from app.core.picture.geofence import compute_alerts, naive_alerts

    units, zones = _picture(20_000, 500)
    ours, base = [], []
    for _ in range(repeat or 5):
        t = time.perf_counter()
        alerts, _m = compute_alerts(units, zones)
        ours.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        found = naive_alerts(units, zones)
        base.append((time.perf_counter() - t) * 1000)
        assert found == len(alerts)
    return Result(
        "zone_alerts_20k_500",
        "ms",
        median(ours),
        median(base),
        note=f"target < 200 ms; {len(alerts)} alerts",
    )
