"""Briefing (issue 8): saved views as slides, the picture as it was at any time,
and the handouts built from them.  Qt-free; the PDF's map images are rendered by
``app.ui.briefing``."""
