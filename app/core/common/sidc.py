"""MIL-STD-2525D / APP-6(D) 20-digit symbol identification codes (SIDC).

Layout (1-based positions): 1-2 version, 3 context, 4 standard identity, 5-6 symbol set,
7 status, 8 headquarters/task force/dummy, 9-10 amplifier (echelon for land units),
11-16 entity/type/subtype, 17-18 sector 1 modifier, 19-20 sector 2 modifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.i18n import _

VERSIONS: dict[str, str] = {
    "10": "MIL-STD-2525D / APP-6(D)",
    "11": "MIL-STD-2525D change 1",
    "13": "MIL-STD-2525E",
}

CONTEXTS: dict[str, str] = {"0": "reality", "1": "exercise", "2": "simulation"}

IDENTITIES: dict[str, str] = {
    "0": "pending",
    "1": "unknown",
    "2": "assumed_friend",
    "3": "friend",
    "4": "neutral",
    "5": "suspect",
    "6": "hostile",
}

AFFILIATION_GROUPS: dict[str, str] = {
    "pending": "unknown",
    "unknown": "unknown",
    "assumed_friend": "friend",
    "friend": "friend",
    "neutral": "neutral",
    "suspect": "hostile",
    "hostile": "hostile",
}

SYMBOL_SETS: dict[str, str] = {
    "01": "Air",
    "02": "Air missile",
    "05": "Space",
    "06": "Space missile",
    "10": "Land unit",
    "11": "Land civilian unit/organization",
    "15": "Land equipment",
    "20": "Land installation",
    "25": "Control measure",
    "27": "Dismounted individual",
    "30": "Sea surface",
    "35": "Sea subsurface",
    "36": "Mine warfare",
    "40": "Activities/events",
    "45": "Atmospheric",
    "46": "Oceanographic",
    "47": "Meteorological space",
    "50": "Signals intelligence - space",
    "51": "Signals intelligence - air",
    "52": "Signals intelligence - land",
    "53": "Signals intelligence - surface",
    "54": "Signals intelligence - subsurface",
    "60": "Cyberspace",
}

STATUSES: dict[str, str] = {
    "0": "present",
    "1": "planned",
    "2": "fully_capable",
    "3": "damaged",
    "4": "destroyed",
    "5": "full_to_capacity",
}

# Position 8 is a bit field: 1 feint/dummy, 2 headquarters, 4 task force (so 0-7).
HQ_TF_DUMMY: dict[str, str] = {
    "0": "",
    "1": "feint/dummy",
    "2": "headquarters",
    "3": "feint/dummy headquarters",
    "4": "task force",
    "5": "feint/dummy task force",
    "6": "task force headquarters",
    "7": "feint/dummy task force headquarters",
}

LAND_UNIT_SET = "10"

ECHELONS: dict[str, str] = {
    "11": "team",
    "12": "squad",
    "13": "section",
    "14": "platoon",
    "15": "company",
    "16": "battalion",
    "17": "regiment",
    "18": "brigade",
    "21": "division",
    "22": "corps",
    "23": "army",
    "24": "army_group",
    "25": "region",
    "26": "command",
}
"""Land-unit echelon amplifier codes; ``00`` (unspecified) is valid but has no name."""

ECHELON_LABELS: dict[str, str] = {
    "11": "Team/crew",
    "12": "Squad",
    "13": "Section",
    "14": "Platoon/detachment",
    "15": "Company/battery/troop",
    "16": "Battalion/squadron",
    "17": "Regiment/group",
    "18": "Brigade",
    "21": "Division",
    "22": "Corps/MEF",
    "23": "Army",
    "24": "Army group/front",
    "25": "Region/theatre",
    "26": "Command",
}

ECHELON_RANKS: dict[str, int] = {code: rank for rank, code in enumerate(ECHELONS, start=1)}
"""team=1 ... command=14: higher is bigger."""

_ECHELON_ALIASES: dict[str, str] = {
    **{name: code for code, name in ECHELONS.items()},
    "crew": "11",
    "detachment": "14",
    "battery": "15",
    "troop": "15",
    "squadron": "16",
    "group": "17",
    "mef": "22",
    "front": "24",
    "theater": "25",
    "theatre": "25",
    "unspecified": "00",
    "none": "00",
}

# Symbol set 10 (land unit) entity/type/subtype codes, checked against published
# 2525D/APP-6(D) tables. 2525D has no separate "combat engineer" icon: use Engineer
# (140700) or its mechanized/motorized subtypes.
LAND_UNIT_ENTITIES: dict[str, str] = {
    "110000": "Command and control",
    "110200": "Civil affairs",
    "110300": "Civil-military cooperation (CIMIC)",
    "110400": "Information operations",
    "110500": "Liaison",
    "110600": "Psychological operations (PSYOPS/MISO)",
    "110700": "Radio",
    "111000": "Signal",
    "111100": "Tactical satellite",
    "120000": "Movement and manoeuvre",
    "120100": "Air assault with organic lift",
    "120300": "Amphibious",
    "120400": "Anti-tank/anti-armour",
    "120500": "Armour",
    "120501": "Armoured reconnaissance/cavalry",
    "120600": "Army aviation (rotary wing)",
    "120800": "Aviation (fixed wing)",
    "121000": "Combined arms",
    "121100": "Infantry",
    "121101": "Amphibious infantry",
    "121102": "Mechanized infantry (armoured/tracked)",
    "121104": "Motorized infantry",
    "121200": "Observer",
    "121300": "Reconnaissance/cavalry/scout",
    "121500": "Sniper",
    "121600": "Surveillance",
    "121700": "Special forces",
    "121800": "Special operations forces (SOF)",
    "121900": "Unmanned aerial systems",
    "130000": "Fires",
    "130100": "Air defence",
    "130300": "Field artillery",
    "130301": "Self-propelled field artillery",
    "130700": "Missile",
    "130800": "Mortar",
    "140000": "Protection",
    "140100": "CBRN defence",
    "140200": "Combat support (manoeuvre enhancement)",
    "140500": "Dog",
    "140700": "Engineer",
    "140701": "Mechanized engineer",
    "140702": "Motorized engineer",
    "140800": "Explosive ordnance disposal (EOD)",
    "141000": "Fire fighting/fire protection",
    "141200": "Military police",
    "141700": "Security",
    "141800": "Search and rescue",
    "150000": "Intelligence",
    "150500": "Electronic warfare",
    "151000": "Military intelligence",
    "160000": "Sustainment",
    "160100": "Administrative",
    "160200": "All classes of supply",
    "160400": "Ammunition",
    "160600": "Combat service support",
    "161100": "Maintenance",
    "161300": "Medical",
    "161400": "Medical treatment facility",
    "161600": "Mortuary affairs/graves registration",
    "162500": "Petroleum, oil and lubricants",
    "163400": "Supply",
    "163600": "Transportation",
    "164700": "Water",
    "164800": "Water purification",
    "190000": "Emergency operation",
    "200700": "Police",
}

# Symbol set 11 (land civilian unit/organization). 2525D has no dedicated NGO or
# humanitarian icon; "Organization or group" (110400) is the closest fit for one.
CIVILIAN_ENTITIES: dict[str, str] = {
    "110000": "Civilian",
    "110100": "Environmental protection",
    "110200": "Government organization",
    "110300": "Individual",
    "110400": "Organization or group (e.g. NGO, humanitarian organization)",
    "111000": "Emergency medical operation",
}

ENTITY_NAMES: dict[str, dict[str, str]] = {"10": LAND_UNIT_ENTITIES, "11": CIVILIAN_ENTITIES}

_SIDC_DIGITS = re.compile(r"[0-9]{20}")


class SIDCError(ValueError):
    """A SIDC is malformed or uses an unknown code; the message is for the user."""


@dataclass(frozen=True)
class SIDC:
    """A parsed, validated 20-digit SIDC; build it with :func:`parse_sidc`."""

    code: str
    version: str
    context: str
    identity: str
    symbol_set: str
    status: str
    hq_tf_dummy: str
    amplifier: str
    entity: str
    modifier1: str
    modifier2: str

    def __str__(self) -> str:
        return self.code

    @property
    def affiliation(self) -> str:
        """friend, hostile, neutral, unknown, pending, assumed_friend or suspect."""
        return IDENTITIES[self.identity]

    @property
    def affiliation_group(self) -> str:
        """The affiliation collapsed to friend, hostile, neutral or unknown (the frame colours)."""
        return AFFILIATION_GROUPS[self.affiliation]

    @property
    def context_name(self) -> str:
        return CONTEXTS[self.context]

    @property
    def status_name(self) -> str:
        return STATUSES[self.status]

    @property
    def is_land_unit(self) -> bool:
        return self.symbol_set == LAND_UNIT_SET

    @property
    def is_exercise(self) -> bool:
        return self.context == "1"

    @property
    def is_dummy(self) -> bool:
        return bool(int(self.hq_tf_dummy) & 1)

    @property
    def is_headquarters(self) -> bool:
        return bool(int(self.hq_tf_dummy) & 2)

    @property
    def is_task_force(self) -> bool:
        return bool(int(self.hq_tf_dummy) & 4)

    @property
    def echelon(self) -> str | None:
        """Echelon name such as ``platoon``; None if not a land unit or unspecified."""
        return ECHELONS.get(self.amplifier) if self.is_land_unit else None

    @property
    def echelon_rank(self) -> int | None:
        """Team = 1 ... command = 14; None when there is no echelon."""
        return ECHELON_RANKS.get(self.amplifier) if self.is_land_unit else None

    @property
    def symbol_set_name(self) -> str:
        return _(SYMBOL_SETS[self.symbol_set])

    @property
    def entity_name(self) -> str | None:
        """English name of the entity when it is in the built-in tables, else None."""
        return ENTITY_NAMES.get(self.symbol_set, {}).get(self.entity)


def _fail(code: str, message: str, **values: str) -> SIDCError:
    return SIDCError(message.format(code=code, **values))


def parse_sidc(code: str) -> SIDC:
    """Parse and validate a 20-digit 2525D SIDC (spaces are ignored)."""
    shown = str(code)
    compact = "".join(shown.split())
    if not compact:
        raise SIDCError(_("no SIDC given"))
    if not compact.isascii() or not compact.isdigit():
        raise _fail(compact, _("SIDC '{code}' must contain only digits"))
    if not _SIDC_DIGITS.fullmatch(compact):
        raise _fail(
            compact, _("SIDC '{code}' must be 20 digits, not {count}"), count=str(len(compact))
        )
    sidc = SIDC(
        code=compact,
        version=compact[0:2],
        context=compact[2],
        identity=compact[3],
        symbol_set=compact[4:6],
        status=compact[6],
        hq_tf_dummy=compact[7],
        amplifier=compact[8:10],
        entity=compact[10:16],
        modifier1=compact[16:18],
        modifier2=compact[18:20],
    )
    if sidc.version not in VERSIONS:
        raise _fail(
            compact,
            _("SIDC '{code}': version '{value}' is not supported (10, 11 or 13)"),
            value=sidc.version,
        )
    if sidc.context not in CONTEXTS:
        raise _fail(compact, _("SIDC '{code}': context '{value}' is unknown"), value=sidc.context)
    if sidc.identity not in IDENTITIES:
        raise _fail(
            compact, _("SIDC '{code}': standard identity '{value}' is unknown"), value=sidc.identity
        )
    if sidc.symbol_set not in SYMBOL_SETS:
        raise _fail(
            compact, _("SIDC '{code}': symbol set '{value}' is unknown"), value=sidc.symbol_set
        )
    if sidc.status not in STATUSES:
        raise _fail(compact, _("SIDC '{code}': status '{value}' is unknown"), value=sidc.status)
    if sidc.hq_tf_dummy not in HQ_TF_DUMMY:
        raise _fail(
            compact,
            _("SIDC '{code}': headquarters/task force/dummy '{value}' is unknown"),
            value=sidc.hq_tf_dummy,
        )
    if sidc.is_land_unit and sidc.amplifier != "00" and sidc.amplifier not in ECHELONS:
        raise _fail(compact, _("SIDC '{code}': echelon '{value}' is unknown"), value=sidc.amplifier)
    return sidc


def _key(name: str) -> str:
    return re.sub(r"[\s\-/]+", "_", name.strip().lower())


def _digits(label: str, value: str, width: int) -> str:
    text = str(value).strip()
    if len(text) != width or not text.isascii() or not text.isdigit():
        if width == 1:
            message = _("{field} '{value}' must be 1 digit")
        else:
            message = _("{field} '{value}' must be {width} digits")
        raise SIDCError(message.format(field=label, value=value, width=width))
    return text


def _identity_code(identity: str) -> str:
    text = str(identity).strip()
    if text in IDENTITIES:
        return text
    by_name = {name: digit for digit, name in IDENTITIES.items()}
    key = _key(text)
    if key in by_name:
        return by_name[key]
    raise SIDCError(_("standard identity '{value}' is unknown").format(value=identity))


def _echelon_code(echelon: str) -> str:
    text = str(echelon).strip()
    if text.isdigit() and len(text) == 2:
        return text
    key = _key(text) if text else "unspecified"
    if key in _ECHELON_ALIASES:
        return _ECHELON_ALIASES[key]
    raise SIDCError(_("echelon '{value}' is unknown").format(value=echelon))


def make_sidc(
    identity: str,
    symbol_set: str,
    entity: str,
    echelon: str = "00",
    status: str = "0",
    hq_tf_dummy: str = "0",
    modifier1: str = "00",
    modifier2: str = "00",
    context: str = "0",
    version: str = "10",
) -> str:
    """Build and validate a SIDC.

    ``identity`` is a digit or a name (``friend``, ``hostile``, ``neutral``, ``unknown``,
    ``pending``, ``assumed friend``, ``suspect``); ``echelon`` is a 2-digit code or a name
    (``company``, ``battery``, ``battalion`` ...).
    """
    code = "".join(
        (
            _digits(_("version"), version, 2),
            _digits(_("context"), context, 1),
            _identity_code(identity),
            _digits(_("symbol set"), symbol_set, 2),
            _digits(_("status"), status, 1),
            _digits(_("headquarters/task force/dummy"), hq_tf_dummy, 1),
            _echelon_code(echelon),
            _digits(_("entity"), entity, 6),
            _digits(_("modifier 1"), modifier1, 2),
            _digits(_("modifier 2"), modifier2, 2),
        )
    )
    return parse_sidc(code).code


def echelon_label(name: str | None) -> str:
    """The echelon as users read it, in their language (``company`` -> ``company`` / ``compagnie``)."""
    from app.i18n import pgettext

    labels = {
        "team": pgettext("echelon", "team"),
        "squad": pgettext("echelon", "squad"),
        "section": pgettext("echelon", "section"),
        "platoon": pgettext("echelon", "platoon"),
        "company": pgettext("echelon", "company"),
        "battalion": pgettext("echelon", "battalion"),
        "regiment": pgettext("echelon", "regiment"),
        "brigade": pgettext("echelon", "brigade"),
        "division": pgettext("echelon", "division"),
        "corps": pgettext("echelon", "corps"),
        "army": pgettext("echelon", "army"),
        "army_group": pgettext("echelon", "army group"),
        "region": pgettext("echelon", "region"),
        "command": pgettext("echelon", "command"),
    }
    return labels.get(name or "", name or "")
