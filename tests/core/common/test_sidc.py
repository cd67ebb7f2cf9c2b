"""2525D symbol identification codes."""

from __future__ import annotations

import pytest

from app.core.common.sidc import (
    CIVILIAN_ENTITIES,
    ECHELON_RANKS,
    ECHELONS,
    LAND_UNIT_ENTITIES,
    SIDC,
    SIDCError,
    make_sidc,
    parse_sidc,
)

FRIENDLY_INF_COY = "10031000151211000000"


def test_friendly_infantry_company() -> None:
    sidc = parse_sidc(FRIENDLY_INF_COY)
    assert isinstance(sidc, SIDC)
    assert sidc.code == FRIENDLY_INF_COY
    assert (sidc.version, sidc.context, sidc.identity, sidc.symbol_set) == ("10", "0", "3", "10")
    assert (sidc.status, sidc.hq_tf_dummy, sidc.amplifier) == ("0", "0", "15")
    assert (sidc.entity, sidc.modifier1, sidc.modifier2) == ("121100", "00", "00")
    assert sidc.affiliation == "friend"
    assert sidc.affiliation_group == "friend"
    assert sidc.is_land_unit
    assert sidc.echelon == "company"
    assert sidc.echelon_rank == 5
    assert sidc.symbol_set_name == "Land unit"
    assert sidc.entity_name == "Infantry"
    assert sidc.context_name == "reality"
    assert sidc.status_name == "present"
    assert not (sidc.is_headquarters or sidc.is_task_force or sidc.is_dummy)
    assert str(sidc) == FRIENDLY_INF_COY


def test_spaces_are_ignored() -> None:
    assert parse_sidc(" 10 03 10 00 15 121100 00 00 ").code == FRIENDLY_INF_COY


@pytest.mark.parametrize(
    "digit, affiliation, group",
    [
        ("0", "pending", "unknown"),
        ("1", "unknown", "unknown"),
        ("2", "assumed_friend", "friend"),
        ("3", "friend", "friend"),
        ("4", "neutral", "neutral"),
        ("5", "suspect", "hostile"),
        ("6", "hostile", "hostile"),
    ],
)
def test_affiliations(digit: str, affiliation: str, group: str) -> None:
    sidc = parse_sidc(f"100{digit}1000151211000000")
    assert sidc.affiliation == affiliation
    assert sidc.affiliation_group == group


def test_echelon_ranks_increase() -> None:
    ranks = [parse_sidc(f"10031000{code}1211000000").echelon_rank for code in ECHELONS]
    assert ranks == sorted(ranks) == list(range(1, 15))
    assert ECHELON_RANKS["11"] == 1 and ECHELON_RANKS["26"] == 14
    assert parse_sidc("10031000141211000000").echelon == "platoon"
    assert parse_sidc("10031000211211000000").echelon == "division"


def test_no_echelon_when_unspecified_or_not_land_unit() -> None:
    unspecified = parse_sidc("10031000001211000000")
    assert unspecified.echelon is None and unspecified.echelon_rank is None
    # land equipment: the amplifier is mobility, not an echelon
    equipment = parse_sidc("10031500331201000000")
    assert not equipment.is_land_unit
    assert equipment.echelon is None and equipment.echelon_rank is None
    assert equipment.symbol_set_name == "Land equipment"


def test_hq_task_force_dummy_flags() -> None:
    hq = parse_sidc("10031002161211000000")
    assert hq.is_headquarters and not hq.is_task_force and not hq.is_dummy
    tf_hq_dummy = parse_sidc("10031007161211000000")
    assert tf_hq_dummy.is_headquarters and tf_hq_dummy.is_task_force and tf_hq_dummy.is_dummy


def test_exercise_context_and_other_versions() -> None:
    assert parse_sidc("10131000151211000000").is_exercise
    assert parse_sidc("11031000151211000000").version == "11"
    assert parse_sidc("13031000151211000000").version == "13"


def test_civilian_organisation() -> None:
    sidc = parse_sidc("10041100001104000000")
    assert sidc.affiliation == "neutral"
    assert not sidc.is_land_unit
    assert sidc.entity_name is not None and "NGO" in sidc.entity_name


