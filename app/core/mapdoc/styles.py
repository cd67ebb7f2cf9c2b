"""The colours shared by the map page and the native panels, defined once.

The page gets them at start (``page_styles()`` in the options of ``COP.init``,
read by ``resources/map/*.js`` as ``COP.styles``); Python users (the layers
panel, the units and tasks tables, the briefing slides) import them from here.
"""

from __future__ import annotations

from typing import Any

ZONE_COLOURS: dict[str, str] = {
    "conflict": "#c1121f",
    "flood": "#1f6fb4",
    "earthquake": "#8c510a",
    "epidemic": "#7b3294",
    "no-go": "#6a040f",
    "corridor": "#1a9850",
    "safe area": "#2b9348",
    "restricted operating zone": "#e36414",
}
"""A zone's outline and fill by its kind."""
ZONE_DEFAULT_COLOUR = "#555"
"""A zone of a kind not listed above."""
ZONE_DASHES: dict[str, str] = {
    "no-go": "6 4",
    "corridor": "10 6",
    "restricted operating zone": "4 4",
}
"""Zone kinds drawn with a dashed outline (SVG dash array)."""

AFFILIATION_COLOURS: dict[str, str] = {
    "friend": "#80e0ff",
    "hostile": "#ff8080",
    "neutral": "#aaffaa",
    "unknown": "#ffff80",
}
"""The standard frame fill of each affiliation (clusters, legend swatches)."""
AFFILIATION_LINE_COLOURS: dict[str, str] = {
    "friend": "#0b61a4",
    "hostile": "#c62828",
    "neutral": "#2e7d32",
    "unknown": "#b59f00",
}
"""A darker line colour per affiliation (breadcrumb trails)."""

READINESS_COLOURS: dict[str, str] = {"green": "#2e7d32", "amber": "#ef8f00", "red": "#c62828"}
"""Readiness (and the supply traffic light) on a light background."""
READINESS_COLOURS_DARK: dict[str, str] = {"green": "#7cc47f", "amber": "#ffb74d", "red": "#ef6f6c"}
"""The same meaning on a dark (night) palette, light enough to read."""
SUPPLY_LEVEL_COLOURS: dict[str, str] = {**READINESS_COLOURS, "none": "#607d8b"}
"""A supply site's marker by its days-of-supply level (``none``: no stock data)."""

TASK_STATUS_COLOURS: dict[str, str] = {
    "draft": "#757575",
    "assigned": "#1565c0",
    "in_progress": "#2e7d32",
    "complete": "#5d4037",
    "cancelled": "#9e9e9e",
    "blocked": "#c62828",
}
"""A task by its status (the tasks table and the task outlines on the map)."""


def page_styles() -> dict[str, Any]:
    """The styles for the page, as ``COP.styles`` reads them."""
    return {
        "zones": dict(ZONE_COLOURS),
        "zoneDefault": ZONE_DEFAULT_COLOUR,
        "zoneDashes": dict(ZONE_DASHES),
        "affiliations": dict(AFFILIATION_COLOURS),
        "affiliationLines": dict(AFFILIATION_LINE_COLOURS),
        "readiness": dict(READINESS_COLOURS),
        "supplyLevels": dict(SUPPLY_LEVEL_COLOURS),
        "taskStatus": dict(TASK_STATUS_COLOURS),
    }


__all__ = [
    "AFFILIATION_COLOURS",
    "AFFILIATION_LINE_COLOURS",
    "READINESS_COLOURS",
    "READINESS_COLOURS_DARK",
    "SUPPLY_LEVEL_COLOURS",
    "TASK_STATUS_COLOURS",
    "ZONE_COLOURS",
    "ZONE_DASHES",
    "ZONE_DEFAULT_COLOUR",
    "page_styles",
]
