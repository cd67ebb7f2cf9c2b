"""folium documents: the live offline map page and exported briefing maps."""
