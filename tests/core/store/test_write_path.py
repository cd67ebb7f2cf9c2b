"""The one write path: nothing outside ``app.core.store`` opens a transaction, no module
uses another's private names, and the batch API (notes, moves) does what it says."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
APP = ROOT / "app"
STORE = APP / "core" / "store"

# calls that open (or end) a transaction or a session for writing
OPENERS = frozenset({"transaction", "Session", "sessionmaker", "begin", "commit"})
# the one exception: the central sync server is another database (PostgreSQL), not the store;
# its own connections commit what the server receives and hands out
SERVER_COMMITS = {("app/core/sync/central.py", "commit"): 3}
# names that look private by convention but are public: gettext, and the namedtuple
# and SQLAlchemy row API
CONVENTIONS = frozenset({"_", "_fields", "_asdict", "_replace", "_make", "_mapping"})


@dataclass(frozen=True)
class Module:
    name: str  # app.core.store.writing
    path: str  # app/core/store/writing.py
    tree: ast.Module


def _modules(root: Path, base: Path) -> list[Module]:
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(base)
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append(Module(".".join(parts), rel.as_posix(), ast.parse(path.read_text("utf-8"))))
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in CONVENTIONS


def transaction_openers(modules: list[Module]) -> list[str]:
    """``path:line call`` for each opener outside ``app/core/store`` (server commits allowed)."""
    found: list[tuple[str, str, str]] = []
    for module in modules:
        if module.path.startswith("app/core/store/"):
            continue
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute):
                name = func.attr
            elif isinstance(func, ast.Name):
                name = func.id
            else:
                continue
            if name in OPENERS:
                found.append(
                    (module.path, name, f"{module.path}:{node.lineno} {ast.unparse(func)}(")
                )
    counts: dict[tuple[str, str], int] = {}
    for path, name, _where in found:
        counts[path, name] = counts.get((path, name), 0) + 1
    allowed = {key for key, n in counts.items() if SERVER_COMMITS.get(key) == n}
    return [where for path, name, where in found if (path, name) not in allowed]


def _class_privates(module: Module) -> set[str]:
    """Private names a module's classes define (methods, class attributes, ``self._x =``)."""
    names: set[str] = set()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(item.name)
                elif isinstance(item, ast.Assign):
                    names.update(t.id for t in item.targets if isinstance(t, ast.Name))
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    names.add(item.target.id)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
        ):
            names.add(node.attr)
    return {n for n in names if _private(n)}


def private_crossings(modules: list[Module]) -> list[str]:
    """Each use of another module's private name: ``from app.x import _y``, ``mod._y`` on an
    imported app module, or ``obj._y`` where only another module's classes define ``_y``
    (``batch._note`` on a ``WriteBatch``)."""
    known = {m.name for m in modules}
    privates = {m.name: _class_privates(m) for m in modules}
    found: list[str] = []
    for module in modules:
        aliases: dict[str, str] = {}
        for node in ast.walk(module.tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.split(".")[0] in ("app",)
            ):
                for alias in node.names:
                    if _private(alias.name) and node.module != module.name:
                        found.append(
                            f"{module.path}:{node.lineno} from {node.module} import {alias.name}"
                        )
                    if f"{node.module}.{alias.name}" in known:
                        aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in known:
                        aliases[alias.asname or alias.name.split(".")[0]] = alias.name
        own = privates[module.name]
        for node in ast.walk(module.tree):
            if not (isinstance(node, ast.Attribute) and _private(node.attr)):
                continue
            value = node.value
            if isinstance(value, ast.Name) and value.id in aliases:
                if aliases[value.id] != module.name:
                    found.append(f"{module.path}:{node.lineno} {ast.unparse(node)}")
                continue
            if isinstance(value, ast.Name) and value.id in ("self", "cls"):
                continue
            if node.attr in own:
                continue
            owners = [m for m, names in privates.items() if m != module.name and node.attr in names]
            if owners:
                found.append(f"{module.path}:{node.lineno} {ast.unparse(node)} ({owners[0]})")
    return found


def test_no_module_outside_the_store_opens_a_transaction() -> None:
    assert transaction_openers(_modules(APP, ROOT)) == []


def test_no_module_uses_another_modules_private_names() -> None:
    assert private_crossings(_modules(APP, ROOT)) == []


