"""Signed bundle files for sites without a network, filtered by releasability.

A bundle is one zip: ``manifest.json`` (bundle id, source site, target partner,
range of the source's change log, schema, SHA-256 of the payload, acknowledgements),
``changes.jsonl.gz`` (one change per line; ``.enc`` when encrypted to a trusted
receiver) and ``manifest.sig`` (Ed25519 signature of the manifest).  Everything is
verified before anything is staged; a replayed bundle changes nothing.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.common.markings import BLOC_MEMBERS, PUBLIC, Releasability, normalise_partner
from app.core.common.times import change_time
from app.core.store.chunks import chunked
from app.core.store.engine import Store, head_revision, new_id
from app.core.store.hlc import Timestamp
from app.core.store.identity import note_exported
from app.core.store.models import SyncBundle, SyncCursor
from app.core.store.writing import bookkeeping
from app.core.sync.keys import peer_by_name, peer_by_site, site_keys
from app.core.sync.merge import (
    CHANGE_COLUMNS,
    ApplyResult,
    Change,
    apply_changes,
    local_changes_after,
)
from app.core.sync.tables import synced_tables
from app.i18n import _

BUNDLE_FORMAT = "coalition-cop-bundle"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
PAYLOAD, PAYLOAD_ENC = "changes.jsonl.gz", "changes.jsonl.gz.enc"
MAX_PAYLOAD = 512 * 1024 * 1024  # the compressed changes, as stored in the zip
MAX_CHANGES_TEXT = 2 * 1024 * 1024 * 1024  # the changes once decompressed
MAX_SMALL = 64 * 1024  # the manifest and the signature


class BundleError(ValueError):
    """A bundle is refused; nothing was changed; the message says why."""


@dataclass
class ExportReport:
    path: Path
    partner: str
    changes: int
    withheld: int

    def summary(self) -> str:
        return _(
            "Wrote {path}: {changes} changes for {partner} ({withheld} not releasable, withheld)."
        ).format(path=self.path, changes=self.changes, partner=self.partner, withheld=self.withheld)


@dataclass
class ImportReport:
    path: Path
    source: str
    changes: int
    new: int
    conflicts: int
    already: bool = False

    def summary(self) -> str:
        if self.already:
            return _("{path} was already applied; nothing changed.").format(path=self.path)
        return _(
            "Imported {path} from {source}: {new} new changes of {changes}, {conflicts} conflicts."
        ).format(
            path=self.path,
            source=self.source,
            new=self.new,
            changes=self.changes,
            conflicts=self.conflicts,
        )


def _partner_codes(partner: str) -> list[str]:
    """Codes whose presence in a marking releases a record to ``partner``."""
    codes = {partner, PUBLIC}
    codes.update(bloc for bloc, members in BLOC_MEMBERS.items() if partner in members)
    return sorted(codes)


def bundle_cursor(partner: str) -> str:
    return f"bundle:{partner}"


def from_cursor(site_id: str) -> str:
    return f"bundle-from:{site_id}"


def _current_markings(
    session: Session, table_name: str, ids: list[str]
) -> dict[str, Releasability]:
    st = synced_tables().get(table_name)
    if st is None:
        return {}
    found: dict[str, Releasability] = {}
    for chunk in chunked(ids):
        for rid, rel in session.execute(
            select(st.table.c.id, st.table.c.releasable_to).where(st.table.c.id.in_(chunk))
        ):
            found[rid] = rel
    return found


def _releasable_changes(
    store: Store, partner: str, after: int
) -> tuple[list[tuple[int, Change]], int, int]:
    """Changes after local position ``after`` releasable to ``partner``: (changes, withheld, last seq)."""
    from sqlalchemy import text

    with store.session() as session:
        conn = session.connection()
        last = conn.execute(text("SELECT COALESCE(MAX(seq), 0) FROM sync_change")).scalar() or 0
        codes = _partner_codes(partner)
        like = " OR ".join(f"releasable_to LIKE :c{i}" for i in range(len(codes)))
        total = (
            conn.execute(
                text("SELECT COUNT(*) FROM sync_change WHERE seq > :a AND seq <= :l"),
                {"a": after, "l": last},
            ).scalar()
            or 0
        )
        params = {f"c{i}": f"%,{code},%" for i, code in enumerate(codes)}
        sql = text(
            f"SELECT seq, {', '.join(CHANGE_COLUMNS)} FROM sync_change WHERE seq > :a AND seq <= :l "
            f"AND ({like}) ORDER BY seq"
        )
        rows = conn.execute(sql, {"a": after, "l": last, **params}).all()
        changes = [(r[0], Change(*r[1:9], change_time(r[9]), *r[10:])) for r in rows]
        # the record as it is now must be releasable too (a marking may have been tightened)
        by_table: dict[str, list[str]] = defaultdict(list)
        for _seq, c in changes:
            by_table[c.table_name].append(c.row_id)
        current = {
            t: _current_markings(session, t, list(dict.fromkeys(ids)))
            for t, ids in by_table.items()
        }
        reach = set(codes)
        kept = [
            (seq, c)
            for seq, c in changes
            if c.row_id not in current.get(c.table_name, {})
            or current[c.table_name][c.row_id].codes & reach
        ]
        kept = [(seq, _withhold_references(session, c, partner)) for seq, c in kept]
    return kept, int(total) - len(kept), int(last)


_reference_cache: dict[tuple[str, str], bool] = {}


def _withhold_references(session: Session, change: Change, partner: str) -> Change:
    """Drop references to records ``partner`` may not see (a task goes without its NATO-only unit)."""
    st = synced_tables().get(change.table_name)
    fields = change.fields
    if (
        st is None
        or not st.references
        or not any(
            f'"{name}"' in fields
            and f'"{name}":null' not in fields
            and f'"{name}":[]' not in fields
            for name in st.references
        )
    ):
        return change
    values = json.loads(change.fields)
    touched = False
    for name, target in st.references.items():
        if name not in values or values[name] is None:
            continue
        ids = values[name] if isinstance(values[name], list) else [values[name]]
        markings = _current_markings(session, target, [str(i) for i in ids])
        visible = [i for i in ids if str(i) not in markings or markings[str(i)].allows(partner)]
        if len(visible) != len(ids):
            touched = True
            values[name] = visible if isinstance(values[name], list) else None
    if not touched:
        return change
    return change._replace(fields=json.dumps(values, separators=(",", ":")))


def _box_key(private: X25519PrivateKey, public: X25519PublicKey, bundle_id: str) -> bytes:
    shared = private.exchange(public)
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=bundle_id.encode(), info=b"coalition-cop bundle"
    ).derive(shared)


def export_bundle(
    store: Store, partner: str, out: Path, encrypt_for: str | None = None
) -> ExportReport:
    """Write a signed bundle of what ``partner`` has not acknowledged and may see."""
    partner = normalise_partner(partner)
    keys = site_keys(store)
    receiver = peer_by_name(store, encrypt_for) if encrypt_for else None
    with store.session() as session:
        cursor = session.get(SyncCursor, bundle_cursor(partner))
        after = cursor.sent if cursor else 0
        acks = {
            c.peer.split(":", 1)[1]: c.received
            for c in session.scalars(
                select(SyncCursor).where(SyncCursor.peer.like("bundle-from:%"))
            )
        }
    changes, withheld, last = _releasable_changes(store, partner, after)
    lines = []
    encode = json.JSONEncoder(separators=(",", ":")).encode
    reach = set(_partner_codes(partner))
    for _seq, c in changes:
        if (
            not Releasability.from_storage(c.releasable_to).codes & reach
        ):  # checked again, line by line
            raise BundleError(
                _("refusing to write a change not releasable to {partner}").format(partner=partner)
            )
        lines.append(encode(c._asdict()))
    payload = gzip.compress(
        ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"), compresslevel=1
    )
    bundle_id = new_id()
    encryption = None
    name = PAYLOAD
    if receiver is not None:
        ephemeral = X25519PrivateKey.generate()
        key = _box_key(ephemeral, X25519PublicKey.from_public_bytes(receiver.box_key), bundle_id)
        nonce = os.urandom(12)
        payload = ChaCha20Poly1305(key).encrypt(nonce, payload, bundle_id.encode())
        encryption = {
            "to": receiver.site_id,
            "ephemeral": base64.b64encode(
                ephemeral.public_key().public_bytes(
                    serialization.Encoding.Raw, serialization.PublicFormat.Raw
                )
            ).decode(),
            "nonce": base64.b64encode(nonce).decode(),
        }
        name = PAYLOAD_ENC
    manifest = {
        "format": BUNDLE_FORMAT,
        "version": 1,
        "bundle_id": bundle_id,
        "source_site": store.site.site_id,
        "source_name": store.site.site_name,
        "source_partner": store.site.partner,
        "target_partner": partner,
        "created": datetime.now(UTC).isoformat(),
        "schema": head_revision(),
        "range": {"from": after + 1, "to": last},
        "count": len(lines),
        "payload": name,
        "sha256": hashlib.sha256(payload).hexdigest(),
        "encryption": encryption,
        "acks": acks,
    }
    manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
    signature = keys.signing.sign(manifest_bytes)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(MANIFEST, manifest_bytes)
        zf.writestr(SIGNATURE, signature)
        zf.writestr(name, payload)
    os.replace(tmp, out)
    with bookkeeping(store) as session:  # a site that made a bundle keeps its partner
        note_exported(session, bundle_id)
    return ExportReport(out, partner, len(lines), withheld)


def _read(zf: zipfile.ZipFile, name: str, path: Path, limit: int = MAX_SMALL) -> bytes:
    """One member, refused unread if it says it is larger than ``limit`` (zipfile
    never returns more than the size a member declares)."""
    try:
        size = zf.getinfo(name).file_size
        if size > limit:
            raise BundleError(
                _(
                    "{path}: {name} is {size} bytes, more than a bundle may hold ({limit}): refused, nothing changed"
                ).format(path=path, name=name, size=size, limit=limit)
            )
        return zf.read(name)
    except KeyError:
        if name == SIGNATURE:
            raise BundleError(
                _("{path} is not signed: refused, nothing changed").format(path=path)
            ) from None
        raise BundleError(
            _("{path} has no {name}: refused, nothing changed").format(path=path, name=name)
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise BundleError(
            _("{path} is damaged or truncated ({error}): refused, nothing changed").format(
                path=path, error=exc
            )
        ) from None


def _verify(store: Store, path: Path) -> tuple[dict[str, Any], list[Change]]:
    """Everything checked before anything is staged: signature, sender, payload, markings."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BundleError(
            _("{path} is not a bundle or is truncated ({error}): refused, nothing changed").format(
                path=path, error=exc
            )
        ) from None
    with zf:
        manifest_bytes = _read(zf, MANIFEST, path)
        signature = _read(zf, SIGNATURE, path)
        try:
            manifest = json.loads(manifest_bytes)
            if manifest.get("format") != BUNDLE_FORMAT:
                raise ValueError
            source = str(manifest["source_site"])
            partner = normalise_partner(str(manifest["target_partner"]))
            payload_name = str(manifest["payload"])
            if payload_name not in (PAYLOAD, PAYLOAD_ENC):
                raise ValueError
        except (ValueError, KeyError, TypeError, AttributeError):
            raise BundleError(
                _("{path}: the manifest is damaged: refused, nothing changed").format(path=path)
            ) from None
        with store.session() as session:
            peer = peer_by_site(session, source)
        if peer is None:
            raise BundleError(
                _(
                    "{path} comes from a site this store does not trust ({name}, {site}): refused, nothing changed; "
                    "trust its key with 'bundle trust' first"
                ).format(path=path, name=manifest.get("source_name", "?"), site=source)
            )
        try:
            Ed25519PublicKey.from_public_bytes(peer.public_key).verify(signature, manifest_bytes)
        except InvalidSignature:
            raise BundleError(
                _(
                    "{path} is not signed by {name}'s key (forged or altered): refused, nothing changed"
                ).format(path=path, name=peer.name)
            ) from None
        payload = _read(zf, payload_name, path, MAX_PAYLOAD)
    if hashlib.sha256(payload).hexdigest() != manifest.get("sha256"):
        raise BundleError(
            _(
                "{path}: the changes do not match the signed manifest (tampered or truncated): "
                "refused, nothing changed"
            ).format(path=path)
        )
    encryption = manifest.get("encryption")
    if payload_name == PAYLOAD_ENC:
        if not isinstance(encryption, dict) or encryption.get("to") != store.site.site_id:
            raise BundleError(
                _("{path} is encrypted for another site: refused, nothing changed").format(
                    path=path
                )
            )
        try:
            ephemeral = X25519PublicKey.from_public_bytes(base64.b64decode(encryption["ephemeral"]))
            key = _box_key(site_keys(store).box, ephemeral, str(manifest["bundle_id"]))
            payload = ChaCha20Poly1305(key).decrypt(
                base64.b64decode(encryption["nonce"]), payload, str(manifest["bundle_id"]).encode()
            )
        except (InvalidTag, ValueError, KeyError):
            raise BundleError(
                _(
                    "{path} cannot be decrypted with this site's key: refused, nothing changed"
                ).format(path=path)
            ) from None
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip, inflated only up to a bound
        raw = inflater.decompress(payload, MAX_CHANGES_TEXT)
        if inflater.unconsumed_tail:
            raise BundleError(
                _(
                    "{path}: the changes inflate to more than a bundle may hold: refused, "
                    "nothing changed"
                ).format(path=path)
            )
        if not inflater.eof:
            raise EOFError("the compressed changes end early")
        text = raw.decode("utf-8")
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise BundleError(
            _(
                "{path}: the changes are damaged or truncated ({error}): refused, nothing changed"
            ).format(path=path, error=exc)
        ) from None
    changes: list[Change] = []
    reach = set(_partner_codes(partner))
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            change = Change(**{k: obj[k] for k in CHANGE_COLUMNS})
            Timestamp.decode(change.hlc)
            if not isinstance(change.origin_seq, int) or not change.fields.startswith("{"):
                raise ValueError
            if change.op != "delete" and not json.loads(change.fields):
                raise ValueError  # a change that changes nothing
        except (ValueError, KeyError, TypeError):
            raise BundleError(
                _("{path}: line {line} is not a valid change: refused, nothing changed").format(
                    path=path, line=number
                )
            ) from None
        if not Releasability.from_storage(change.releasable_to).codes & reach:
            raise BundleError(
                _(
                    "{path}: line {line} holds a record not releasable to {partner}, the partner the bundle "
                    "declares: refused, nothing changed"
                ).format(path=path, line=number, partner=partner)
            )
        changes.append(change)
    if manifest.get("count") not in (None, len(changes)):
        raise BundleError(
            _("{path}: the bundle is truncated: refused, nothing changed").format(path=path)
        )
    return manifest, changes


