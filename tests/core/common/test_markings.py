"""Classification and releasability markings."""

from __future__ import annotations

import pytest

from app.core.common.markings import (
    BLOCS,
    EU_MEMBERS,
    KNOWN_ORGANISATIONS,
    NATO_MEMBERS,
    UN_AGENCIES,
    Classification,
    Level,
    MarkingError,
    Releasability,
    banner_colour,
    banner_text,
    banner_text_colour,
    is_partner_code,
    nation_codes,
    normalise_partner,
    partner_name,
    register_partner,
    validate_marking,
)

# --------------------------------------------------------------------------- levels


def test_level_order_and_display() -> None:
    assert (
        Level.UNCLASSIFIED < Level.RESTRICTED < Level.CONFIDENTIAL < Level.SECRET < Level.TOP_SECRET
    )
    assert [int(level) for level in Level] == [0, 1, 2, 3, 4]
    assert str(Level.TOP_SECRET) == "TOP SECRET"
    assert f"{Level.TOP_SECRET}" == "TOP SECRET"
    assert Level.TOP_SECRET.label == "TOP SECRET"


# --------------------------------------------------------------------------- classification


@pytest.mark.parametrize(
    "text, level, owner, canonical",
    [
        ("NATO RESTRICTED", Level.RESTRICTED, "NATO", "NATO RESTRICTED"),
        ("UNCLASSIFIED", Level.UNCLASSIFIED, None, "UNCLASSIFIED"),
        ("unclas", Level.UNCLASSIFIED, None, "UNCLASSIFIED"),
        ("secret", Level.SECRET, None, "SECRET"),
        ("  Secret  ", Level.SECRET, None, "SECRET"),
        ("FRA CONFIDENTIAL", Level.CONFIDENTIAL, "FRA", "FRA CONFIDENTIAL"),
        ("EU RESTRICTED", Level.RESTRICTED, "EU", "EU RESTRICTED"),
        ("nato  unclassified", Level.UNCLASSIFIED, "NATO", "NATO UNCLASSIFIED"),
        ("top secret", Level.TOP_SECRET, None, "TOP SECRET"),
        ("TOP_SECRET", Level.TOP_SECRET, None, "TOP SECRET"),
        ("GBR TOP SECRET", Level.TOP_SECRET, "GBR", "GBR TOP SECRET"),
        ("COSMIC TOP SECRET", Level.TOP_SECRET, "NATO", "COSMIC TOP SECRET"),
        ("NATO TOP SECRET", Level.TOP_SECRET, "NATO", "COSMIC TOP SECRET"),
    ],
)
def test_classification_parse(text: str, level: Level, owner: str | None, canonical: str) -> None:
    marking = Classification.parse(text)
    assert marking.level is level
    assert marking.owner == owner
    assert str(marking) == canonical
    assert Classification.parse(str(marking)) == marking


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "no classification given"),
        ("SUPER SECRET", "classification 'SUPER SECRET': unknown partner code 'SUPER'"),
        ("XYZ CONFIDENTIAL", "classification 'XYZ CONFIDENTIAL': unknown partner code 'XYZ'"),
        ("NATO", "unknown classification 'NATO'"),
        ("VERY TOP SECRET STUFF", "unknown classification 'VERY TOP SECRET STUFF'"),
        ("PUBLIC SECRET", "PUBLIC cannot own a classification"),
    ],
)
def test_classification_parse_errors(text: str, message: str) -> None:
    with pytest.raises(MarkingError) as err:
        Classification.parse(text)
    assert str(err.value) == message


def test_classification_constructor_normalises() -> None:
    assert Classification(Level.SECRET, " fra ") == Classification(Level.SECRET, "FRA")
    assert Classification(3) == Classification(Level.SECRET)  # type: ignore[arg-type]
    assert Classification(Level.SECRET, "").owner is None
    with pytest.raises(MarkingError, match="unknown partner code 'XYZ'"):
        Classification(Level.SECRET, "XYZ")
    with pytest.raises(MarkingError, match="unknown classification level '9'"):
        Classification(9)  # type: ignore[arg-type]


