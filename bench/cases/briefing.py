"""brief_pdf_10: a 10-slide PDF handout at 1920x1080 from the demo picture, ms
(end to end as ``brief --out deck.pdf`` runs: the slides read from the store, the
offscreen map page started, each slide's map rendered and grabbed, the pages
painted and written).  Target < 15,000 ms."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from cases import Result, bench, median
from cases.map_cases import _app


@bench("brief_pdf_10")
def brief_pdf_10(repeat: int | None) -> Result:
    from app.core.briefing.views import ViewData, add_views, list_views
    from app.core.demo.picture import load_demo
    from app.core.store.engine import open_store
    from app.ui.briefing.render import write_pdf

    _app()
    folder = Path(tempfile.mkdtemp(prefix="bench-brief-"))
    store = open_store(folder / "brief.sqlite", operator="bench")
    try:
        load_demo(store)  # the picture, a day of history and six slides
        extra = 10 - len(list_views(store))
        add_views(
            store,
            [
                ViewData(
                    name=f"Sector {n}",
                    south=-13.5 + n * 0.6,
                    west=39.0 + n * 0.3,
                    north=-12.5 + n * 0.6,
                    east=40.2 + n * 0.3,
                )
                for n in range(extra)
            ],
        )
        assert len(list_views(store)) == 10
        times = []
        pages = 0
        for i in range(repeat or 3):
            out = folder / f"deck-{i}.pdf"
            t = time.perf_counter()
            result = write_pdf(store, out, size=(1920, 1080))
            times.append((time.perf_counter() - t) * 1000)
            pages = result.slides
        size_kb = out.stat().st_size // 1024
    finally:
        store.close()
    return Result(
        "brief_pdf_10",
        "ms",
        median(times),
        note=f"target < 15,000 ms; {pages} pages, {size_kb} KB; runs {', '.join(f'{t:.0f}' for t in times)} ms",
    )
