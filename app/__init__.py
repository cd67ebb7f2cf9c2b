"""Coalition COP: an offline common operating picture."""

__version__ = "0.1.0"
