"""Spatial analysis with shapely: zone index, geofence alerts."""
