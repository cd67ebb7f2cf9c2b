"""Errors an import or export reports to the user."""

from __future__ import annotations

from pathlib import Path


class InteropError(ValueError):
    """A file cannot be imported or written; the message names what is wrong."""


def read_limited(path: Path, max_bytes: int) -> bytes:
    """A whole import file's bytes, refused with a clear message when missing or too large."""
    from app.i18n import _

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InteropError(
            _("cannot read {path}: {error}").format(path=path, error=exc.strerror)
        ) from exc
    if size > max_bytes:
        raise InteropError(_("{path} is too large ({size} bytes)").format(path=path, size=size))
    return path.read_bytes()
