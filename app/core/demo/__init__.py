"""The demo, Operation CORAL SHIELD: its scenario as data files under ``resources/demo/``
plus the generator that turns them into records (``picture``: units, zones, tasks;
``briefing``: the last day's history and slides; ``supply``: the humanitarian supply
picture; ``synthetic``: records for large pictures).
"""

from app.core.demo.picture import DemoPicture, build_demo, load_demo

__all__ = ["DemoPicture", "build_demo", "load_demo"]
