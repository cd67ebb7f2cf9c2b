"""The map-page protocol: one list of messages, the same on both sides.

Python may only send what ``app.core.mapdoc.protocol`` lists, and the page's
scripts (``resources/map/*.js``) must handle exactly those ops; the live page
is compared the same way in ``tests/ui/map/test_protocol.py``.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from app.core.mapdoc import protocol, styles
from app.core.mapdoc.protocol import PAGE_CALLS, SPEC, Op, message, page_spec

ROOT = Path(__file__).resolve().parents[3]
MAP_JS = ROOT / "resources" / "map"
HANDLER = re.compile(r"""COP\.addHandler\(\s*["']([^"']+)["']""")
BRIDGE_CALL = re.compile(r"\bbridge\.(\w+)\(")


def js_handled_ops() -> dict[str, list[str]]:
    """op -> the scripts registering a handler for it (parsed statically)."""
    found: dict[str, list[str]] = {}
    for path in sorted(MAP_JS.glob("*.js")):
        for op in HANDLER.findall(path.read_text(encoding="utf-8")):
            found.setdefault(op, []).append(path.name)
    return found


def test_every_op_has_its_fields_listed() -> None:
    assert set(SPEC) == set(Op)
    for op, spec in SPEC.items():
        names = [f.name for f in spec]
        assert len(names) == len(set(names)), op
        assert "op" not in names
        assert all(f.type in protocol.TYPES for f in spec), op


def test_the_page_handles_exactly_the_ops_python_can_send() -> None:
    handled = js_handled_ops()
    sent = {op.value for op in Op}
    assert sorted(sent - handled.keys()) == [], "ops with no handler in resources/map/*.js"
    assert sorted(handled.keys() - sent) == [], "ops the page handles that protocol.py lacks"
    twice = {op: files for op, files in handled.items() if len(files) > 1}
    assert twice == {}, "an op handled in two scripts"


def test_handlers_are_registered_one_way_only() -> None:
    """Every script registers with COP.addHandler("op", ...): no private op tables
    that the static check above could miss."""
    for path in MAP_JS.glob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\bHANDLERS\s*=\s*\{", text), path.name
        assert not re.search(r"\bhandlers\s*=\s*\{\s*[^\s}]", text), path.name


def test_no_page_message_is_made_by_hand_in_app() -> None:
    """Outside protocol.py no dict literal has an "op" key (and none calls json with one)."""
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        if path.name == "protocol.py" and path.parent.name == "mapdoc":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict) and any(
                isinstance(k, ast.Constant) and k.value == "op" for k in node.keys
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "dict"
                and any(kw.arg == "op" for kw in node.keywords)
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_only_the_map_controller_pushes_to_a_page() -> None:
    pushers = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ("app/ui/map/controller.py", "app/ui/map/view.py"):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\.push(_raw)?\(\s*(message|\[|\{|messages|payload)", text) or re.search(
            r"sig_push\.emit|runJavaScript\([^)]*receive", text
        ):
            pushers.append(rel)
    assert pushers == []


def test_message_checks_what_it_builds() -> None:
    assert message(Op.FLY, lat=-12.0, lon=40.0, zoom=9) == {
        "op": "fly",
        "lat": -12.0,
        "lon": 40.0,
        "zoom": 9,
    }
    assert message("select", id=None) == {"op": "select", "id": None}
    assert json.dumps(message(Op.DRAW_CANCEL)) == '{"op": "draw.cancel"}'
    with pytest.raises(ValueError, match="unknown page op"):
        message("units.rest", rows=[])
    with pytest.raises(ValueError, match="needs lon"):
        message(Op.FLY, lat=1.0)
    with pytest.raises(ValueError, match="no field 'colour'"):
        message(Op.FLY, lat=1.0, lon=2.0, colour="red")
    with pytest.raises(ValueError, match="must be number"):
        message(Op.FLY, lat="1", lon=2.0)
    with pytest.raises(ValueError, match="must be boolean"):
        message(Op.GRID, show=1)
    with pytest.raises(ValueError, match="must be string"):
        message(Op.SUPPLY_SELECT, id=None)  # not nullable
    with pytest.raises(ValueError):
        protocol.check({"op": "fly", "lat": True, "lon": 2.0})  # a bool is no number


def test_the_page_spec_is_the_table_as_json() -> None:
    spec = json.loads(json.dumps(page_spec()))
    assert set(spec["ops"]) == {op.value for op in Op}
    fly = spec["ops"]["fly"]
    assert fly["required"] == ["lat", "lon"]
    assert fly["optional"] == ["zoom"]
    assert spec["ops"]["select"]["types"]["id"] == "string?"
    assert spec["calls"] == {name: list(args) for name, args in PAGE_CALLS.items()}


def test_the_page_calls_back_only_what_protocol_lists() -> None:
    called: set[str] = set()
    for path in MAP_JS.glob("*.js"):
        called |= set(BRIDGE_CALL.findall(path.read_text(encoding="utf-8")))
    assert sorted(called - PAGE_CALLS.keys()) == []
    assert sorted(PAGE_CALLS.keys() - called) == []


def test_the_page_is_built_with_the_protocol_and_the_styles() -> None:
    pytest.importorskip("folium")
    from app.core.mapdoc.page import SCRIPTS, build_map, render_page

    html = render_page(build_map(assets="inline"))
    assert json.dumps(page_spec())[:200] in html
    assert json.dumps(styles.page_styles())[:100] in html
    scripts = [rel[-1] for _name, rel in SCRIPTS]
    for path in MAP_JS.glob("*.js"):
        assert path.name in scripts, f"{path.name} is not loaded by the page"
    assert scripts.index("cop-map.js") < scripts.index("cop-units.js")


def test_the_shared_colours_are_defined_once() -> None:
    page = styles.page_styles()
    assert page["zones"] == styles.ZONE_COLOURS
    assert page["affiliations"] == styles.AFFILIATION_COLOURS
    assert page["taskStatus"] == styles.TASK_STATUS_COLOURS
    assert {k: page["supplyLevels"][k] for k in styles.READINESS_COLOURS} == (
        styles.READINESS_COLOURS
    )
    # the page's scripts read them from COP.styles, never from their own copy
    palettes = [
        *styles.ZONE_COLOURS.values(),
        *styles.AFFILIATION_COLOURS.values(),
        styles.AFFILIATION_LINE_COLOURS["unknown"],
        styles.TASK_STATUS_COLOURS["complete"],
        styles.SUPPLY_LEVEL_COLOURS["none"],
    ]
    for path in MAP_JS.glob("*.js"):
        text = path.read_text(encoding="utf-8").lower()
        copied = [c for c in palettes if f'"{c.lower()}"' in text]
        assert copied == [], path.name
    # and the Python users import them
    for rel in (
        "app/ui/panels/layers/panel.py",
        "app/ui/briefing/render.py",
        "app/ui/briefing/presenter.py",
        "app/ui/panels/units/model.py",
        "app/ui/panels/tasks/model.py",
    ):
        text = (ROOT / rel).read_text(encoding="utf-8")
        assert styles.ZONE_COLOURS["conflict"] not in text, rel
        assert styles.TASK_STATUS_COLOURS["complete"] not in text, rel
        assert "app.core.mapdoc.styles" in text, rel
