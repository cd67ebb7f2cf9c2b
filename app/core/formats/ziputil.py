"""Reading zip files that arrive from outside (KMZ, TAK data packages), safely.

Refused with a clear message: not a zip or truncated, a member whose path
escapes the archive (zip-slip: absolute, ``..``, a drive letter), too many
members, or more uncompressed bytes than we accept (a zip bomb).  Nothing is
ever extracted to disk: members are read into memory, each bounded by its
declared size.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path, PurePosixPath

from app.core.formats.errors import InteropError, read_limited
from app.i18n import _

MAX_ZIP_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_MEMBERS = 10_000


def _unsafe(name: str) -> bool:
    text = name.replace("\\", "/")
    path = PurePosixPath(text)
    return (
        text.startswith("/")
        or (len(text) > 1 and text[1] == ":")
        or any(part == ".." for part in path.parts)
        or "\x00" in text
    )


class SafeZip:
    """An archive checked as a whole before anything in it is read."""

    def __init__(self, path: Path, label: str | None = None) -> None:
        import io

        self.name = label or path.name
        data = read_limited(path, MAX_ZIP_BYTES)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise InteropError(
                _("{name} is not a readable zip archive (truncated or damaged: {error})").format(
                    name=self.name, error=exc
                )
            ) from None
        if len(infos) > MAX_MEMBERS:
            raise InteropError(
                _("{name} holds more than {n} files").format(name=self.name, n=MAX_MEMBERS)
            )
        total = 0
        for info in infos:
            if _unsafe(info.filename):
                raise InteropError(
                    _(
                        "{name}: the entry '{entry}' points outside the archive (refused: zip-slip)"
                    ).format(name=self.name, entry=info.filename[:200])
                )
            total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise InteropError(
                _("{name} would unpack to {size} bytes, more than the {limit} accepted").format(
                    name=self.name, size=total, limit=MAX_UNPACKED_BYTES
                )
            )
        self.names = [i.filename for i in infos if not i.is_dir()]

    def find(self, name: str) -> str | None:
        """The member called ``name`` (case and slashes as written by Windows tools tolerated)."""
        wanted = name.replace("\\", "/").lower().lstrip("./")
        for member in self.names:
            if member.replace("\\", "/").lower().lstrip("./") == wanted:
                return member
        return None

    def read(self, member: str) -> bytes:
        try:
            with self.zip.open(member) as handle:
                return handle.read(MAX_UNPACKED_BYTES + 1)[:MAX_UNPACKED_BYTES]
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError) as exc:
            raise InteropError(
                _(
                    "{name}: the entry '{entry}' cannot be read (truncated or damaged: {error})"
                ).format(name=self.name, entry=member[:200], error=exc)
            ) from None