@pytest.mark.parametrize(
    "code, message",
    [
        ("", "no SIDC given"),
        ("1003100015121100000", "SIDC '1003100015121100000' must be 20 digits, not 19"),
        ("100310001512110000000", "SIDC '100310001512110000000' must be 20 digits, not 21"),
        ("SFGPUCI----D---", "SIDC 'SFGPUCI----D---' must contain only digits"),
        (
            "99031000151211000000",
            "SIDC '99031000151211000000': version '99' is not supported (10, 11 or 13)",
        ),
        ("10331000151211000000", "SIDC '10331000151211000000': context '3' is unknown"),
        ("10071000151211000000", "SIDC '10071000151211000000': standard identity '7' is unknown"),
        ("10039900151211000000", "SIDC '10039900151211000000': symbol set '99' is unknown"),
        ("10031060151211000000", "SIDC '10031060151211000000': status '6' is unknown"),
        (
            "10031008151211000000",
            "SIDC '10031008151211000000': headquarters/task force/dummy '8' is unknown",
        ),
        ("10031000191211000000", "SIDC '10031000191211000000': echelon '19' is unknown"),
        ("10031000271211000000", "SIDC '10031000271211000000': echelon '27' is unknown"),
    ],
)
def test_invalid_codes(code: str, message: str) -> None:
    with pytest.raises(SIDCError) as err:
        parse_sidc(code)
    assert str(err.value) == message


def test_sidc_error_is_value_error() -> None:
    assert issubclass(SIDCError, ValueError)


def test_make_sidc_by_name() -> None:
    assert make_sidc("friend", "10", "121100", "company") == FRIENDLY_INF_COY
    assert make_sidc("3", "10", "121100", "15") == FRIENDLY_INF_COY
    assert make_sidc("FRIEND", "10", "121100", " Company ") == FRIENDLY_INF_COY


def test_make_sidc_aliases_and_options() -> None:
    code = make_sidc("hostile", "10", "130300", "battery", hq_tf_dummy="2")
    sidc = parse_sidc(code)
    assert code == "10061002151303000000"
    assert sidc.affiliation == "hostile" and sidc.echelon == "company" and sidc.is_headquarters
    assert (
        parse_sidc(make_sidc("assumed friend", "10", "121100", "squadron")).echelon == "battalion"
    )
    assert (
        parse_sidc(make_sidc("assumed-friend", "10", "121100", "army group")).echelon
        == "army_group"
    )
    exercise = make_sidc("neutral", "11", "110400", context="1", status="1", version="13")
    assert exercise == "13141110001104000000"
    assert make_sidc("unknown", "10", "121100", "unspecified")[8:10] == "00"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"identity": "ally"}, "standard identity 'ally' is unknown"),
        ({"identity": "9"}, "standard identity '9' is unknown"),
        ({"echelon": "legion"}, "echelon 'legion' is unknown"),
        ({"entity": "12110"}, "entity '12110' must be 6 digits"),
        ({"entity": "12110A"}, "entity '12110A' must be 6 digits"),
        ({"symbol_set": "1"}, "symbol set '1' must be 2 digits"),
        ({"status": "10"}, "status '10' must be 1 digit"),
        ({"symbol_set": "99"}, "SIDC '10039900001211000000': symbol set '99' is unknown"),
        ({"echelon": "19"}, "SIDC '10031000191211000000': echelon '19' is unknown"),
    ],
)
def test_make_sidc_errors(kwargs: dict[str, str], message: str) -> None:
    args = {"identity": "friend", "symbol_set": "10", "entity": "121100", **kwargs}
    with pytest.raises(SIDCError) as err:
        make_sidc(**args)
    assert str(err.value) == message


def test_entity_tables_are_well_formed() -> None:
    for table in (LAND_UNIT_ENTITIES, CIVILIAN_ENTITIES):
        for code, name in table.items():
            assert len(code) == 6 and code.isdigit() and name
    expected = {
        "121100": "Infantry",
        "120500": "Armour",
        "121300": "Reconnaissance",
        "121102": "Mechanized infantry",
        "130300": "Field artillery",
        "140700": "Engineer",
        "141200": "Military police",
        "161300": "Medical",
        "161400": "Medical treatment facility",
        "111000": "Signal",
        "110000": "Command and control",
        "120600": "Army aviation",
        "110200": "Civil affairs",
        "140100": "CBRN",
        "121800": "Special operations forces",
        "163600": "Transportation",
        "161100": "Maintenance",
        "164800": "Water purification",
    }
    for code, prefix in expected.items():
        assert LAND_UNIT_ENTITIES[code].startswith(prefix), code
    # every table entry makes a valid friendly company
    for code in LAND_UNIT_ENTITIES:
        assert parse_sidc(make_sidc("friend", "10", code, "company")).entity == code
