"""The live feed on loopback only: UDP, TCP and TLS (a server with its own CA,
a client certificate from files), batches, rate limiting, sending our units."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.exchange.cot_records import to_exchange
from app.core.exchange.feed import FeedClient, FeedConfig, StreamSplitter, own_units_cot
from app.core.exchange.ingest import apply
from app.core.formats.cot import CotEvent
from app.core.formats.errors import InteropError
from app.core.picture.queries import list_units
from tests.core.formats.test_cot import atom


def _free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Collector:
    def __init__(self) -> None:
        self.batches: list[list[CotEvent]] = []
        self.states: list[str] = []
        self.lock = threading.Lock()

    def batch(self, events: list[CotEvent]) -> None:
        with self.lock:
            self.batches.append(events)

    def status(self, state: str, _detail: str) -> None:
        self.states.append(state)

    @property
    def events(self) -> list[CotEvent]:
        with self.lock:
            return [e for b in self.batches for e in b]

    def wait_for(self, n: int, timeout: float = 10.0) -> list[CotEvent]:
        deadline = time.monotonic() + timeout
        while len(self.events) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.events


def _wait_state(client: FeedClient, state: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while client.state != state and time.monotonic() < deadline:
        time.sleep(0.02)
    assert client.state == state, client.stats.last_error


def test_the_splitter_cuts_a_stream_into_events_and_stays_bounded() -> None:
    splitter = StreamSplitter(limit=4096)
    data = (atom("A") + atom("B")).encode()
    assert splitter.feed(data[:100]) == []
    events = splitter.feed(data[100:])
    assert [e.count(b"<event ") for e in events] == [1, 1]
    splitter.feed(b"<event " + b"x" * 5000)  # never ends: dropped, not kept
    assert splitter.dropped == 1 and len(splitter.buffer) == 0


def test_the_configuration_is_checked() -> None:
    assert FeedConfig().validate().describe() == "UDP 239.2.3.1:6969"
    assert FeedConfig().is_multicast
    with pytest.raises(InteropError, match="port 70000"):
        FeedConfig(port=70000).validate()
    with pytest.raises(InteropError, match="unknown protocol 'carrier-pigeon'"):
        FeedConfig(protocol="carrier-pigeon").validate()
    with pytest.raises(InteropError, match="does not exist"):
        FeedConfig(
            protocol="tls", host="tak.example", port=8089, certfile="/nonexistent.pem"
        ).validate()


def test_udp_events_arrive_in_batches_and_reach_the_store(store) -> None:
    port = _free_port(socket.SOCK_DGRAM)
    got = Collector()
    client = FeedClient(
        FeedConfig(protocol="udp", host="127.0.0.1", port=port, batch_ms=100), got.batch, got.status
    )
    client.start()
    try:
        _wait_state(client, "connected")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            for n in range(20):
                sender.sendto(atom(f"UDP-{n % 4}", minutes=n).encode(), ("127.0.0.1", port))
            sender.sendto(b"<event uid='x'><broken", ("127.0.0.1", port))
            sender.sendto(b"garbage</event>", ("127.0.0.1", port))
        events = got.wait_for(20)
    finally:
        client.stop()
    assert len(events) == 20 and client.stats.received == 20
    for batch in got.batches:
        apply(store, to_exchange(batch, live=True), initiator="feed")
    units = list_units(store)
    assert sorted(u.callsign for u in units) == ["VIPER 6"] * 4
    assert got.states[0] == "connecting" and "connected" in got.states and got.states[-1] == "off"


class _Server:
    """A loopback TAK-like server: sends what it is given, records what it receives."""

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.context = context
        self.received = bytearray()
        self.to_send: list[bytes] = []
        self.ready = threading.Event()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="test-tak-server")
        self.thread.start()

    def _serve(self) -> None:
        self.listener.settimeout(10)
        try:
            conn, _addr = self.listener.accept()
        except OSError:
            return
        if self.context is not None:
            try:
                conn = self.context.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError):
                conn.close()
                return
        conn.settimeout(0.1)
        self.ready.set()
        with conn:
            while not self.done.is_set():
                while self.to_send:
                    data = self.to_send.pop(0)
                    # split mid-event: the client must reassemble the stream
                    conn.sendall(data[:57])
                    time.sleep(0.01)
                    conn.sendall(data[57:])
                try:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    self.received += chunk
                except TimeoutError:
                    continue
                except OSError:
                    break

    def close(self) -> None:
        self.done.set()
        self.thread.join(10)
        self.listener.close()


@pytest.fixture
def tcp_server() -> Iterator[_Server]:
    server = _Server()
    yield server
    server.close()


def test_tcp_client_reads_a_split_stream_and_sends_our_units(store, tcp_server: _Server) -> None:
    from app.core.picture.ops import add_units
    from app.core.picture.records import UnitData

    add_units(
        store,
        [
            UnitData(
                name="1st Company",
                callsign="LIONFISH 1",
                sidc="10031000151211000000",
                lat=-12.5,
                lon=40.25,
            )
        ],
    )
    got = Collector()
    client = FeedClient(
        FeedConfig(
            protocol="tcp", host="127.0.0.1", port=tcp_server.port, batch_ms=100, send_own=True
        ),
        got.batch,
        got.status,
    )
    client.start()
    try:
        _wait_state(client, "connected")
        assert tcp_server.ready.wait(10)
        tcp_server.to_send.append((atom("TCP-1") + atom("TCP-2", minutes=1)).encode())
        events = got.wait_for(2)
        assert client.send(own_units_cot(store))
        deadline = time.monotonic() + 10
        while b"LIONFISH 1" not in tcp_server.received and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        client.stop()
    assert [e.uid for e in events] == ["TCP-1", "TCP-2"]
    assert (
        b'callsign="LIONFISH 1"' in tcp_server.received
        and b'type="a-f-G-U-C-I"' in tcp_server.received
    )


def test_over_the_rate_limit_the_latest_report_of_each_track_is_kept(tcp_server: _Server) -> None:
    got = Collector()
    client = FeedClient(
        FeedConfig(
            protocol="tcp", host="127.0.0.1", port=tcp_server.port, batch_ms=300, max_rate=10
        ),
        got.batch,
        got.status,
    )
    client.start()
    try:
        _wait_state(client, "connected")
        assert tcp_server.ready.wait(10)
        tcp_server.to_send.append(
            "".join(atom(f"T-{n % 3}", lat=-12 - n / 1000) for n in range(60)).encode()
        )
        deadline = time.monotonic() + 10
        while client.stats.received < 60 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.5)
    finally:
        client.stop()
    events = got.events
    assert client.stats.received == 60
    assert len(events) == 10 + 3  # ten in full, then one per track
    latest = {e.uid: e.lat for e in events[10:]}
    assert latest == {"T-0": -12.057, "T-1": -12.058, "T-2": -12.059}
    assert client.stats.coalesced == 60 - 10 - 3


def _certificates(folder: Path) -> dict[str, Path]:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def name(text: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    def write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Test TAK CA"))
        .issuer_name(name("Test TAK CA"))
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    paths = {"ca": folder / "ca.pem"}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for who, serial in (("server", 2), ("client", 3)):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(f"test {who}"))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
        )
        if who == "server":
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
        cert = builder.sign(ca_key, hashes.SHA256())
        paths[f"{who}_cert"] = folder / f"{who}.pem"
        paths[f"{who}_cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        paths[f"{who}_key"] = folder / f"{who}.key"
        write_key(key, paths[f"{who}_key"])
    return paths


def test_tls_client_with_certificates_from_files(tmp_path: Path) -> None:
    certs = _certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(certs["ca"]))
    context.verify_mode = (
        ssl.CERT_REQUIRED
    )  # the server wants our client certificate, as TAK Server does
    context.load_cert_chain(certs["server_cert"], certs["server_key"])
    server = _Server(context)
    got = Collector()
    config = FeedConfig(
        protocol="tls",
        host="127.0.0.1",
        port=server.port,
        batch_ms=100,
        certfile=str(certs["client_cert"]),
        keyfile=str(certs["client_key"]),
        cafile=str(certs["ca"]),
    )
    client = FeedClient(config, got.batch, got.status)
    client.start()
    try:
        _wait_state(client, "connected")
        assert server.ready.wait(10)
        server.to_send.append(atom("TLS-1").encode())
        events = got.wait_for(1)
    finally:
        client.stop()
        server.close()
    assert [e.uid for e in events] == ["TLS-1"]


def test_tls_refuses_a_server_it_does_not_trust(tmp_path: Path) -> None:
    certs = _certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certs["server_cert"], certs["server_key"])
    server = _Server(context)
    got = Collector()
    client = FeedClient(
        FeedConfig(protocol="tls", host="127.0.0.1", port=server.port), got.batch, got.status
    )
    client.start()
    try:
        _wait_state(client, "error")
    finally:
        client.stop()
        server.close()
    assert "CERTIFICATE_VERIFY_FAILED" in client.stats.last_error and got.events == []


def test_the_feed_command_listens_and_stores(tmp_path: Path, capsys) -> None:
    from app.cli import main
    from app.core.store.engine import open_store

    port = _free_port(socket.SOCK_DGRAM)
    db = tmp_path / "feed.sqlite"

    def send_later() -> None:
        time.sleep(1.0)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            for n in range(3):
                sender.sendto(atom(f"CLI-{n}").encode(), ("127.0.0.1", port))

    sender = threading.Thread(target=send_later)
    sender.start()
    try:
        code = main(
            ["--db", str(db), "feed", "--host", "127.0.0.1", "--port", str(port), "--for", "3"]
        )
    finally:
        sender.join()
    assert code == 0
    captured = capsys.readouterr()
    assert "Received 3 events, stored 3 records" in captured.out
    assert "feed: connected UDP 127.0.0.1:" in captured.err
    store = open_store(db)
    try:
        assert len(list_units(store)) == 3
    finally:
        store.close()


def test_the_feed_command_refuses_a_bad_port(tmp_path: Path, capsys) -> None:
    from app.cli import main

    assert main(["--db", str(tmp_path / "x.sqlite"), "feed", "--port", "0"]) == 1
    assert "coalition-cop: error: port 0 is not between 1 and 65535" in capsys.readouterr().err


def test_multicast_on_the_default_group_over_loopback() -> None:
    port = _free_port(socket.SOCK_DGRAM)
    got = Collector()
    client = FeedClient(
        FeedConfig(
            protocol="udp", host="239.2.3.1", port=port, interface="127.0.0.1", batch_ms=100
        ),
        got.batch,
        got.status,
    )
    client.start()
    try:
        deadline = time.monotonic() + 10
        while client.state not in ("connected", "error") and time.monotonic() < deadline:
            time.sleep(0.02)
        if client.state != "connected":
            pytest.skip(f"no multicast on loopback here: {client.stats.last_error}")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.setsockopt(
                socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1")
            )
            sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
            sender.sendto(atom("MC-1").encode(), ("239.2.3.1", port))
        events = got.wait_for(1)
    finally:
        client.stop()
    assert [e.uid for e in events] == ["MC-1"]


def test_a_bad_event_on_a_feed_is_skipped_not_the_batch(store) -> None:
    from app.core.exchange.feed import ingest_live
    from app.core.formats.cot import parse_event

    events = [parse_event(atom(f"OK-{n}").encode()) for n in range(3)]
    events.insert(1, parse_event(atom("THIN", "u-d-f", detail='<link point="-12,40"/>').encode()))
    events.append(parse_event(atom("ODD", detail='<__cop sidc="1234"/>').encode()))
    result = ingest_live(store, events)
    assert (result.stored, result.rejected) == (3, 2)
    assert "THIN" in result.errors[0] and "1234" in result.errors[1]
    assert len(list_units(store)) == 3


def test_tracks_heard_on_a_feed_are_not_sent_back_as_ours(store) -> None:
    import uuid

    from app.core.exchange.feed import ingest_live
    from app.core.formats.cot import parse_event, parse_events
    from app.core.picture.ops import add_units
    from app.core.picture.records import UnitData

    add_units(
        store,
        [
            UnitData(
                name="1st Company",
                callsign="LIONFISH 1",
                sidc="10031000151211000000",
                lat=-12.5,
                lon=40.25,
            )
        ],
    )
    heard = [
        parse_event(atom("ANDROID-1").encode()),
        parse_event(atom(str(uuid.uuid4()), callsign="WINTAK").encode()),
    ]
    ingest_live(store, heard)
    assert len(list_units(store)) == 3
    sent = parse_events(own_units_cot(store), "sent")
    assert [e.callsign for e in sent] == ["LIONFISH 1"]


def test_tak_protocol_v1_protobuf_on_a_mesh_is_read_too(store) -> None:
    import takproto

    port = _free_port(socket.SOCK_DGRAM)
    got = Collector()
    client = FeedClient(
        FeedConfig(protocol="udp", host="127.0.0.1", port=port, batch_ms=100), got.batch, got.status
    )
    client.start()
    try:
        _wait_state(client, "connected")
        xml = atom(
            "PROTO-1",
            "a-h-G-U-C-A",
            lat=-12.123456789,
            callsign="RED 1",
            detail='<link uid="p" relation="p-p"/>',
        )
        mesh = bytes(takproto.xml2proto(xml.split("?>", 1)[1].strip()))
        assert mesh[:3] == b"\xbf\x01\xbf"
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(mesh, ("127.0.0.1", port))
            sender.sendto(
                b"\xbf\x01\xbf\xff\xff\xff", ("127.0.0.1", port)
            )  # damaged: counted, skipped
        events = got.wait_for(1)
        deadline = time.monotonic() + 5
        while client.stats.rejected < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        client.stop()
    [event] = events
    assert (event.uid, event.type, event.callsign, event.lat) == (
        "PROTO-1",
        "a-h-G-U-C-A",
        "RED 1",
        -12.123456789,
    )
    assert (event.course, event.speed, event.remarks) == (87.5, 4.25, "moving to checkpoint <B>")
    assert [link.uid for link in event.links] == ["p"] and client.stats.rejected == 1


def test_hostile_events_on_a_feed_are_refused_and_counted(store) -> None:
    from tests.core.exchange.test_hostile_files import BOMB, EXTERNAL

    port = _free_port(socket.SOCK_DGRAM)
    got = Collector()
    client = FeedClient(
        FeedConfig(protocol="udp", host="127.0.0.1", port=port, batch_ms=100), got.batch, got.status
    )
    client.start()
    try:
        _wait_state(client, "connected")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            for data in (
                BOMB,
                EXTERNAL,
                atom("LAT", lat=91.0).encode(),
                atom("U8").encode().replace(b"VIPER 6", b"VIPER \xff"),
                atom("GOOD").encode(),
            ):
                sender.sendto(data, ("127.0.0.1", port))
        events = got.wait_for(1)
        deadline = time.monotonic() + 5
        while client.stats.rejected < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        client.stop()
    assert [e.uid for e in events] == ["GOOD"] and client.stats.rejected == 4
    assert "DOCTYPE" in client.stats.last_error or "not" in client.stats.last_error
