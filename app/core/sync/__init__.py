"""Synchronisation: hybrid logical clocks, change capture, central sync, bundles."""
