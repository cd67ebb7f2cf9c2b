"""A live CoT feed: UDP (multicast 239.2.3.1:6969 by default; CoT XML or TAK
protocol version 1 protobuf, as ATAK sends on a mesh), or a TCP or TLS client
to a TAK server (certificates from files).

``FeedClient`` runs one background thread that connects (and reconnects),
reads, splits the stream into events, parses each safely and hands them over
in batches (every ``batch_ms``) through ``on_batch``; the caller stores them
(``exchange.apply(..., live=True)`` on the store's own worker).  Beyond
``max_rate`` events a second, only the latest event of each uid is kept (the
count dropped is reported).  A malformed event is counted and skipped: a feed
is not a file, one bad sender must not stop the picture.

Sending our own units is opt-in: ``send()`` writes on the same connection.
No Qt here; the UI wires the callbacks to signals.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import queue
import socket
import ssl
import struct
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.core.formats.cot import MAX_EVENT_BYTES, CotEvent, parse_event
from app.core.formats.errors import InteropError
from app.core.formats.takproto import event_from_mesh, is_protobuf
from app.i18n import _

log = logging.getLogger(__name__)

DEFAULT_GROUP = "239.2.3.1"
DEFAULT_PORT = 6969
PROTOCOLS = ("udp", "tcp", "tls")
_END = b"</event>"


@dataclass
class FeedConfig:
    protocol: str = "udp"
    host: str = (
        DEFAULT_GROUP  # multicast group or address to listen on (udp); the server (tcp, tls)
    )
    port: int = DEFAULT_PORT
    interface: str = "0.0.0.0"  # the local address that joins the multicast group
    certfile: str = ""  # our client certificate (PEM, or .p12 / .pfx)
    keyfile: str = ""  # its private key (PEM), when not in the certificate file
    cafile: str = ""  # the server's CA (PEM); empty: the system's trust store
    password: str = ""  # of the key or the .p12, never stored by the app
    check_hostname: bool = True
    send_own: bool = False
    send_interval_s: int = 30
    max_rate: int = 5000  # events a second kept in full; beyond, the latest per uid
    batch_ms: int = 500

    def validate(self) -> FeedConfig:
        if self.protocol not in PROTOCOLS:
            raise InteropError(
                _("unknown protocol '{p}'; use udp, tcp or tls").format(p=self.protocol)
            )
        if not self.host.strip():
            raise InteropError(_("the feed needs a host or multicast group"))
        if not 1 <= int(self.port) <= 65535:
            raise InteropError(_("port {port} is not between 1 and 65535").format(port=self.port))
        if self.protocol == "tls":
            for label, path in (
                (_("certificate"), self.certfile),
                (_("key"), self.keyfile),
                (_("CA certificate"), self.cafile),
            ):
                if path and not Path(path).is_file():
                    raise InteropError(
                        _("the {what} file {path} does not exist").format(what=label, path=path)
                    )
        if self.max_rate < 1 or self.batch_ms < 50:
            raise InteropError(_("the rate limit and batch interval must be positive"))
        return self

    def describe(self) -> str:
        return f"{self.protocol.upper()} {self.host}:{self.port}"

    @property
    def is_multicast(self) -> bool:
        try:
            return ipaddress.ip_address(self.host).is_multicast
        except ValueError:
            return False


def state_label(state: str) -> str:
    """A connection state as the user reads it."""
    labels = {
        "off": _("off"),
        "connecting": _("connecting…"),
        "connected": _("connected"),
        "error": _("no connection"),
    }
    return labels.get(state, state)


class StreamSplitter:
    """Splits a byte stream into whole events; bounded (a runaway event is dropped)."""

    def __init__(self, limit: int = MAX_EVENT_BYTES) -> None:
        self.buffer = bytearray()
        self.limit = limit
        self.dropped = 0

    def feed(self, data: bytes) -> list[bytes]:
        self.buffer += data
        events = []
        while True:
            end = self.buffer.find(_END)
            if end < 0:
                break
            cut = end + len(_END)
            chunk = bytes(self.buffer[:cut])
            del self.buffer[:cut]
            start = min(
                (i for i in (chunk.find(b"<?xml"), chunk.find(b"<event")) if i >= 0), default=-1
            )
            if start >= 0:
                events.append(chunk[start:])
        if len(self.buffer) > self.limit:
            self.buffer.clear()
            self.dropped += 1
        return events


@dataclass
class FeedStats:
    received: int = 0
    rejected: int = 0  # malformed or hostile events skipped
    coalesced: int = 0  # over the rate limit: older reports of a uid replaced by its latest
    sent: int = 0
    last_error: str = ""
    errors: list[str] = field(default_factory=list)


def _tls_context(config: FeedConfig) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=config.cafile or None)
    context.check_hostname = config.check_hostname
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if config.certfile:
        if config.certfile.lower().endswith((".p12", ".pfx")):
            _load_p12(context, config)
        else:
            context.load_cert_chain(
                config.certfile, config.keyfile or None, password=config.password or None
            )
    return context


def _load_p12(context: ssl.SSLContext, config: FeedConfig) -> None:
    """A TAK .p12 (certificate and key) loaded through a private temporary PEM file."""
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        pkcs12,
    )

    key, cert, chain = pkcs12.load_key_and_certificates(
        Path(config.certfile).read_bytes(), config.password.encode() or None
    )
    if key is None or cert is None:
        raise InteropError(_("{path} holds no certificate and key").format(path=config.certfile))
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()) + cert.public_bytes(
        Encoding.PEM
    )
    pem += b"".join(c.public_bytes(Encoding.PEM) for c in chain or [])
    handle, name = tempfile.mkstemp(suffix=".pem")
    try:
        os.write(handle, pem)
        os.close(handle)
        context.load_cert_chain(name)
    finally:
        os.unlink(name)


class FeedClient:
    """Listens (and optionally sends) on one connection, on its own thread."""

    RECONNECT_S = 3.0

    def __init__(
        self,
        config: FeedConfig,
        on_batch: Callable[[list[CotEvent]], None],
        on_status: Callable[[str, str], None] = lambda state, detail: None,
    ) -> None:
        self.config = config.validate()
        self.on_batch = on_batch
        self.on_status = on_status
        self.stats = FeedStats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self._outbox: queue.Queue[bytes] = queue.Queue(maxsize=100)
        self.state = "off"

    # ------------------------------------------------------------------ control
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="cot-feed", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._status("off", "")

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def send(self, data: bytes) -> bool:
        """Queue events (concatenated CoT) to send on the connection; False when not connected.

        The connection's own thread writes them between reads (one thread per socket:
        a TLS connection must not be read and written from two threads at once).
        """
        if self._sock is None or self.state != "connected":
            return False
        try:
            self._outbox.put_nowait(data)
        except queue.Full:
            return False
        return True

    def _flush_outbox(self, sock: socket.socket) -> None:
        while True:
            try:
                data = self._outbox.get_nowait()
            except queue.Empty:
                return
            if self.config.protocol == "udp":
                for chunk in data.split(_END):
                    chunk = chunk.strip()
                    if chunk:
                        sock.sendto(chunk + _END, (self.config.host, self.config.port))
            else:
                sock.settimeout(10)
                try:
                    sock.sendall(data)
                finally:
                    sock.settimeout(0.2)
            self.stats.sent += data.count(_END)

    # ------------------------------------------------------------------ the thread
    def _status(self, state: str, detail: str) -> None:
        self.state = state
        try:
            self.on_status(state, detail)
        except Exception:  # a broken view must not stop the feed
            log.exception("feed status callback failed")

    def _connect(self) -> socket.socket:
        config = self.config
        if config.protocol == "udp":
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if config.is_multicast:
                sock.bind(("", config.port))
                membership = struct.pack(
                    "4s4s", socket.inet_aton(config.host), socket.inet_aton(config.interface)
                )
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
            else:
                sock.bind((config.host, config.port))
            sock.settimeout(0.2)
            return sock
        raw = socket.create_connection((config.host, config.port), timeout=5)
        if config.protocol == "tls":
            raw = _tls_context(config).wrap_socket(raw, server_hostname=config.host)
        raw.settimeout(0.2)
        return raw

    def _run(self) -> None:
        splitter = StreamSplitter()
        pending: list[CotEvent] = []
        latest: dict[str, CotEvent] = {}  # over the rate limit: one per uid
        window_start, in_window = time.monotonic(), 0
        last_flush = time.monotonic()
        while not self._stop.is_set():
            self._status("connecting", self.config.describe())
            try:
                self._sock = self._connect()
            except (OSError, ssl.SSLError, InteropError, ValueError) as exc:
                self.stats.last_error = str(exc)
                self._status("error", str(exc))
                self._stop.wait(self.RECONNECT_S)
                continue
            self._status("connected", self.config.describe())
            try:
                while not self._stop.is_set():
                    self._flush_outbox(self._sock)
                    try:
                        data = self._sock.recv(65536)
                        if not data and self.config.protocol != "udp":
                            raise ConnectionError(_("the server closed the connection"))
                    except (TimeoutError, ssl.SSLWantReadError):
                        data = b""
                    protobuf = self.config.protocol == "udp" and is_protobuf(data)
                    for raw in [data] if protobuf else splitter.feed(data) if data else []:
                        try:
                            event = event_from_mesh(raw) if protobuf else parse_event(raw)
                        except InteropError as exc:
                            self.stats.rejected += 1
                            self.stats.last_error = str(exc)
                            continue
                        self.stats.received += 1
                        now = time.monotonic()
                        if now - window_start >= 1.0:
                            window_start, in_window = now, 0
                        in_window += 1
                        if in_window > self.config.max_rate:
                            if event.uid in latest:
                                self.stats.coalesced += 1
                            latest[event.uid] = event
                        else:
                            pending.append(event)
                    if self.config.protocol == "udp" and data:
                        splitter.buffer.clear()  # a datagram is whole or nothing
                    now = time.monotonic()
                    if (pending or latest) and (now - last_flush) * 1000 >= self.config.batch_ms:
                        batch, pending = pending + list(latest.values()), []
                        latest = {}
                        last_flush = now
                        self.on_batch(batch)
            except (OSError, ssl.SSLError, ConnectionError) as exc:
                if not self._stop.is_set():
                    self.stats.last_error = str(exc)
                    self._status("error", str(exc))
            finally:
                sock, self._sock = self._sock, None
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.close()
            if pending or latest:
                self.on_batch(pending + list(latest.values()))
                pending, latest = [], {}
            if not self._stop.is_set():
                self._stop.wait(self.RECONNECT_S)


def own_units_cot(store: object) -> bytes:
    """Our own units (made at this site, not heard from a TAK network) as concatenated
    CoT events, for sending."""
    from app.core.exchange.cot_records import picture_events
    from app.core.formats.cot import event_bytes
    from app.core.picture.queries import list_units
    from app.core.store.engine import Store
    from app.core.store.models import Unit

    assert isinstance(store, Store)
    with store.session() as session:
        from sqlalchemy import select

        from app.core.store.models import CotIdentity

        heard = select(CotIdentity.record_id)
        own = set(
            session.scalars(
                select(Unit.id).where(
                    Unit.origin_site == store.site.site_id,
                    Unit.deleted.is_(False),
                    Unit.id.not_in(heard),
                )
            )
        )
    units = [u for u in list_units(store) if u.id in own]
    return b"".join(event_bytes(e) for e in picture_events(store, units=units))


@dataclass(frozen=True)
class Ingested:
    stored: int
    removed: int
    rejected: int
    errors: tuple[str, ...] = ()


def ingest_live(store: object, events: list[CotEvent]) -> Ingested:
    """Store one batch from a live feed in one transaction.  A feed is not a file: a
    bad event is skipped (and counted), not the batch."""
    from app.core.exchange.cot_records import to_exchange
    from app.core.exchange.ingest import Exchange, apply, check
    from app.core.store.engine import Store

    assert isinstance(store, Store)
    batch = Exchange()
    errors: list[str] = []
    good: list[CotEvent] = []
    for event in events:
        try:
            one = to_exchange([event], live=True)
            check(one)
        except InteropError as exc:
            errors.append(str(exc))
            continue
        batch.extend(one)
        good.append(event)
    try:
        applied = apply(store, batch, initiator="feed")
    except InteropError:  # what only the store can tell (rare): one by one
        stored = removed = 0
        for event in good:
            try:
                one_applied = apply(store, to_exchange([event], live=True), initiator="feed")
            except InteropError as exc:
                errors.append(str(exc))
                continue
            stored += (
                one_applied.units + one_applied.zones + one_applied.routes + one_applied.messages
            )
            removed += one_applied.removed
        return Ingested(stored, removed, len(errors), tuple(errors[-5:]))
    stored = applied.units + applied.zones + applied.routes + applied.messages
    return Ingested(stored, applied.removed, len(errors), tuple(errors[-5:]))


def run_feed(
    store: object,
    config: FeedConfig,
    duration_s: float | None = None,
    on_status: Callable[[str, str], None] = lambda state, detail: None,
    on_stored: Callable[[Ingested], None] = lambda result: None,
    stop: threading.Event | None = None,
) -> tuple[FeedStats, int]:
    """Listen (and send our units if ``config.send_own``) until ``duration_s`` passes or
    ``stop`` is set, storing each batch on this thread.  Returns the feed's counts and
    how many records were stored.  The command line's ``feed``; the window runs the
    same client and ``ingest_live`` on its workers."""
    import queue

    batches: queue.Queue[list[CotEvent]] = queue.Queue()
    client = FeedClient(config, on_batch=batches.put, on_status=on_status)
    stop = stop or threading.Event()
    deadline = time.monotonic() + duration_s if duration_s else None
    next_send = time.monotonic()
    stored = 0
    client.start()
    try:
        while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
            if config.send_own and client.state == "connected" and time.monotonic() >= next_send:
                client.send(own_units_cot(store))
                next_send = time.monotonic() + max(5, config.send_interval_s)
            try:
                batch = batches.get(timeout=0.2)
            except queue.Empty:
                continue
            result = ingest_live(store, batch)
            stored += result.stored
            on_stored(result)
    finally:
        client.stop()
        while not batches.empty():
            result = ingest_live(store, batches.get_nowait())
            stored += result.stored
            on_stored(result)
    return client.stats, stored
