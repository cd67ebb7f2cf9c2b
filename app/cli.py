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
    parser.add_argument("--db", metavar="PATH", help=_("the store file (default: $COP_DB or the user data folder)"))
    parser.add_argument("--operator", metavar="NAME", help=_("who is making changes (recorded on every change)"))
    parser.add_argument("--lang", choices=("en", "fr"), help=_("interface language"))
    parser.add_argument("-v", "--verbose", action="store_true", help=_("log more"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help=_("open the main window (the default)"))
    gui.add_argument("--demo", action="store_true", help=_("load the demo picture if the store is empty"))

    demo = sub.add_parser("demo", help=_("load the demo picture into the store"))
    demo.add_argument("--units", type=int, metavar="N", help=_("number of units (up to 100000)"))
    demo.add_argument("--zones", type=int, metavar="M", help=_("number of crisis zones"))
    demo.add_argument("--seed", type=int, default=7, help=_("random seed (same seed, same picture)"))

    imp = sub.add_parser("import", help=_("import a file (one transaction)"))
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--format", choices=("geojson", "csv", "cot", "kml", "kmz", "tak"),
        help=_("file format (default: from the extension)"),
    )
    imp.add_argument(
        "--kind", choices=("tasks",), help=_("what a CSV file holds (default: from its header)")
    )

    exp = sub.add_parser("export", help=_("export the picture to a file"))
    exp.add_argument("--format", required=True, choices=("geojson", "csv", "cot", "kml", "kmz", "tak"))
    exp.add_argument(
        "--kind", choices=("tasks",), help=_("only this kind of record (required for CSV)")
    )
    exp.add_argument("--out", required=True, type=Path)
    exp.add_argument("--releasable-to", metavar="PARTNER", help=_("only records releasable to this partner"))

    feed = sub.add_parser("feed", help=_("listen to a live CoT feed and store what it reports"))
    feed.add_argument("--protocol", choices=("udp", "tcp", "tls"), default="udp")
    feed.add_argument("--host", default="239.2.3.1", help=_("multicast group or address (udp), server (tcp, tls)"))
    feed.add_argument("--port", type=int, default=6969)
    feed.add_argument("--cert", metavar="FILE", default="", help=_("client certificate (PEM, .p12)"))
    feed.add_argument("--key", metavar="FILE", default="", help=_("client private key (PEM)"))
    feed.add_argument("--ca", metavar="FILE", default="", help=_("the server's CA certificate (PEM)"))
    feed.add_argument("--send-own", action="store_true", help=_("also send our own units (off by default)"))
    feed.add_argument("--for", dest="duration", type=float, metavar="SECONDS",
                      help=_("stop after this many seconds (default: until interrupted)"))

    snap = sub.add_parser("snapshot", help=_("render the map window offscreen to a PNG"))
    snap.add_argument("--out", required=True, type=Path)
    snap.add_argument("--size", type=_size, default=(1920, 1080), metavar="WxH")

    db = sub.add_parser("db", help=_("store maintenance"))
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help=_("upgrade the store's schema to this version"))
    db_sub.add_parser("status", help=_("show the store's schema revision and counts"))

    site = sub.add_parser("site", help=_("this store's site profile"))
    site_sub = site.add_subparsers(dest="site_command", metavar="ACTION", required=True)
    site_sub.add_parser("show", help=_("show the site id, name and partner"))
    return parser


def _store_path(args: argparse.Namespace) -> Path | None:
    return Path(args.db) if args.db else None


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from app.core.store.engine import open_store

    return open_store(_store_path(args), operator=args.operator)


def _cmd_demo(args: argparse.Namespace) -> int:
    from app.core.demo import load_demo

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
    from app.core.interop.files import import_file

    if not args.file.is_file():
        raise _Failure(_("{path}: no such file").format(path=args.file))
    store = _open(args)
    print(import_file(store, args.file, args.format, kind=args.kind))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from app.core.domain.markings import normalise_partner
    from app.core.interop.files import export_file

    if args.format == "csv" and not args.kind:
        raise _UsageError(_("a CSV export needs --kind (tasks)"))
    partner = normalise_partner(args.releasable_to) if args.releasable_to else None
    store = _open(args)
    print(export_file(store, args.out, args.format, partner=partner, kind=args.kind))
    return 0


def _cmd_feed(args: argparse.Namespace) -> int:
    from app.core.interop.feed import FeedConfig, run_feed, state_label

    config = FeedConfig(protocol=args.protocol, host=args.host, port=args.port, certfile=args.cert,
                        keyfile=args.key, cafile=args.ca, send_own=args.send_own).validate()
    store = _open(args)

    def status(state: str, detail: str) -> None:
        print(_("feed: {state} {detail}").format(state=state_label(state), detail=detail).rstrip(), file=sys.stderr)

    try:
        stats, stored = run_feed(store, config, args.duration, on_status=status)
    except KeyboardInterrupt:
        return 130
    print(_("Received {received} events, stored {stored} records, refused {refused}, sent {sent}").format(
        received=stats.received, stored=stored, refused=stats.rejected, sent=stats.sent))
    return 0


def _cmd_snapshot(args: argparse.Namespace) -> int:
    from app.ui.app import snapshot

    store = _open(args)
    out = snapshot(store, args.out, args.size)
    print(_("Wrote {path}").format(path=out))
    return 0


def _cmd_db(args: argparse.Namespace) -> int:
    from app.core.store import engine as eng

    path = _store_path(args) or eng.default_store_path()
    if args.db_command == "upgrade":
        if path.exists():
            eng._peek_version(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = eng.make_engine(eng.sqlite_url(path))
        try:
            before, after = eng.upgrade(engine)
        finally:
            engine.dispose()
        if before == after:
            print(_("The store is up to date (schema {rev}).").format(rev=after))
        else:
            print(_("Upgraded the store from schema {before} to {after}.").format(
                before=before or _("none"), after=after))
        return 0
    from app.core.store.queries import counts

    store = _open(args)
    c = counts(store)
    print(_("Store: {path}").format(path=store.path))
    print(_("Schema: {rev}").format(rev=eng.current_revision(store.engine)))
    print(_("Units: {units}, zones: {zones}, changes: {changes}").format(**c))
    from app.core.store.task_queries import count_tasks

    print(_("Tasks: {tasks}").format(tasks=count_tasks(store)))
    return 0


def _cmd_site(args: argparse.Namespace) -> int:
    store = _open(args)
    print(_("Site id: {id}").format(id=store.site.site_id))
    print(_("Site name: {name}").format(name=store.site.site_name))
    print(_("Partner: {partner}").format(partner=store.site.partner))
    return 0


def _cmd_gui(args: argparse.Namespace) -> int:
    from app.ui.app import run_gui

    return run_gui(lambda: _open(args), demo_if_empty=getattr(args, "demo", False))


COMMANDS = {
    "gui": _cmd_gui,
    "demo": _cmd_demo,
    "import": _cmd_import,
    "export": _cmd_export,
    "feed": _cmd_feed,
    "snapshot": _cmd_snapshot,
    "db": _cmd_db,
    "site": _cmd_site,
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
        from app.core.domain.entities import ValidationError
        from app.core.domain.markings import MarkingError
        from app.core.interop.errors import InteropError
        from app.core.store.engine import StoreError

        if args.verbose or not isinstance(
            exc, (_Failure, InteropError, StoreError, ValidationError, MarkingError, OSError, ValueError)
        ):
            log.debug("failure", exc_info=True)
        print(f"coalition-cop: error: {exc}", file=sys.stderr)
        return 1
