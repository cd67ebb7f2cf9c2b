"""Exchange formats: cot_ingest (CoT events per second parsed and stored, in
batches as a live feed delivers them; target >= 5,000) and kml_import_10k
(10,000 placemarks imported in one transaction, ms; target < 3,000)."""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cases import Result, bench, median

TYPES = ("a-f-G-U-C-I", "a-h-G-U-C-A", "a-n-G", "a-u-G", "a-f-G-U-S-M", "a-f-A-M-H")


def _events(n: int, tracks: int) -> list[bytes]:
    """``n`` position reports from ``tracks`` units, as a TAK feed sends them."""
    rng = random.Random(6969)
    now = datetime.now(UTC)
    events = []
    for i in range(n):
        track = i % tracks
        t = now + timedelta(seconds=i // tracks)
        stamp = t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        stale = (t + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        events.append(
            (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><event version="2.0" '
                f'uid="ANDROID-{track:05d}" type="{TYPES[track % len(TYPES)]}" how="m-g" time="{stamp}" '
                f'start="{stamp}" stale="{stale}"><point lat="{-12 + rng.random():.9f}" '
                f'lon="{40 + rng.random():.9f}" hae="9999999.0" ce="9.9" le="9999999.0"/><detail>'
                f'<contact callsign="TRACK {track}" endpoint="*:-1:stcp"/><__group name="Cyan" role="Team Member"/>'
                f'<track course="{rng.uniform(0, 360):.1f}" speed="{rng.uniform(0, 20):.1f}"/>'
                f'<status battery="90"/></detail></event>'
            ).encode()
        )
    return events


@bench("cot_ingest")
def cot_ingest(repeat: int | None) -> Result:
    from app.core.exchange.cot_records import to_exchange
    from app.core.exchange.ingest import apply
    from app.core.formats.cot import parse_event
    from app.core.store.engine import open_store

    n, batch = 20_000, 1_000
    events = _events(n, tracks=2_000)
    rates = []
    for run in range(repeat or 3):
        with tempfile.TemporaryDirectory() as folder:
            store = open_store(Path(folder) / f"ingest{run}.sqlite")
            try:
                start = time.perf_counter()
                for first in range(0, n, batch):
                    parsed = [parse_event(e) for e in events[first : first + batch]]
                    apply(store, to_exchange(parsed, live=True), initiator="feed")
                rates.append(n / (time.perf_counter() - start))
            finally:
                store.close()
    return Result(
        "cot_ingest",
        "events/s",
        median(rates),
        higher_is_better=True,
        note=f"{n} events from 2,000 tracks, batches of {batch}; target >= 5,000",
    )


@bench("kml_import_10k")
def kml_import_10k(repeat: int | None) -> Result:
    from app.core.exchange.files import export_file, import_file
    from app.core.picture.ops import add_units
    from app.core.picture.records import UnitData
    from app.core.store.engine import open_store

    rng = random.Random(10_000)
    times = []
    with tempfile.TemporaryDirectory() as folder:
        source = open_store(Path(folder) / "source.sqlite")
        try:
            add_units(
                source,
                [
                    UnitData(
                        name=f"Unit {i}",
                        callsign=f"U{i}",
                        sidc="10031000151211000000",
                        nation="FRA",
                        lat=-12 + rng.random(),
                        lon=40 + rng.random(),
                        remarks="placemark",
                        classification="NATO RESTRICTED",
                        releasable_to="NATO",
                    )
                    for i in range(10_000)
                ],
            )
            kml = Path(folder) / "units.kml"
            export_file(source, kml, "kml")
        finally:
            source.close()
        for run in range(repeat or 3):
            store = open_store(Path(folder) / f"target{run}.sqlite")
            try:
                start = time.perf_counter()
                result = import_file(store, kml)
                times.append((time.perf_counter() - start) * 1000)
                assert result.units == 10_000
            finally:
                store.close()
    return Result(
        "kml_import_10k",
        "ms",
        median(times),
        note="10,000 placemarks, one transaction; target < 3,000",
    )