def test_the_scans_find_a_planted_violation(tmp_path: Path) -> None:
    pkg = tmp_path / "app" / "core"
    (pkg / "store").mkdir(parents=True)
    (pkg / "picture").mkdir()
    (pkg / "store" / "writing.py").write_text(
        "class WriteBatch:\n"
        "    def _note(self):\n        pass\n"
        "    def flush(self, store):\n        with store.transaction():\n            pass\n",
        "utf-8",
    )
    (pkg / "store" / "engine.py").write_text("def _peek():\n    pass\n", "utf-8")
    (pkg / "picture" / "ops.py").write_text(
        "from app.core.store.engine import _peek\n"
        "from app.core.store import engine\n"
        "from sqlalchemy.orm import Session\n\n"
        "def move(store, batch, db):\n"
        "    with store.transaction() as session:\n"
        "        batch._note()\n"
        "        engine._peek()\n"
        "    with Session(db) as s, s.begin():\n"
        "        s.commit()\n",
        "utf-8",
    )
    modules = _modules(tmp_path / "app", tmp_path)
    assert sorted(transaction_openers(modules)) == [
        "app/core/picture/ops.py:10 s.commit(",
        "app/core/picture/ops.py:6 store.transaction(",
        "app/core/picture/ops.py:9 Session(",
        "app/core/picture/ops.py:9 s.begin(",
    ]
    crossings = private_crossings(modules)
    assert sorted(crossings) == sorted(
        [
            "app/core/picture/ops.py:1 from app.core.store.engine import _peek",
            "app/core/picture/ops.py:7 batch._note (app.core.store.writing)",
            "app/core/picture/ops.py:8 engine._peek",
        ]
    )


# --- the batch API ---


@pytest.fixture
def published(store):
    seen: list = []
    unsubscribe = store.events.subscribe(seen.extend)
    yield seen
    unsubscribe()


