"""Briefing on screen and on paper: slides rendered offscreen by QtWebEngine,
the PDF handout, the slide snapshot, and presentation mode."""