def test_classification_ordering_and_highest() -> None:
    items = [Classification.parse(t) for t in ("NATO RESTRICTED", "SECRET", "FRA CONFIDENTIAL")]
    assert max(items) == Classification.parse("SECRET")
    assert sorted(items)[0] == Classification.parse("NATO RESTRICTED")
    assert Classification.parse("NATO SECRET") > Classification.parse("SECRET")
    assert Classification.highest(items) == Classification.parse("SECRET")
    assert Classification.highest(["UNCLASSIFIED", "NATO RESTRICTED"]) == Classification.parse(
        "NATO RESTRICTED"
    )
    assert Classification.highest([]) == Classification(Level.UNCLASSIFIED)
    assert str(Classification.highest([])) == "UNCLASSIFIED"


# --------------------------------------------------------------------------- partners


def test_member_lists() -> None:
    assert len(NATO_MEMBERS) == 32
    assert len(EU_MEMBERS) == 27
    assert {"SWE", "FIN", "USA", "TUR", "MKD", "MNE"} <= NATO_MEMBERS
    assert "UKR" not in NATO_MEMBERS and "AUT" not in NATO_MEMBERS
    assert {"AUT", "IRL", "MLT", "CYP"} <= EU_MEMBERS and "GBR" not in EU_MEMBERS
    assert NATO_MEMBERS.issubset(nation_codes()) and EU_MEMBERS.issubset(nation_codes())
    assert UN_AGENCIES.issubset(KNOWN_ORGANISATIONS)


def test_partner_codes() -> None:
    for code in ("FRA", "ukr", " gbr ", "NATO", "UN", "EU", "AU", "PUBLIC", "ICRC", "wfp", "SCI"):
        assert is_partner_code(code), code
    for code in ("XYZ", "", "FRANCE", "NATOO"):
        assert not is_partner_code(code), code
    assert normalise_partner(" fra ") == "FRA"
    assert len(nation_codes()) > 240


def test_organisation_codes_do_not_clash_with_nations() -> None:
    assert not set(KNOWN_ORGANISATIONS) & nation_codes()
    assert not set(BLOCS) & nation_codes()


def test_normalise_partner_error() -> None:
    with pytest.raises(MarkingError) as err:
        normalise_partner("XYZ")
    assert str(err.value) == "unknown partner code 'XYZ'"


def test_partner_names() -> None:
    assert partner_name("FRA") == "France"
    assert partner_name("ukr") == "Ukraine"
    assert partner_name("NATO") == "North Atlantic Treaty Organization"
    assert partner_name("WFP") == "World Food Programme"
    assert partner_name("SCI") == "Save the Children International"


def test_register_partner() -> None:
    assert not is_partner_code("ACTED-TEST")
    assert register_partner(" acted-test ", "ACTED") == "ACTED-TEST"
    assert is_partner_code("acted-test")
    assert partner_name("ACTED-TEST") == "ACTED"
    register_partner("ACTED-TEST", "Agency for Technical Cooperation and Development")
    assert partner_name("ACTED-TEST") == "Agency for Technical Cooperation and Development"
    rel = Releasability.parse("REL TO NATO, ACTED-TEST, FRA")
    assert rel.codes_list() == ["NATO", "FRA", "ACTED-TEST"]
    assert rel.allows("acted-test")


@pytest.mark.parametrize(
    "code, name, message",
    [
        ("FRA", "x", "partner code 'FRA' is already used by France"),
        ("NATO", "x", "partner code 'NATO' is already used by North Atlantic Treaty Organization"),
        (
            "A",
            "x",
            "partner code 'A' must be 2 to 16 letters, digits, '-' or '_' starting with a letter",
        ),
        (
            "NEW ORG",
            "x",
            "partner code 'NEW ORG' must be 2 to 16 letters, digits, '-' or '_' starting with a letter",
        ),
        ("NEWORG", "  ", "partner 'NEWORG' needs a name"),
    ],
)
def test_register_partner_errors(code: str, name: str, message: str) -> None:
    with pytest.raises(MarkingError) as err:
        register_partner(code, name)
    assert str(err.value) == message


# --------------------------------------------------------------------------- releasability


