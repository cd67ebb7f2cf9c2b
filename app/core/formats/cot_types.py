"""CoT atom types <-> MIL-STD-2525D / APP-6(D) SIDCs, both ways.

A CoT atom type reads ``a-<affiliation>-<battle dimension>[-<function>...]``: the
function letters are the 2525B function id (``a-f-G-U-C-I`` is a friendly land
infantry unit, ``a-u-G`` an unknown ground track).  The 2525D SIDC keeps the
identity in position 4, the symbol set in 5-6 and the entity in 11-16.

The tables below pair a CoT function with a 2525D entity; a type whose function
is not listed maps through its longest listed prefix, and an entity not listed
through its type or its entity family (``121102`` -> ``121100`` -> ``120000``).
"""

from __future__ import annotations

from functools import lru_cache

from app.core.common.sidc import parse_sidc

# CoT affiliation letter -> 2525D standard identity digit
AFFILIATIONS: dict[str, str] = {
    "p": "0",  # pending
    "u": "1",  # unknown
    "a": "2",  # assumed friend
    "f": "3",  # friend
    "n": "4",  # neutral
    "s": "5",  # suspect
    "h": "6",  # hostile
    "j": "6",  # joker (exercise hostile): context 1 below
    "k": "6",  # faker (exercise hostile): context 1 below
    "o": "1",  # none specified
}
IDENTITY_LETTERS: dict[str, str] = {
    "0": "p",
    "1": "u",
    "2": "a",
    "3": "f",
    "4": "n",
    "5": "s",
    "6": "h",
}

# (CoT dimension and function prefix, 2525D symbol set, entity); the first pair of a
# symbol set and entity is the one used when writing CoT.
PAIRS: tuple[tuple[str, str, str], ...] = (
    ("G-U", "10", "000000"),
    ("G-U-C", "10", "120000"),
    ("G-U-C-I", "10", "121100"),
    ("G-U-C-I-M", "10", "121102"),
    ("G-U-C-I-Z", "10", "121104"),
    ("G-U-C-I-A", "10", "120100"),
    ("G-U-C-I-N", "10", "121101"),
    ("G-U-C-A", "10", "120500"),
    ("G-U-C-R", "10", "121300"),
    ("G-U-C-R-A", "10", "120501"),
    ("G-U-C-F", "10", "130300"),
    ("G-U-C-F-H-E", "10", "130301"),
    ("G-U-C-F-M", "10", "130800"),
    ("G-U-C-F-R", "10", "130700"),
    ("G-U-C-D", "10", "130100"),
    ("G-U-C-E", "10", "140700"),
    ("G-U-C-E-C-M", "10", "140701"),
    ("G-U-C-E-C-T", "10", "140702"),
    ("G-U-C-V", "10", "120600"),
    ("G-U-C-V-F", "10", "120800"),
    ("G-U-C-V-U", "10", "121900"),
    ("G-U-C-S", "10", "121700"),
    ("G-U-C-A-A", "10", "120400"),
    ("G-U-U", "10", "140200"),
    ("G-U-U-A", "10", "140100"),
    ("G-U-U-L", "10", "141200"),
    ("G-U-U-M", "10", "151000"),
    ("G-U-U-M-E", "10", "150500"),
    ("G-U-U-S", "10", "111000"),
    ("G-U-U-S-R", "10", "110700"),
    ("G-U-U-S-S", "10", "111100"),
    ("G-U-U-P", "10", "110600"),
    ("G-U-U-C", "10", "110200"),
    ("G-U-S", "10", "160000"),
    ("G-U-S-A", "10", "160100"),
    ("G-U-S-M", "10", "161300"),
    ("G-U-S-M-C", "10", "161400"),
    ("G-U-S-S", "10", "163400"),
    ("G-U-S-S-1", "10", "160200"),
    ("G-U-S-S-5", "10", "160400"),
    ("G-U-S-S-3", "10", "162500"),
    ("G-U-S-S-W", "10", "164700"),
    ("G-U-S-T", "10", "163600"),
    ("G-U-S-X", "10", "161100"),
    ("G-U-S-C", "10", "160600"),
    ("G-U-H", "10", "110000"),
    ("G-E", "15", "000000"),
    ("G-I", "20", "000000"),
    ("G", "10", "000000"),
    ("F", "10", "121800"),
    ("A", "01", "000000"),
    ("A-M", "01", "110000"),
    ("A-M-F", "01", "110100"),
    ("A-M-H", "01", "110200"),
    ("A-M-F-Q", "01", "110300"),
    ("A-C", "01", "120000"),
    ("P", "05", "000000"),
    ("S", "30", "000000"),
    ("S-C", "30", "120000"),
    ("S-X", "30", "140000"),
    ("U", "35", "000000"),
    ("U-S", "35", "110000"),
    ("X", "10", "000000"),
)

