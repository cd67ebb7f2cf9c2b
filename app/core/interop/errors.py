"""Errors an import or export reports to the user."""

from __future__ import annotations


class InteropError(ValueError):
    """A file cannot be imported or written; the message names what is wrong."""
