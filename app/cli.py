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
        "--format", choices=("geojson", "csv"), help=_("file format (default: from the extension)")
    )
    imp.add_argument(
        "--kind", choices=("tasks",), help=_("what a CSV file holds (default: from its header)")
    )

    exp = sub.add_parser("export", help=_("export the picture to a file"))
    exp.add_argument("--format", required=True, choices=("geojson", "csv"))
    exp.add_argument(
        "--kind", choices=("tasks",), help=_("only this kind of record (required for CSV)")
    )
    exp.add_argument("--out", required=True, type=Path)
    exp.add_argument("--releasable-to", metavar="PARTNER", help=_("only records releasable to this partner"))

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
    key = site_sub.add_parser("key", help=_("write this site's public key file (for partners to trust)"))
    key.add_argument("--out", required=True, type=Path)

    sync = sub.add_parser("sync", help=_("synchronise with a central PostgreSQL server"))
    sync.add_argument(
        "--server", metavar="URL",
        help=_("e.g. postgresql+psycopg://user@host:5432/db (default: $COP_SYNC_SERVER); "
               "the password may come from the URL, $PGPASSWORD or a pgpass file"),
    )

    bundle = sub.add_parser("bundle", help=_("signed bundle files for sites without a network"))
    bundle_sub = bundle.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)
    trust = bundle_sub.add_parser("trust", help=_("trust the site whose key file this is"))
    trust.add_argument("file", type=Path)
    trust.add_argument("--name", required=True, help=_("a name for that site"))
    bexp = bundle_sub.add_parser("export", help=_("write a bundle of what a partner may receive"))
    bexp.add_argument("--to", required=True, metavar="PARTNER", help=_("the receiving partner (e.g. UN, NATO, FRA)"))
    bexp.add_argument("--out", required=True, type=Path)
    bexp.add_argument("--encrypt-for", metavar="NAME", help=_("encrypt to this trusted site's key"))
    bimp = bundle_sub.add_parser("import", help=_("verify and apply a bundle (one transaction)"))
    bimp.add_argument("file", type=Path)

    conflicts = sub.add_parser("conflicts", help=_("values overwritten by sync"))
    conflicts_sub = conflicts.add_subparsers(dest="conflicts_command", metavar="ACTION", required=True)
    conflicts_sub.add_parser("list", help=_("list the conflict log"))
    rev = conflicts_sub.add_parser("reverse", help=_("put back the value that lost"))
    rev.add_argument("id", type=int)
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
    if args.site_command == "key":
        from app.core.sync.keys import write_site_key

        out = write_site_key(store, args.out)
        print(_("Wrote this site's public key to {path}").format(path=out))
        return 0
    print(_("Site id: {id}").format(id=store.site.site_id))
    print(_("Site name: {name}").format(name=store.site.site_name))
    print(_("Partner: {partner}").format(partner=store.site.partner))
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
        print(_("Trusted {name}: site {site} ({partner}).").format(
            name=peer.name, site=peer.site_name or peer.site_id, partner=peer.partner))
    elif args.bundle_command == "export":
        print(bundle.export_bundle(store, args.to, args.out, encrypt_for=args.encrypt_for).summary())
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
        print(f"{c.id}\t{c.kind}\t{c.label or c.row_id}\t{c.field}\t{c.kept!r}\t{c.lost!r}\t{c.lost_who}\t{state}")
    return 0


def _cmd_gui(args: argparse.Namespace) -> int:
    from app.ui.app import run_gui

    return run_gui(lambda: _open(args), demo_if_empty=getattr(args, "demo", False))


COMMANDS = {
    "gui": _cmd_gui,
    "demo": _cmd_demo,
    "import": _cmd_import,
    "export": _cmd_export,
    "snapshot": _cmd_snapshot,
    "db": _cmd_db,
    "site": _cmd_site,
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
