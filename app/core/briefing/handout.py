"""The HTML handout: one self-contained file (folium page, every script, style,
basemap and the slides' data inline) that opens offline in any browser.

``brief --out deck.pdf`` needs the map rendered by QtWebEngine and lives in
``app.ui.briefing``; both take the same slides from ``slides.build_deck``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.briefing.slides import Slide, build_deck, deck_marking
from app.core.common.markings import banner_colour, banner_text_colour
from app.core.picture.records import ValidationError
from app.core.store.engine import Store
from app.i18n import _

PRESENTATION_SCALE = 1.6
"""Symbols and labels on a slide are this much larger than on the desk map."""


@dataclass(frozen=True)
class HandoutResult:
    path: Path
    slides: int
    banner: str

    def __str__(self) -> str:
        return _("Wrote {path}: {n} slides, {banner}").format(
            path=self.path, n=self.slides, banner=self.banner
        )


def safe_json(value: Any) -> str:
    """JSON that can sit inside a <script> element: no '<', '>' or '&' left as such."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def slide_data(slide: Slide) -> dict[str, Any]:
    """What the page needs to show one slide (all text is data)."""
    from app.core.picture.mapdoc import places_message

    level = slide.marking.level
    return {
        "title": slide.title,
        "when": slide.when,
        "dtg": slide.dtg,
        "banner": slide.marking.banner,
        "bannerColour": banner_colour(level),
        "bannerText": banner_text_colour(level),
        "note": slide.view.note,
        "legend": [
            {"kind": e.kind, "key": e.key, "label": e.label, "count": e.count} for e in slide.legend
        ],
        "summary": [
            {
                "title": t.title,
                "headers": list(t.headers),
                "rows": [list(r) for r in t.rows],
                "colours": list(t.colours),
            }
            for t in slide.summary
        ],
        "messages": [*slide.messages(), places_message(slide.view.bounds, margin=0.5)],
    }


def deck_data(slides: list[Slide], scale: float = PRESENTATION_SCALE) -> dict[str, Any]:
    return {
        "slides": [slide_data(s) for s in slides],
        "scale": scale,
        "labels": {
            "legend": _("Legend"),
            "empty": _("Nothing shown"),
            "previous": _("Previous slide (Page Up)"),
            "next": _("Next slide (Page Down)"),
        },
    }


def no_slides_error(partner: str | None) -> ValidationError:
    """The refusal when no slide may be shown (to ``partner``), for every handout format."""
    if partner:
        return ValidationError(
            _("no saved view is releasable to {partner}").format(partner=partner)
        )
    return ValidationError(_("there are no saved views: save a view as a slide first"))


def render_html(slides: list[Slide]) -> str:
    """The handout's HTML text."""
    from branca.element import Element

    from app.core.mapdoc.page import build_map, render_page

    fmap = build_map(assets="inline", center=(0.0, 0.0), zoom=3)
    header = fmap.get_root().header
    header.add_child(
        Element("<script>window.COP_BRIEF = " + safe_json(deck_data(slides)) + ";</script>"),
        name="cop_brief_data",
    )
    title = deck_marking(slides).banner
    header.add_child(Element("<title>" + _escape(title) + "</title>"), name="cop_brief_title")
    html = render_page(fmap)
    return _strip_remote(html)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_REMOTE_TAGS = re.compile(
    r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//[^>]*>(?:\s*</script>)?", re.I
)


def _strip_remote(html: str) -> str:
    """Folium's template may still name a CDN; the handout must not (it opens offline)."""
    return _REMOTE_TAGS.sub("", html)


def write_html(
    store: Store, out: Path, partner: str | None = None, now: datetime | None = None
) -> HandoutResult:
    """``brief --out deck.html``: every saved view releasable to ``partner`` as one offline file."""
    slides = build_deck(store, partner, now)
    if not slides:
        raise no_slides_error(partner)
    html = render_html(slides)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return HandoutResult(out, len(slides), deck_marking(slides).banner)