def test_notes_become_one_changed_per_kind_with_the_enum(store, published) -> None:
    from app.core.events import RecordKind
    from app.core.store.writing import writing

    with writing(store, "tester") as batch:
        batch.note_added(RecordKind.TASK, ["t1", "t2"])
        batch.note_updated("task", ["t3"])  # a kind's value is taken too
        batch.note_removed(RecordKind.ZONE, ["z1"])
        batch.note_moved(["u1"], [("u1", -12.5, 40.25)], datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
        batch.note_added(RecordKind.UNIT, ["u2"])
        batch.note_moved(["u2"])  # added in the same batch: not a move
        assert batch.noted(RecordKind.TASK)["added"] == {"t1", "t2"}
    by_kind = {c.kind: c for c in published}
    assert set(by_kind) == {RecordKind.TASK, RecordKind.ZONE, RecordKind.UNIT}
    assert all(type(c.kind) is RecordKind for c in published)
    task = by_kind["task"]
    assert (task.added, task.updated, task.removed) == ({"t1", "t2"}, {"t3"}, frozenset())
    assert task.initiator == "tester" and task.positions == () and task.at is None
    assert by_kind[RecordKind.ZONE].removed == {"z1"}
    unit = by_kind[RecordKind.UNIT]
    assert unit.moved == {"u1"} and unit.updated == {"u1", "u2"} and unit.added == {"u2"}
    assert unit.positions == (("u1", -12.5, 40.25),)
    assert unit.at == datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


def test_an_unknown_kind_is_refused(store) -> None:
    from app.core.store.writing import writing

    with pytest.raises(ValueError), writing(store) as batch:
        batch.note_added("no such kind", ["x"])


def test_a_failed_batch_publishes_nothing(store, published) -> None:
    from app.core.events import RecordKind
    from app.core.store.writing import writing

    with pytest.raises(RuntimeError), writing(store) as batch:
        batch.note_added(RecordKind.TASK, ["t1"])
        raise RuntimeError("refused")
    assert published == []


def _history(store, unit_id: str) -> list[tuple[float, float]]:
    from sqlalchemy import select

    from app.core.store.models import UnitPosition

    with store.session() as session:
        rows = session.execute(
            select(UnitPosition.lat, UnitPosition.lon)
            .where(UnitPosition.unit_id == unit_id)
            .order_by(UnitPosition.id)
        ).all()
    return [tuple(r) for r in rows]


@pytest.fixture
def one_path(monkeypatch):
    """Units move through ``WriteBatch.write_tracks`` (new track values) and saved units
    get their history through ``WriteBatch.add_history``: record what each was given."""
    from app.core.store.writing import WriteBatch

    calls: list[tuple[str, list[tuple]]] = []
    write_tracks, add_history = WriteBatch.write_tracks, WriteBatch.add_history

    def tracks(self, rows, columns):
        if rows:
            calls.append(("tracks", [(r.unit_id, r.at, r.lat, r.lon) for r in rows]))
        return write_tracks(self, rows, columns)

    def history(self, rows):
        if rows:
            calls.append(("history", list(rows)))
        return add_history(self, rows)

    monkeypatch.setattr(WriteBatch, "write_tracks", tracks)
    monkeypatch.setattr(WriteBatch, "add_history", history)
    return calls


def _unit(store, lat: float = -12.5, lon: float = 40.25) -> str:
    from app.core.picture.ops import add_units
    from app.core.picture.records import UnitData

    (uid,) = add_units(
        store,
        [UnitData(name="A Coy", callsign="ALPHA", sidc="10031000151211000000", lat=lat, lon=lon)],
    )
    return uid


def test_the_ui_move_writes_history_and_a_move_event(store, published, one_path) -> None:
    from app.core.events import RecordKind
    from app.core.picture.ops import move_units
    from app.core.picture.queries import list_units

    uid = _unit(store)
    published.clear()
    at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert move_units(store, [(uid, -12.6, 40.3), ("nobody", 1.0, 1.0)], at=at) == 1
    assert move_units(store, [(uid, -12.6, 40.3)]) == 0  # already there: skipped
    assert _history(store, uid) == [(-12.5, 40.25), (-12.6, 40.3)]
    assert one_path[-1] == ("tracks", [(uid, at, -12.6, 40.3)])
    (change,) = published
    assert change.kind is RecordKind.UNIT and change.kind == "unit"
    assert (change.moved, change.updated, change.added) == ({uid}, {uid}, frozenset())
    assert change.positions == ((uid, -12.6, 40.3),) and change.at == at
    (row,) = list_units(store, [uid])
    assert (row.lat, row.lon, row.last_report) == (-12.6, 40.3, at)


def _cot(uid: str, lat: float, lon: float, when: datetime) -> bytes:
    t = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    stale = (when + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return (
        f'<event version="2.0" uid="{uid}" type="a-f-G-U-C" how="m-g" time="{t}" start="{t}" '
        f'stale="{stale}"><point lat="{lat!r}" lon="{lon!r}" hae="0" ce="10" le="10"/>'
        '<detail><contact callsign="VIPER 6"/><track course="90.0" speed="3.5"/></detail></event>'
    ).encode()


def test_the_feed_writes_history_and_a_move_event(store, published, one_path) -> None:
    from app.core.events import RecordKind
    from app.core.exchange.feed import ingest_live
    from app.core.formats.cot import parse_event
    from app.core.picture.queries import list_units

    first = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    ingest_live(store, [parse_event(_cot("ANDROID-7", -12.5, 40.25, first))])
    (unit,) = list_units(store)
    published.clear()
    later = first + timedelta(minutes=1)
    assert ingest_live(store, [parse_event(_cot("ANDROID-7", -12.51, 40.26, later))]).stored == 1
    assert _history(store, unit.id) == [(-12.5, 40.25), (-12.51, 40.26)]
    assert one_path[-1] == ("tracks", [(unit.id, later, -12.51, 40.26)])
    (change,) = published
    assert change.kind is RecordKind.UNIT and change.initiator == "feed"
    assert change.moved == {unit.id} and change.positions == ((unit.id, -12.51, 40.26),)
    assert change.at == later
    (row,) = list_units(store, [unit.id])
    assert (row.lat, row.lon) == (-12.51, 40.26)


def test_an_import_writes_history_and_a_move_event(store, published, one_path, tmp_path) -> None:
    from app.core.exchange.files import import_file
    from app.core.picture.queries import list_units

    first = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    path = tmp_path / "tracks.cot"
    path.write_bytes(_cot("TRACK-9", 10.0, 20.0, first))
    import_file(store, path)
    (unit,) = list_units(store)
    published.clear()
    later = first + timedelta(minutes=5)
    path.write_bytes(_cot("TRACK-9", 10.5, 20.5, later))
    import_file(store, path)
    assert _history(store, unit.id) == [(10.0, 20.0), (10.5, 20.5)]
    assert one_path[-1] == ("tracks", [(unit.id, later, 10.5, 20.5)])
    (change,) = published
    assert change.initiator == "import" and change.moved == {unit.id}
    assert change.positions == ((unit.id, 10.5, 20.5),) and change.at == later


def test_a_saved_unit_that_moved_gets_history_and_a_move_note(store, published, one_path) -> None:
    from app.core.picture.ops import add_units
    from app.core.picture.queries import list_units
    from app.core.picture.records import UnitData

    uid = _unit(store)
    (row,) = list_units(store, [uid])
    published.clear()
    add_units(
        store,
        [
            UnitData(
                id=uid,
                name="A Coy",
                callsign="ALPHA",
                sidc="10031000151211000000",
                lat=-13.0,
                lon=41.0,
            )
        ],
    )
    assert _history(store, uid) == [(-12.5, 40.25), (-13.0, 41.0)]
    assert [(kind, rows[0][0], rows[0][2:]) for kind, rows in one_path] == [
        ("history", uid, (-12.5, 40.25)),
        ("history", uid, (-13.0, 41.0)),
    ]
    (change,) = published
    assert change.moved == {uid} and change.updated == {uid}
    assert change.positions == ()  # a full update: views read the unit back


def test_a_read_session_cannot_write(store) -> None:
    from sqlalchemy import update

    from app.core.store.engine import ReadOnlySession
    from app.core.store.models import SyncLocal, Unit

    uid = _unit(store)
    with store.session() as session, pytest.raises(ReadOnlySession):
        session.add(SyncLocal(key="sneaky", value="x"))
        session.flush()
    with store.session() as session, pytest.raises(ReadOnlySession):
        session.execute(update(Unit).where(Unit.id == uid).values(name="renamed"))
    with store.session() as session:
        assert session.get(SyncLocal, "sneaky") is None
        assert session.get(Unit, uid).name == "A Coy"
