"""The one command line: ``coalition-cop [--db PATH] COMMAND``.

Errors print one line on stderr and exit 1 with nothing changed; usage errors
exit 2.  Every command calls the same core function the GUI does.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from app import __version__
from app.i18n import _, set_language

log = logging.getLogger("coalition-cop")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = text.lower().split("x")
        size = int(w), int(h)
    except ValueError:
        raise argparse.ArgumentTypeError(_("size must be WIDTHxHEIGHT, e.g. 1920x1080")) from None
    if not (200 <= size[0] <= 8000 and 200 <= size[1] <= 8000):
        raise argparse.ArgumentTypeError(_("size must be between 200 and 8000 pixels a side"))
    return size


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coalition-cop",
        description=_("Coalition COP: an offline common operating picture."),
    )
    parser.add_argument("--version", action="version", version=f"coalition-cop {__version__}")
    parser.add_argument(
        "--db", metavar="PATH", help=_("the store file (default: $COP_DB or the user data folder)")
    )
    parser.add_argument(
        "--operator", metavar="NAME", help=_("who is making changes (recorded on every change)")
    )
    parser.add_argument("--lang", choices=("en", "fr"), help=_("interface language"))
    parser.add_argument("-v", "--verbose", action="store_true", help=_("log more"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help=_("open the main window (the default)"))
    gui.add_argument(
        "--demo", action="store_true", help=_("load the demo picture if the store is empty")
    )

    demo = sub.add_parser("demo", help=_("load the demo picture into the store"))
    demo.add_argument("--units", type=int, metavar="N", help=_("number of units (up to 100000)"))
    demo.add_argument("--zones", type=int, metavar="M", help=_("number of crisis zones"))
    demo.add_argument(
        "--seed", type=int, default=7, help=_("random seed (same seed, same picture)")
    )

    imp = sub.add_parser("import", help=_("import a file (one transaction)"))
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--format",
        choices=("geojson", "csv", "hxl", "cot", "kml", "kmz", "tak"),
        help=_("file format (default: from the extension)"),
    )
    imp.add_argument(
        "--kind",
        choices=("tasks", "stock", "needs", "presence"),
        help=_("what a CSV or HXL file holds (default: from its header or tags)"),
    )

    exp = sub.add_parser("export", help=_("export the picture to a file"))
    exp.add_argument(
        "--format", required=True, choices=("geojson", "csv", "hxl", "cot", "kml", "kmz", "tak")
    )
    exp.add_argument(
        "--kind",
        choices=("tasks", "stock", "needs", "presence"),
        help=_("only this kind of record (required for CSV and HXL)"),
    )
    exp.add_argument("--out", required=True, type=Path)
    exp.add_argument(
        "--releasable-to", metavar="PARTNER", help=_("only records releasable to this partner")
    )

    feed = sub.add_parser("feed", help=_("listen to a live CoT feed and store what it reports"))
    feed.add_argument("--protocol", choices=("udp", "tcp", "tls"), default="udp")
    feed.add_argument(
        "--host", default="239.2.3.1", help=_("multicast group or address (udp), server (tcp, tls)")
    )
    feed.add_argument("--port", type=int, default=6969)
    feed.add_argument(
        "--cert", metavar="FILE", default="", help=_("client certificate (PEM, .p12)")
    )
    feed.add_argument("--key", metavar="FILE", default="", help=_("client private key (PEM)"))
    feed.add_argument(
        "--ca", metavar="FILE", default="", help=_("the server's CA certificate (PEM)")
    )
    feed.add_argument(
        "--send-own", action="store_true", help=_("also send our own units (off by default)")
    )
    feed.add_argument(
        "--for",
        dest="duration",
        type=float,
        metavar="SECONDS",
        help=_("stop after this many seconds (default: until interrupted)"),
    )

    report = sub.add_parser("report", help=_("write a report"))
    report_sub = report.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    sitrep = report_sub.add_parser(
        "logsitrep", help=_("logistics situation report: stock, pipeline, days of supply")
    )
    sitrep.add_argument("--format", required=True, choices=("json", "csv", "hxl"))
    sitrep.add_argument("--out", required=True, type=Path)
    sitrep.add_argument(
        "--window",
        type=int,
        default=14,
        metavar="DAYS",
        help=_("days over which consumption is averaged (default 14)"),
    )
    sitrep.add_argument(
        "--horizon",
        type=int,
        default=30,
        metavar="DAYS",
        help=_("days of need counted in the requirement (default 30)"),
    )
    sitrep.add_argument(
        "--releasable-to", metavar="PARTNER", help=_("only records releasable to this partner")
    )

    snap = sub.add_parser("snapshot", help=_("render the map window offscreen to a PNG"))
    snap.add_argument("--out", required=True, type=Path)
    snap.add_argument("--size", type=_size, default=(1920, 1080), metavar="WxH")
    snap.add_argument(
        "--view", metavar="NAME", help=_("render this saved view (a slide) instead of the window")
    )

    brief = sub.add_parser(
        "brief", help=_("write the briefing handout: every saved view as a slide")
    )
    brief.add_argument("--out", required=True, type=Path, help=_("deck.pdf or deck.html"))
    brief.add_argument(
        "--releasable-to",
        metavar="PARTNER",
        help=_("only what this partner may see, and the banner set for it"),
    )
    brief.add_argument(
        "--size",
        type=_size,
        default=(1920, 1080),
        metavar="WxH",
        help=_("PDF page size in pixels (default 1920x1080)"),
    )

    db = sub.add_parser("db", help=_("store maintenance"))
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help=_("upgrade the store's schema to this version"))
    db_sub.add_parser("status", help=_("show the store's schema revision and counts"))
    db_sub.add_parser("check", help=_("run SQLite's full integrity check on the store"))
    backup = db_sub.add_parser("backup", help=_("back up the store (it may stay in use)"))
    backup.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help=_("the backup file (default: backups/ beside the store)"),
    )
    restore = db_sub.add_parser(
        "restore", help=_("replace the store with a backup (the current one is kept)")
    )
    restore.add_argument("backup", type=Path, metavar="FILE")

    audit = sub.add_parser("audit", help=_("the store's change history: who changed what, when"))
    audit.add_argument("--who", metavar="NAME", help=_("only changes made by this operator"))
    audit.add_argument(
        "--kind", metavar="KIND", help=_("only this kind of record (unit, crisis_zone, task…)")
    )
    audit.add_argument(
        "--since", metavar="DTG", help=_("only changes since this DTG or ISO 8601 time")
    )
    audit.add_argument(
        "--text", metavar="TEXT", help=_("only changes whose record id or values contain this")
    )
    audit.add_argument(
        "--out", type=Path, metavar="FILE.csv", help=_("write every matching change as CSV")
    )

    site = sub.add_parser("site", help=_("this store's site profile"))
    site_sub = site.add_subparsers(dest="site_command", metavar="ACTION", required=True)
    site_sub.add_parser(
        "show", help=_("show the site id, name, partner and public key fingerprint")
    )
    site_set = site_sub.add_parser(
        "set",
        help=_("set this site's name and/or partner (the partner only before any exchange)"),
    )
    site_set.add_argument("--name", help=_("the site's name, as partners will see it"))
    site_set.add_argument("--partner", metavar="CODE", help=_("the site's partner, e.g. NATO, UN"))
    key = site_sub.add_parser(
        "key", help=_("write this site's public key file (for partners to trust)")
    )
    key.add_argument("--out", required=True, type=Path)

    sync = sub.add_parser("sync", help=_("synchronise with a central PostgreSQL server"))
    sync.add_argument(
        "--server",
        metavar="URL",
        help=_(
            "e.g. postgresql+psycopg://user@host:5432/db (default: $COP_SYNC_SERVER); "
            "the password may come from the URL, $PGPASSWORD or a pgpass file"
        ),
    )

    bundle = sub.add_parser("bundle", help=_("signed bundle files for sites without a network"))
    bundle_sub = bundle.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)
    trust = bundle_sub.add_parser("trust", help=_("trust the site whose key file this is"))
    trust.add_argument("file", type=Path)
    trust.add_argument("--name", required=True, help=_("a name for that site"))
    bexp = bundle_sub.add_parser("export", help=_("write a bundle of what a partner may receive"))
    bexp.add_argument(
        "--to",
        required=True,
        metavar="PARTNER",
        help=_("the receiving partner (e.g. UN, NATO, FRA)"),
    )
    bexp.add_argument("--out", required=True, type=Path)
    bexp.add_argument("--encrypt-for", metavar="NAME", help=_("encrypt to this trusted site's key"))
    bimp = bundle_sub.add_parser("import", help=_("verify and apply a bundle (one transaction)"))
    bimp.add_argument("file", type=Path)

    conflicts = sub.add_parser("conflicts", help=_("values overwritten by sync"))
    conflicts_sub = conflicts.add_subparsers(
        dest="conflicts_command", metavar="ACTION", required=True
    )
    conflicts_sub.add_parser("list", help=_("list the conflict log"))
    rev = conflicts_sub.add_parser("reverse", help=_("put back the value that lost"))
    rev.add_argument("id", type=int)
    return parser


def _store_path(args: argparse.Namespace) -> Path | None:
    return Path(args.db) if args.db else None


def _open(args: argparse.Namespace, check: bool = False):  # type: ignore[no-untyped-def]
    from app.core.store.engine import open_store

    return open_store(_store_path(args), operator=args.operator, check=check)


def _cmd_demo(args: argparse.Namespace) -> int:
    from app.core.demo.picture import load_demo

    if args.units is not None and not 0 <= args.units <= 100_000:
        raise _UsageError(_("--units must be between 0 and 100000"))
    if args.zones is not None and not 0 <= args.zones <= 10_000:
        raise _UsageError(_("--zones must be between 0 and 10000"))
    store = _open(args)
    start = time.perf_counter()
    units, zones = load_demo(store, seed=args.seed, units=args.units, zones=args.zones)
    print(
        _("Loaded the demo picture: {units} units, {zones} zones ({s:.1f} s)").format(
            units=units, zones=zones, s=time.perf_counter() - start
        )
    )
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from app.core.exchange.files import import_file

    if not args.file.is_file():
        raise _Failure(_("{path}: no such file").format(path=args.file))
    store = _open(args)
    print(import_file(store, args.file, args.format, kind=args.kind))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from app.core.common.markings import normalise_partner
    from app.core.exchange.files import export_file

    if args.format == "csv" and not args.kind:
        raise _UsageError(_("a CSV export needs --kind (tasks)"))
    if args.format == "hxl" and args.kind not in ("stock", "needs", "presence"):
        raise _UsageError(_("an HXL export needs --kind stock, needs or presence"))
    if args.format != "hxl" and args.kind in ("stock", "needs", "presence"):
        raise _UsageError(
            _("--kind {kind} is written as HXL: give --format hxl").format(kind=args.kind)
        )
    partner = normalise_partner(args.releasable_to) if args.releasable_to else None
    store = _open(args)
    print(export_file(store, args.out, args.format, partner=partner, kind=args.kind))
    return 0


def _cmd_feed(args: argparse.Namespace) -> int:
    from app.core.exchange.feed import FeedConfig, run_feed, state_label

    config = FeedConfig(
        protocol=args.protocol,
        host=args.host,
        port=args.port,
        certfile=args.cert,
        keyfile=args.key,
        cafile=args.ca,
        send_own=args.send_own,
    ).validate()
    store = _open(args)

    def status(state: str, detail: str) -> None:
        print(
            _("feed: {state} {detail}").format(state=state_label(state), detail=detail).rstrip(),
            file=sys.stderr,
        )

    try:
        stats, stored = run_feed(store, config, args.duration, on_status=status)
    except KeyboardInterrupt:
        return 130
    print(
        _(
            "Received {received} events, stored {stored} records, refused {refused}, sent {sent}"
        ).format(received=stats.received, stored=stored, refused=stats.rejected, sent=stats.sent)
    )
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from app.core.common.markings import normalise_partner
    from app.core.supply.hxl import export_logsitrep

    if not 1 <= args.window <= 365:
        raise _UsageError(_("--window must be between 1 and 365 days"))
    if not 1 <= args.horizon <= 365:
        raise _UsageError(_("--horizon must be between 1 and 365 days"))
    partner = normalise_partner(args.releasable_to) if args.releasable_to else None
    store = _open(args)
    count = export_logsitrep(
        store,
        args.out,
        args.format,
        window_days=args.window,
        horizon_days=args.horizon,
        partner=partner,
    )
    print(_("Wrote the LOGSITREP: {n} rows to {path}").format(n=count, path=args.out))
    return 0


def _cmd_snapshot(args: argparse.Namespace) -> int:
    from app.ui.app import snapshot

    store = _open(args)
    if args.view:
        from app.ui.briefing.render import snapshot_view

        out = snapshot_view(store, args.view, args.out, args.size)
        print(_("Wrote {path}").format(path=out))
        return 0
    out = snapshot(store, args.out, args.size)
    print(_("Wrote {path}").format(path=out))
    return 0


def _cmd_brief(args: argparse.Namespace) -> int:
    from app.core.common.markings import normalise_partner

    suffix = args.out.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise _UsageError(_("--out must end in .pdf or .html"))
    partner = normalise_partner(args.releasable_to) if args.releasable_to else None
    store = _open(args)
    if suffix == ".pdf":
        from app.ui.briefing.render import write_pdf

        print(write_pdf(store, args.out, partner, args.size))
    else:
        from app.core.briefing.handout import write_html

        print(write_html(store, args.out, partner))
    return 0


def _cmd_db(args: argparse.Namespace) -> int:
    from app.core.store import engine as eng

    path = _store_path(args) or eng.default_store_path()
    if args.db_command == "upgrade":
        if path.exists():
            eng.peek_version(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = eng.make_engine(eng.sqlite_url(path))
        try:
            before, after = eng.upgrade(engine)
        finally:
            engine.dispose()
        if before == after:
            print(_("The store is up to date (schema {rev}).").format(rev=after))
        else:
            print(
                _("Upgraded the store from schema {before} to {after}.").format(
                    before=before or _("none"), after=after
                )
            )
        return 0
    if args.db_command in ("check", "backup", "restore"):
        return _db_safety(args, path)
    from app.core.picture.queries import counts

    store = _open(args)
    c = counts(store)
    print(_("Store: {path}").format(path=store.path))
    print(_("Schema: {rev}").format(rev=eng.current_revision(store.engine)))
    print(_("Units: {units}, zones: {zones}, changes: {changes}").format(**c))
    from app.core.tasks.queries import count_tasks

    print(_("Tasks: {tasks}").format(tasks=count_tasks(store)))
    from app.core.supply.queries import count_supply

    print(
        _(
            "Supply: {sites} sites, {items} items, {movements} ledger rows, {shipments} shipments"
        ).format(**count_supply(store))
    )
    return 0


def _db_safety(args: argparse.Namespace, path: Path) -> int:
    from app.core.store import safety

    if args.db_command == "restore":
        previous = safety.restore(args.backup, path)
        print(_("Restored {path} from {backup}.").format(path=path, backup=args.backup))
        if previous:
            print(_("The store as it was is kept in {previous}.").format(previous=previous))
        return 0
    if not path.exists():
        raise _Failure(_("no store at {path}").format(path=path))
    if args.db_command == "check":
        problems = safety.integrity_problems(path, full=True)
        if problems:
            raise _Failure(
                _("the store {path} is damaged: {problem}").format(
                    path=path, problem="; ".join(problems[:5])
                )
            )
        print(_("The store {path} passed SQLite's integrity check.").format(path=path))
        return 0
    store = _open(args)
    try:
        if args.out:
            out = safety.backup_store(store, args.out)
        else:
            from datetime import UTC, datetime

            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            out = safety.backup_store(
                store, safety.backups_dir(path) / f"{path.stem}-{stamp}.sqlite"
            )
    finally:
        store.close()
    print(_("Backed up the store to {out}.").format(out=out))
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from app.core.store.audit import AuditFilter, audit_rows, describe_op, export_audit

    since = None
    if args.since:
        from datetime import datetime

        from app.core.common.dtg import parse_dtg

        try:
            since = parse_dtg(args.since)
        except ValueError:
            try:
                since = datetime.fromisoformat(args.since)
            except ValueError:
                raise _UsageError(
                    _("--since: '{value}' is neither a DTG nor an ISO 8601 time").format(
                        value=args.since
                    )
                ) from None
    f = AuditFilter(who=args.who, kind=args.kind, text=args.text, since=since)
    store = _open(args)
    try:
        if args.out:
            n = export_audit(store, args.out, f)
            print(_("Exported {n} changes to {path}").format(n=n, path=args.out))
            return 0
        for row in audit_rows(store, f, 50):
            print(
                f"{row.dtg}  {row.who:<16} {row.kind:<12} {describe_op(row.op):<10} {row.record or row.record_id}  {row.fields}"
            )
    finally:
        store.close()
    return 0


def _cmd_site(args: argparse.Namespace) -> int:
    if args.site_command == "set":
        from app.core.common.markings import MarkingError, normalise_partner

        if args.name is None and args.partner is None:
            raise _UsageError(_("site set: give --name NAME and/or --partner CODE"))
        if args.name is not None and not args.name.strip():
            raise _UsageError(_("--name: the site name cannot be empty"))
        if args.partner is not None:
            try:
                normalise_partner(args.partner)
            except MarkingError as exc:
                raise _UsageError(f"--partner: {exc}") from None
    store = _open(args)
    if args.site_command == "key":
        from app.core.sync.keys import write_site_key

        out = write_site_key(store, args.out)
        print(_("Wrote this site's public key to {path}").format(path=out))
        return 0
    if args.site_command == "set":
        from app.core.store.identity import set_site

        set_site(store, name=args.name, partner=args.partner)
    from app.core.store.identity import key_fingerprint
    from app.core.sync.keys import site_keys

    print(_("Site id: {id}").format(id=store.site.site_id))
    print(_("Name: {name}").format(name=store.site.site_name))
    print(_("Partner: {partner}").format(partner=store.site.partner))
    print(
        _("Key fingerprint: {fingerprint}").format(
            fingerprint=key_fingerprint(site_keys(store).public_key)
        )
    )
    return 0


def _cmd_sync(args: argparse.Namespace) -> int:
    from app.core.sync.central import sync_with_server

    url = args.server or os.environ.get("COP_SYNC_SERVER")
    if not url:
        raise _UsageError(_("give the server with --server URL (or set COP_SYNC_SERVER)"))
    store = _open(args)
    print(sync_with_server(store, url).summary())
    return 0


def _cmd_bundle(args: argparse.Namespace) -> int:
    from app.core.sync import bundle, keys

    if args.bundle_command == "import" and not args.file.is_file():
        raise _Failure(_("{path}: no such file").format(path=args.file))
    if args.bundle_command == "trust" and not args.file.is_file():
        raise _Failure(_("{path}: no such file").format(path=args.file))
    store = _open(args)
    if args.bundle_command == "trust":
        peer = keys.trust_sender(store, args.file, args.name)
        print(
            _("Trusted {name}: site {site} ({partner}).").format(
                name=peer.name, site=peer.site_name or peer.site_id, partner=peer.partner
            )
        )
    elif args.bundle_command == "export":
        print(
            bundle.export_bundle(store, args.to, args.out, encrypt_for=args.encrypt_for).summary()
        )
    else:
        print(bundle.import_bundle(store, args.file).summary())
    return 0


def _cmd_conflicts(args: argparse.Namespace) -> int:
    from app.core.sync.conflicts import list_conflicts, reverse_conflict

    store = _open(args)
    if args.conflicts_command == "reverse":
        reverse_conflict(store, args.id)
        print(_("Conflict {id}: the value that lost is back.").format(id=args.id))
        return 0
    for c in list_conflicts(store):
        state = _("reversed") if c.reversed_at else ""
        print(
            f"{c.id}\t{c.kind}\t{c.label or c.row_id}\t{c.field}\t{c.kept!r}\t{c.lost!r}\t{c.lost_who}\t{state}"
        )
    return 0


def _cmd_gui(args: argparse.Namespace) -> int:
    from app.ui.app import run_gui

    # the app checks the store's integrity at start (on the thread that opens it)
    return run_gui(lambda: _open(args, check=True), demo_if_empty=getattr(args, "demo", False))


COMMANDS = {
    "gui": _cmd_gui,
    "demo": _cmd_demo,
    "import": _cmd_import,
    "export": _cmd_export,
    "feed": _cmd_feed,
    "report": _cmd_report,
    "snapshot": _cmd_snapshot,
    "brief": _cmd_brief,
    "db": _cmd_db,
    "site": _cmd_site,
    "audit": _cmd_audit,
    "sync": _cmd_sync,
    "bundle": _cmd_bundle,
    "conflicts": _cmd_conflicts,
}


class _Failure(Exception):
    pass


class _UsageError(Exception):
    pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    set_language(args.lang)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    if args.db:
        os.environ["COP_DB"] = str(Path(args.db).expanduser())
    command = args.command or "gui"
    try:
        return COMMANDS[command](args)
    except _UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"coalition-cop: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(_("coalition-cop: interrupted"), file=sys.stderr)
        return 130
    except Exception as exc:  # one clear line, never a traceback
        from app.core.common.markings import MarkingError
        from app.core.formats.errors import InteropError
        from app.core.picture.records import ValidationError
        from app.core.store.engine import StoreError
        from app.core.store.safety import BackupError

        if args.verbose or not isinstance(
            exc,
            (
                _Failure,
                InteropError,
                StoreError,
                ValidationError,
                MarkingError,
                OSError,
                ValueError,
                BackupError,
            ),
        ):
            log.debug("failure", exc_info=True)
        print(f"coalition-cop: error: {exc}", file=sys.stderr)
        return 1