def import_bundle(store: Store, path: Path) -> ImportReport:
    """Verify then apply a bundle in one transaction; a replay changes nothing."""
    manifest, changes = _verify(store, path)
    bundle_id = str(manifest["bundle_id"])
    source = str(manifest["source_site"])
    with store.session() as session:
        if session.get(SyncBundle, bundle_id) is not None:
            return ImportReport(
                path, str(manifest.get("source_name", source)), len(changes), 0, 0, already=True
            )
    rng = manifest.get("range") or {}
    low, high = int(rng.get("from", 0)), int(rng.get("to", 0))
    ack = (manifest.get("acks") or {}).get(store.site.site_id)

    def record(session: Session, result: ApplyResult) -> None:
        session.add(SyncBundle(bundle_id=bundle_id, source_site=source, changes=len(changes)))
        cursor = session.get(SyncCursor, from_cursor(source))
        if cursor is None:
            cursor = SyncCursor(peer=from_cursor(source), sent=0, received=0, last_result="")
            session.add(cursor)
        if low <= cursor.received + 1:  # contiguous with what we hold: acknowledge up to its end
            cursor.received = max(cursor.received, high)
        cursor.last_sync = datetime.now(UTC)
        if isinstance(ack, int) and manifest.get(
            "source_partner"
        ):  # the sender acknowledges what it took
            name = bundle_cursor(normalise_partner(str(manifest.get("source_partner") or "")))
            mine = session.get(SyncCursor, name)
            if mine is None:
                mine = SyncCursor(peer=name, sent=0, received=0, last_result="")
                session.add(mine)
            mine.sent = max(mine.sent, ack)
            mine.last_sync = datetime.now(UTC)
        session.flush()

    result = apply_changes(
        store, changes, source=str(manifest.get("source_name", source)), before_commit=record
    )
    return ImportReport(
        path, str(manifest.get("source_name", source)), len(changes), result.new, result.conflicts
    )


def local_changes(store: Store, after: int = 0) -> list[tuple[int, Change]]:
    with store.engine.connect() as conn:
        return local_changes_after(conn, after)