@pytest.mark.parametrize(
    "value, codes, text",
    [
        ("REL TO NATO, UKR", {"NATO", "UKR"}, "REL TO NATO, UKR"),
        ("rel to ukr,nato", {"NATO", "UKR"}, "REL TO NATO, UKR"),
        ("RELEASABLE TO NATO, UN", {"NATO", "UN"}, "REL TO NATO, UN"),
        ("NATO UN", {"NATO", "UN"}, "REL TO NATO, UN"),
        ("UN/NATO", {"NATO", "UN"}, "REL TO NATO, UN"),
        (["NATO", "UN"], {"NATO", "UN"}, "REL TO NATO, UN"),
        (("nato", " un "), {"NATO", "UN"}, "REL TO NATO, UN"),
        ("PUBLIC", {"PUBLIC"}, "PUBLIC"),
        ("public release", {"PUBLIC"}, "PUBLIC"),
        ("NATO, PUBLIC", {"PUBLIC"}, "PUBLIC"),  # PUBLIC covers everyone
        ("", set(), "NOT RELEASABLE"),
        ([], set(), "NOT RELEASABLE"),
        ("NOT RELEASABLE", set(), "NOT RELEASABLE"),
        (
            "REL TO WFP, USA, AU, ICRC, UN, FRA, EU, NATO",
            {"WFP", "USA", "AU", "ICRC", "UN", "FRA", "EU", "NATO"},
            "REL TO NATO, EU, UN, AU, FRA, USA, ICRC, WFP",
        ),
    ],
)
def test_releasability_parse_and_str(value: object, codes: set[str], text: str) -> None:
    rel = Releasability.parse(value)  # type: ignore[arg-type]
    assert rel.codes == frozenset(codes)
    assert str(rel) == text
    assert Releasability.parse(str(rel)) == rel


def test_releasability_parse_returns_same_object_and_rejects_unknown() -> None:
    rel = Releasability.parse("NATO")
    assert Releasability.parse(rel) is rel
    with pytest.raises(MarkingError) as err:
        Releasability.parse("REL TO NATO, XYZ")
    assert str(err.value) == "unknown partner code 'XYZ'"
    with pytest.raises(MarkingError, match="no releasability given"):
        Releasability.parse(None)  # type: ignore[arg-type]


def test_codes_list_order() -> None:
    rel = Releasability(frozenset({"OXFAM", "UKR", "AU", "FRA", "UN", "NATO", "CARE", "EU"}))
    assert rel.codes_list() == ["NATO", "EU", "UN", "AU", "FRA", "UKR", "CARE", "OXFAM"]
    assert Releasability.public().codes_list() == ["PUBLIC"]


def test_is_public() -> None:
    assert Releasability.parse("PUBLIC").is_public
    assert not Releasability.parse("NATO").is_public


def test_allows_membership() -> None:
    nato = Releasability.parse("REL TO NATO")
    assert nato.allows("FRA")
    assert nato.allows("fra")
    assert nato.allows("NATO")
    assert not nato.allows("UKR")
    assert not nato.allows("UN")
    assert not nato.allows("PUBLIC")
    assert Releasability.parse("REL TO NATO, UKR").allows("UKR")
    un = Releasability.parse("UN")
    assert un.allows("WFP") and un.allows("UNHCR") and un.allows("UN")
    assert not un.allows("ICRC")  # not a UN agency
    assert not un.allows("FRA")  # UN member states are not the UN
    assert Releasability.parse("EU").allows("AUT") and not Releasability.parse("EU").allows("GBR")
    au = Releasability.parse("AU")
    assert au.allows("AU") and not au.allows("ZAF")


def test_a_bloc_is_not_a_member_of_a_nation() -> None:
    assert not Releasability.parse("FRA").allows("NATO")
    assert Releasability.parse("FRA").allows("FRA")


def test_public_allows_everyone() -> None:
    public = Releasability.parse("PUBLIC")
    for partner in ("FRA", "NATO", "UN", "ICRC", "PUBLIC", "UKR"):
        assert public.allows(partner)


def test_nobody_allowed_by_empty() -> None:
    assert not Releasability(frozenset()).allows("FRA")


def test_allows_unknown_partner_raises() -> None:
    with pytest.raises(MarkingError, match="unknown partner code 'XYZ'"):
        Releasability.parse("NATO").allows("XYZ")