_BY_COT: dict[str, tuple[str, str]] = {}
_BY_SIDC: dict[tuple[str, str], str] = {}
for _cot, _set, _entity in PAIRS:
    _BY_COT.setdefault(_cot, (_set, _entity))
    _BY_SIDC.setdefault((_set, _entity), _cot)
# a symbol set with no entity listed: its plain dimension
_SET_DEFAULT: dict[str, str] = {
    "10": "G-U",
    "11": "G-U",
    "15": "G-E",
    "20": "G-I",
    "01": "A",
    "02": "A",
    "05": "P",
    "06": "P",
    "30": "S",
    "35": "U",
    "36": "U",
    "27": "G-U",
}


def is_atom(cot_type: str) -> bool:
    return cot_type.startswith("a-") and len(cot_type) >= 3


@lru_cache(maxsize=4096)
def sidc_for_cot_type(cot_type: str) -> str:
    """The 2525D SIDC of an atom type (``a-f-G-U-C`` -> a friendly land combat unit).

    Unknown function letters fall back to the longest known prefix; an unknown
    affiliation becomes ``unknown``.
    """
    parts = cot_type.split("-")
    affiliation = parts[1] if len(parts) > 1 else "u"
    identity = AFFILIATIONS.get(affiliation, "1")
    context = "1" if affiliation in ("j", "k") else "0"
    rest = parts[2:]
    symbol_set, entity = "10", "000000"
    for cut in range(len(rest), 0, -1):
        found = _BY_COT.get("-".join(rest[:cut]))
        if found:
            symbol_set, entity = found
            break
    return f"10{context}{identity}{symbol_set}0000{entity}0000"


def cot_type_for_sidc(sidc: str) -> str:
    """The CoT atom type of a SIDC (the inverse of :func:`sidc_for_cot_type` on the tables)."""
    parsed = parse_sidc(sidc)
    letter = IDENTITY_LETTERS.get(parsed.identity, "u")
    if parsed.context == "1" and letter == "h":
        letter = "j"
    entity = parsed.entity
    for candidate in (entity, entity[:4] + "00", entity[:2] + "0000"):
        cot = _BY_SIDC.get((parsed.symbol_set, candidate))
        if cot and (candidate != "000000" or entity == "000000"):
            return f"a-{letter}-{cot}"
    return f"a-{letter}-{_SET_DEFAULT.get(parsed.symbol_set, 'G')}"


def with_affiliation(cot_type: str, sidc: str) -> str:
    """``cot_type`` with the affiliation letter the SIDC says (a stored type after an edit)."""
    parts = cot_type.split("-")
    if len(parts) < 3 or parts[0] != "a":
        return cot_type_for_sidc(sidc)
    parsed = parse_sidc(sidc)
    letter = IDENTITY_LETTERS.get(parsed.identity, "u")
    if parsed.context == "1" and letter == "h":
        letter = parts[1] if parts[1] in ("j", "k") else "j"
    if AFFILIATIONS.get(parts[1]) == parsed.identity and (parsed.context == "1") == (
        parts[1] in ("j", "k")
    ):
        return cot_type
    parts[1] = letter
    return "-".join(parts)
