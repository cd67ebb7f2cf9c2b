"""The map: a QtWebEngine page built once by folium, fed deltas over QWebChannel."""
