"""pyqtgraph charts."""