@pytest.mark.parametrize(
    "items, expected",
    [
        ([], "PUBLIC"),
        (["PUBLIC", "PUBLIC"], "PUBLIC"),
        (["PUBLIC", "REL TO UN"], "REL TO UN"),
        (["NATO", "NATO, UN"], "REL TO NATO"),
        (["NATO", "FRA, UKR"], "REL TO FRA"),
        (["NATO, UKR", "UKR, UN"], "REL TO UKR"),
        (["UN", "WFP, ICRC"], "REL TO WFP"),
        (["NATO", "UN"], "NOT RELEASABLE"),
        (["NATO", "EU"], "REL TO " + ", ".join(sorted(NATO_MEMBERS & EU_MEMBERS))),
        (["NATO, EU", "EU, UN"], "REL TO EU"),
    ],
)
def test_common(items: list[str], expected: str) -> None:
    result = Releasability.common(Releasability.parse(item) for item in items)
    assert str(result) == expected


def test_common_allows_only_what_every_input_allows() -> None:
    items = [Releasability.parse(t) for t in ("NATO, UKR, UN", "EU, UKR, WFP", "PUBLIC")]
    result = Releasability.common(items)
    for partner in ("FRA", "AUT", "USA", "UKR", "WFP", "UN", "NATO", "EU", "ICRC"):
        assert result.allows(partner) == all(r.allows(partner) for r in items), partner


def test_storage_round_trip() -> None:
    rel = Releasability.parse("REL TO UN, NATO, UKR")
    assert rel.to_storage() == ",NATO,UN,UKR,"
    assert Releasability.from_storage(rel.to_storage()) == rel
    assert Releasability.public().to_storage() == ",PUBLIC,"
    assert Releasability.from_storage(",PUBLIC,").is_public
    empty = Releasability(frozenset())
    assert empty.to_storage() == ","
    assert Releasability.from_storage(",") == empty
    assert Releasability.from_storage("") == empty


def test_storage_supports_like_queries() -> None:
    stored = Releasability.parse("NATO UN").to_storage()
    assert ",NATO," in stored and ",UN," in stored
    assert ",U," not in stored


def test_releasability_is_hashable_value() -> None:
    assert Releasability.parse("NATO UN") == Releasability.parse(["UN", "NATO"])
    assert len({Releasability.parse("NATO UN"), Releasability.parse("un nato")}) == 1


# --------------------------------------------------------------------------- banner


def test_banner_text() -> None:
    nr = Classification.parse("NATO RESTRICTED")
    assert banner_text(nr, Releasability.parse("NATO UN")) == "NATO RESTRICTED // REL TO NATO, UN"
    assert (
        banner_text(Classification.parse("UNCLASSIFIED"), Releasability.parse("PUBLIC"))
        == "UNCLASSIFIED // PUBLIC RELEASE"
    )
    assert banner_text("secret", "FRA") == "SECRET // REL TO FRA"
    assert banner_text("SECRET", []) == "SECRET // NOT RELEASABLE"


def test_banner_colours() -> None:
    assert banner_colour(Level.UNCLASSIFIED) == "#007a33"
    assert banner_colour(Level.RESTRICTED) == "#0033a0"
    assert banner_colour(Level.CONFIDENTIAL) == "#0033a0"
    assert banner_colour(Level.SECRET) == "#c8102e"
    assert banner_colour(Level.TOP_SECRET) == "#ff8c00"
    assert banner_colour(Classification.parse("NATO SECRET")) == "#c8102e"
    assert banner_colour("COSMIC TOP SECRET") == "#ff8c00"
    assert banner_colour(0) == "#007a33"
    assert banner_text_colour(Level.TOP_SECRET) == "#000000"
    assert banner_text_colour(Level.SECRET) == "#ffffff"
    with pytest.raises(MarkingError, match="unknown classification level '7'"):
        banner_colour(7)


def test_validate_marking() -> None:
    validate_marking("UNCLASSIFIED", "PUBLIC")
    validate_marking("NATO SECRET", "NATO")
    with pytest.raises(MarkingError) as err:
        validate_marking("NATO RESTRICTED", "PUBLIC")
    assert str(err.value) == "NATO RESTRICTED information cannot be released to the public"
