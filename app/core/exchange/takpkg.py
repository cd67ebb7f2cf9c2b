"""TAK data packages (mission packages): a zip with ``MANIFEST/manifest.xml``.

Out: one CoT file per unit, zone, route and message (``<id>/<id>.cot``) and
a version 2 manifest listing each with its uid.  In: every ``.cot`` / ``.xml``
and ``.kml`` entry the manifest lists (others, such as pictures, are counted
as skipped), all in one transaction.  The archive is checked whole first
(zip-slip, size, truncation: ``app.core.formats.ziputil``).
"""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path

from lxml import etree

from app.core.exchange.ingest import Exchange
from app.core.exchange.records import record_id
from app.core.formats.cot import event_bytes, parse_events, parse_xml
from app.core.formats.errors import InteropError
from app.core.formats.ziputil import SafeZip
from app.core.store.engine import Store
from app.i18n import _

MANIFEST = "MANIFEST/manifest.xml"


def write_package(
    store: Store, partner: str | None = None, name: str = "Coalition COP"
) -> tuple[bytes, int]:
    from app.core.exchange.cot_records import picture_events

    events = picture_events(store, partner=partner)
    manifest = etree.Element("MissionPackageManifest", version="2")
    config = etree.SubElement(manifest, "Configuration")
    etree.SubElement(config, "Parameter", name="uid", value=str(uuid.uuid4()))
    etree.SubElement(config, "Parameter", name="name", value=name)
    contents = etree.SubElement(manifest, "Contents")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for event in events:
            folder = record_id(event.uid)
            entry = f"{folder}/{folder}.cot"
            archive.writestr(entry, event_bytes(event, declaration=True))
            content = etree.SubElement(contents, "Content", ignore="false", zipEntry=entry)
            etree.SubElement(content, "Parameter", name="uid", value=event.uid)
        archive.writestr(
            MANIFEST,
            etree.tostring(manifest, xml_declaration=True, encoding="UTF-8", pretty_print=True),
        )
    return buffer.getvalue(), len(events)


def read_package(path: Path) -> Exchange:
    """Everything a data package's manifest lists, checked whole before anything is stored."""
    from app.core.exchange.cot_records import to_exchange
    from app.core.exchange.kml import read_kml

    archive = SafeZip(path)
    manifest_name = archive.find(MANIFEST)
    if manifest_name is None:
        raise InteropError(
            _("{name} is not a TAK data package: it has no {manifest}").format(
                name=path.name, manifest=MANIFEST
            )
        )
    manifest = parse_xml(archive.read(manifest_name), f"{path.name}/{MANIFEST}")
    out = Exchange()
    seen: set[str] = set()
    for content in manifest.iter("Content"):
        if (content.get("ignore") or "").lower() == "true":
            continue
        entry = content.get("zipEntry") or ""
        member = archive.find(entry)
        if member is None:
            raise InteropError(
                _("{name}: the manifest lists '{entry}', which is not in the package").format(
                    name=path.name, entry=entry[:200]
                )
            )
        if (
            member in seen
        ):  # listed twice: read once (a package listing one entry a million times is hostile)
            continue
        seen.add(member)
        label = f"{path.name}/{member}"
        lower = member.lower()
        if lower.endswith((".cot", ".xml")):
            out.extend(to_exchange(parse_events(archive.read(member), label)))
        elif lower.endswith(".kml"):
            out.extend(read_kml(archive.read(member), label))
        else:
            out.ignored["file " + (Path(member).suffix.lower() or "?")] += 1
    return out
