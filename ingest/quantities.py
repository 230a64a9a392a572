"""Numbers with units in note text: "5TB", "1 and 3,600 seconds", "two-minute", "99.99%".

Pure functions, no NLP: ``find_quantities`` returns every value-with-unit or cued count in a
string with its character span, limit kind and normalised value.

>>> [(q.kind, q.value, q.unit, q.normalized, q.base_unit) for q in find_quantities("Max object size = 5TB")]
[('max', Decimal('5'), 'TB', Decimal('5000000000000'), 'bytes')]
>>> q = find_quantities("between 1 and 3,600 seconds (the default is 300 seconds)")
>>> [(x.kind, x.value, x.value_max, x.unit) for x in q]
[('range', Decimal('1'), Decimal('3600'), 'seconds'), ('default', Decimal('300'), None, 'seconds')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

WORD_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100, "thousand": 1000,
}  # fmt: skip

# unit spelling -> (canonical unit, base unit, factor to base)
UNITS: dict[str, tuple[str, str, Decimal]] = {}


def _unit(names: str, canonical: str, base: str, factor: float | int | str) -> None:
    for name in names.split():
        UNITS[name.lower()] = (canonical, base, Decimal(str(factor)))


_unit("byte bytes", "bytes", "bytes", 1)
_unit("kb kbyte kbytes kilobyte kilobytes", "KB", "bytes", 10**3)
_unit("mb mbyte mbytes megabyte megabytes", "MB", "bytes", 10**6)
_unit("gb gbyte gbytes gigabyte gigabytes", "GB", "bytes", 10**9)
_unit("tb tbyte tbytes terabyte terabytes", "TB", "bytes", 10**12)
_unit("pb petabyte petabytes", "PB", "bytes", 10**15)
_unit("kib", "KiB", "bytes", 2**10)
_unit("mib", "MiB", "bytes", 2**20)
_unit("gib", "GiB", "bytes", 2**30)
_unit("tib", "TiB", "bytes", 2**40)
_unit("pib", "PiB", "bytes", 2**50)
_unit("ms millisecond milliseconds msec", "ms", "seconds", "0.001")
_unit("sec secs second seconds", "seconds", "seconds", 1)
_unit("min mins minute minutes", "minutes", "seconds", 60)
_unit("hr hrs hour hours", "hours", "seconds", 3600)
_unit("day days", "days", "seconds", 86400)
_unit("week weeks", "weeks", "seconds", 604800)
_unit("month months", "months", "seconds", 2592000)
_unit("year years yr yrs", "years", "seconds", 31536000)
_unit("% percent pct", "percent", "percent", 1)
_unit("iops", "IOPS", "IOPS", 1)
_unit("mb/s mbps/s", "MB/s", "bytes/s", 10**6)
_unit("gb/s", "GB/s", "bytes/s", 10**9)
_unit("kbps", "Kbps", "bits/s", 10**3)
_unit("mbps", "Mbps", "bits/s", 10**6)
_unit("gbps", "Gbps", "bits/s", 10**9)
_unit("char chars character characters", "characters", "characters", 1)
_unit("digit digits", "digits", "digits", 1)

NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
WORD_NUMBER = r"(?:" + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True)) + r")"
ANY_NUMBER = rf"(?:{NUMBER}|{WORD_NUMBER})"
UNIT_WORDS = sorted(UNITS, key=len, reverse=True)
UNIT_RE = r"(?:" + "|".join(re.escape(u) for u in UNIT_WORDS) + r")"
# A countable noun phrase after a number: "100 buckets", "500 SGs", "5 read replicas", "4 DNS servers".
COUNT_NOUN = r"(?:[A-Za-z][\w/-]*\s){0,2}?[A-Za-z][\w-]*s\b"

QUANTITY_RE = re.compile(
    rf"(?<![\w.,/$-])(?P<num>{ANY_NUMBER})(?:\+)?"
    rf"(?:(?:\s*(?:-|–|—|to)\s*|\s+(?:and|or)\s+)(?P<num2>{NUMBER}|(?<=\s){WORD_NUMBER}(?=\s))(?!\.\d))?"
    rf"(?:(?P<hyphen>-)(?P<hunit>{UNIT_RE})\b"
    rf"|\s?(?P<unit>{UNIT_RE})(?![\w])(?:\s*(?:to|-|–)\s*(?P<num3>{NUMBER})\s?(?P<unit3>{UNIT_RE})(?![\w]))?"
    rf"|\s(?P<noun>{COUNT_NOUN}))?",
    re.IGNORECASE,
)

MAX_CUES = re.compile(
    r"\b(?:max(?:imum)?|up\s*to|upto|at\s+most|no\s+more\s+than|not\s+(?:to\s+)?exceed|cannot\s+exceed|"
    r"limited\s+to|limit(?:ed)?\s+(?:of|is)|upper\s+limit|as\s+large\s+as|largest|highest|less\s+than|"
    r"within|exceed(?:s|ed|ing)?|longest|biggest|cap(?:ped)?\s+at|only)\b|<=|≤",
    re.IGNORECASE,
)
MIN_CUES = re.compile(
    r"\b(?:min(?:imum)?|at\s+least|no\s+less\s+than|as\s+small\s+as|smallest|lowest|more\s+than|over|"
    r"greater\s+than|starting\s+at)\b|>=|≥",
    re.IGNORECASE,
)
DEFAULT_CUES = re.compile(r"\b(?:default(?:s|ed)?(?:\s+(?:value|limit|is|to))?|by\s+default|initially)\b", re.I)
RATE_CUES = re.compile(r"\b(?:every|each|per)\s*$", re.IGNORECASE)
RATE_AFTER = re.compile(r"^\s*(?:per|a|/)\s*(?:second|sec|minute|hour|day|month|week|year)s?\b", re.IGNORECASE)
BETWEEN_RE = re.compile(r"\b(?:between|from)\s*$", re.IGNORECASE)
LIMIT_EQUALS = re.compile(r"(?:=|:)\s*(?:max(?:imum)?\s*)?$", re.IGNORECASE)
# Words before a bare number that make it a name or version, not a quantity.
VERSION_WORDS = re.compile(
    r"\b(?:version|versions|v|layer|level|levels|edition|port|rfc|iso|fips|signature|samba|saml|mysql|"
    r"postgresql|mariadb|oracle|redis|memcached|server|ipv|sha|aes|table|step|phase|tier|option|type|"
    r"route|http|https|windows|python|java|node|ssh|rsa|class|section|chapter|figure|page|gen|generation)"
    r"\s*$",
    re.IGNORECASE,
)
NON_COUNT_NOUNS = frozenset(
    """types type ways way options option sources source kinds kind categories category steps step
    reasons reason things thing examples example cases case concepts concept factors factor functions
    layers layer times questions answers components parts main key levels editions engines
    mechanisms models dimensions features services""".split()
)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number found in text, with its unit, kind and normalised value.

    Attributes:
        start: Character offset of the value text.
        end: Offset after it.
        text: The value as written ("5TB", "1 and 3,600 seconds").
        kind: max, min, default, range, exact, rate or percent.
        value: The number (the lower end of a range), in ``unit``.
        value_max: The upper end of a range, in ``unit``.
        unit: Canonical unit ("TB", "seconds", "count", "percent", ...).
        base_unit: Unit of ``normalized`` ("bytes", "seconds", "count", ...).
        normalized: ``value`` in ``base_unit``.
        normalized_max: ``value_max`` in ``base_unit``.
        noun: For counts, the counted noun phrase ("buckets", "SGs").
        cue: The cue word that set the kind, if any.
    """

    start: int
    end: int
    text: str
    kind: str
    value: Decimal
    unit: str
    base_unit: str
    normalized: Decimal
    value_max: Decimal | None = None
    normalized_max: Decimal | None = None
    noun: str = ""
    cue: str = ""


def parse_number(text: str) -> Decimal | None:
    """``"3,600"`` → 3600, ``"two"`` → 2; None when not a number."""
    text = text.strip().lower()
    if text in WORD_NUMBERS:
        return Decimal(WORD_NUMBERS[text])
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _clause_before(text: str, start: int, width: int = 70) -> str:
    """The text before ``start`` back to the previous clause boundary (or ``width`` characters)."""
    window = text[max(0, start - width) : start]
    cut = max(window.rfind(". "), window.rfind("; "), window.rfind("? "), window.rfind("! "))
    return window[cut + 2 :] if cut >= 0 else window


NETMASK_RE = re.compile(r"(?<![\w./])/(?P<bits>\d{1,2})\b(?!\.\d|/)")
FREQUENCY_RE = re.compile(r"\b(?P<word>hourly|daily|weekly|monthly|yearly|annually)\b", re.IGNORECASE)
FREQUENCY_UNITS = {
    "hourly": "hours",
    "daily": "days",
    "weekly": "weeks",
    "monthly": "months",
    "yearly": "years",
    "annually": "years",
}


SINGLE_RE = re.compile(
    r"\b(?P<cue>only|exactly|at\s+most|no\s+more\s+than|(?:cannot|can\s*not|can't)\s+(?:have|be)\s+more\s+than)"
    r"\s+(?P<num>one|1|a\s+single)\s+(?P<noun>[A-Za-z][\w-]*(?:\s+(?!(?:per|in|to|at|for|of|on|with|from|by|"
    r"is|are|can|must|may|and|or|assigned|attached|associated|between|within)\b)[A-Za-z][\w-]*){0,3})",
    re.IGNORECASE,
)
SINGLE_RULE_RE = re.compile(r"\b(?:must|can|cannot|can't|may|should|each|every|per|allowed)\b", re.IGNORECASE)


def _single(text: str) -> list[Quantity]:
    """Rules of one: "Each VPC must have only one DHCP option set", "cannot have more than one peering
    connection" (a maximum of one of a thing, with the modal or "each" that makes it a rule)."""
    found = []
    for match in SINGLE_RE.finditer(text):
        before = _clause_before(text, match.start())
        sentence = before + text[match.start() : match.end() + 40]
        if not SINGLE_RULE_RE.search(sentence) or match.group("noun").split()[0].lower() in {"of", "the"}:
            continue
        noun = match.group("noun")
        found.append(
            Quantity(
                match.start("num"),
                match.end("noun"),
                text[match.start("num") : match.end("noun")],
                "max",
                Decimal(1),
                "count",
                "count",
                Decimal(1),
                noun=noun,
                cue=match.group("cue"),
            )
        )
    return found


def _special_quantities(text: str) -> list[Quantity]:
    """CIDR prefix lengths ("a netmask of /20"), frequency words ("issued at least monthly") and
    rules of one ("must have only one DHCP option set")."""
    found = _single(text)
    for match in NETMASK_RE.finditer(text):
        before = _clause_before(text, match.start())
        if not re.search(
            r"(?:netmask|subnet|cidr|block|mask|prefix|as\s+(?:large|small)\s+as)\W*\S*\W*$|\b(?:a|an)\s*$",
            before,
            re.IGNORECASE,
        ):
            continue
        if re.match(r"^\s*\(\s*[\d,]+\s+(?:ip\s+)?addresses", text[match.end() :], re.IGNORECASE):
            continue  # "/28 (16 addresses)": the count in brackets states it
        kind, cue = _kind(text, match, before, text[match.end() : match.end() + 40], "prefix", None)
        bits = Decimal(match.group("bits"))
        found.append(
            Quantity(
                match.start(),
                match.end(),
                match.group(0),
                kind or "exact",
                bits,
                "prefix length",
                "prefix length",
                bits,
                cue=cue,
            )
        )
    for match in FREQUENCY_RE.finditer(text):
        before = _clause_before(text, match.start())
        if not re.search(
            r"\b(?:is|are|be|been|run|runs|issued|performed|occur|occurs|taken|rotated|at\s+least|"
            r"at\s+most|backed\s+up|created|billed)\s+(?:\w+\s+)?$",
            before,
            re.IGNORECASE,
        ):
            continue
        canonical, base, factor = UNITS[FREQUENCY_UNITS[match.group("word").lower()]]
        found.append(
            Quantity(
                match.start(),
                match.end(),
                match.group(0),
                "rate",
                Decimal(1),
                canonical,
                base,
                _plain(factor),
            )
        )
    for match in EVERY_RE.finditer(text):
        # "backs up once a day", "sends data points every minute": once per one unit (not the
        # rate of a count: "thousands of messages every second")
        if re.search(r"(?:\d|\b(?:hundreds|thousands|millions|billions))\S*(?:\s+\S+){0,3}\s*$", text[: match.start()]):
            continue
        canonical, base, factor = UNITS[match.group("unit").lower() + "s"]
        found.append(
            Quantity(match.start(), match.end(), match.group(0), "rate", Decimal(1), canonical, base, _plain(factor))
        )
    return found


EVERY_RE = re.compile(
    r"\b(?:once\s+(?:a|an|per|every|each)|every)\s+(?P<unit>second|minute|hour|day|week|month|year)\b", re.IGNORECASE
)


SHARED_NOUN_RE = re.compile(
    r"\b(?P<a>\d[\d,]*)\s+(?P<m1>[a-z]+)\s+(?:and|or)\s+(?P<b>\d[\d,]*)\s+(?P<m2>[a-z]+)\s+(?P<noun>[a-z]+s)\b",
    re.IGNORECASE,
)


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity in ``text`` that reads as a limit or measure.

    A number counts when it has a unit (size, time, rate, percent, IOPS, characters) or, for counts
    of things ("100 buckets"), when a cue word (max, up to, default, at least, limited to, =) sets
    it as a limit. Versions, ports, years and identifiers are skipped.
    """
    found: list[Quantity] = []
    for match in QUANTITY_RE.finditer(text):
        quantity = _read(text, match)
        if quantity is not None:
            found.append(quantity)
    found += _special_quantities(text)
    # "50 inbound and 50 outbound rules": the first number counts the same noun.
    for shared in SHARED_NOUN_RE.finditer(text):
        second = next((q for q in found if q.start == shared.start("b")), None)
        if second is None or any(q.start == shared.start("a") for q in found):
            continue
        value = parse_number(shared.group("a"))
        if value is None:
            continue
        found.append(
            Quantity(
                shared.start("a"),
                shared.end("m1"),
                text[shared.start("a") : shared.end("m1")],
                second.kind,
                _plain(value),
                second.unit,
                second.base_unit,
                _plain(value),
                noun=f"{shared.group('m1')} {shared.group('noun')}",
                cue=second.cue,
            )
        )
    found.sort(key=lambda q: q.start)
    return _defaults_after_ranges(found)


def _read(text: str, match: re.Match[str]) -> Quantity | None:
    num_text = match.group("num")
    value = parse_number(num_text)
    if value is None:
        return None
    unit_text = match.group("unit") or match.group("hunit") or ""
    noun = (match.group("noun") or "").strip()
    value_max = parse_number(match.group("num2")) if match.group("num2") else None
    if match.group("num3"):
        value_max = parse_number(match.group("num3"))
    before = _clause_before(text, match.start())
    after = text[match.end() : match.end() + 40]
    if VERSION_WORDS.search(before) and not unit_text and not re.search(r"[=:]\s*$", before):
        return None  # "MySQL 5.7", "port 53", "Layer 4"
    if re.match(r"^\s*[x×*]\s*\d", after) or re.search(r"(?<![A-Za-z])[x×*]\s*$", before):
        return None  # arithmetic or dimensions: "32TB * 32", "8.5 x 11.0"
    if unit_text:
        unit_start = match.start("unit") if match.group("unit") else match.start("hunit")
        if unit_text.lower() in {"s", "h", "b", "min"} and text[unit_start - 1] == " ":
            return None  # a lone letter after a space is not a unit ("5 s", "VPC B")
        noun = ""
    elif not noun:
        implied = _implied_unit(before, after, value_max is not None)
        if implied is None:
            return None
        unit_text, noun = implied
    if unit_text:
        canonical, base, factor = UNITS[unit_text.lower()]
    else:
        head = noun.split()[-1].lower()
        capped = re.search(r"\b(?:up\s+to|max(?:imum)?|at\s+most|no\s+more\s+than)\s*$", before, re.IGNORECASE)
        if head in UNITS or ((head in NON_COUNT_NOUNS or noun.split()[0].lower() in NON_COUNT_NOUNS) and not capped):
            return None  # "3 types of ...", but "up to 6 levels deep" is a limit
        if not num_text[0].isdigit() and value < 2:
            return None  # "one key": too loose
        canonical, base, factor = "count", "count", Decimal(1)
        if head in {"letters", "characters", "chars", "symbols"}:
            canonical, base = "characters", "characters"  # "max 63 lowercase letters"
    if match.group("num3") and match.group("unit3") and value_max is not None:
        unit3 = UNITS[match.group("unit3").lower()]
        if unit3[1] == base:
            value_max = value_max * unit3[2] / factor
    kind, cue = _kind(text, match, before, after, canonical, value_max)
    if kind is None:
        return None
    end = match.start("noun") + len(noun) if match.group("noun") and noun else match.end()
    return Quantity(
        start=match.start(),
        end=end,
        text=text[match.start() : end],
        kind=kind,
        value=_plain(value),
        unit=canonical,
        base_unit=base,
        normalized=_plain(value * factor),
        value_max=_plain(value_max) if value_max is not None else None,
        normalized_max=_plain(value_max * factor) if value_max is not None else None,
        noun=noun if match.group("noun") else "",
        cue=cue,
    )


IMPLIED_UNIT_RE = re.compile(r"(seconds|minutes|hours|days|bytes|percent)(?![a-z])", re.IGNORECASE)


def _implied_unit(before: str, after: str, is_range: bool) -> tuple[str, str] | None:
    """A bare number's unit from its clause: ``DelaySeconds ... between 0 and 900`` (seconds), or a
    count after ``=`` (``Max number of tapes per gateway = 1,500``). None when it has none."""
    if is_range or BETWEEN_RE.search(before[-30:]):
        implied = IMPLIED_UNIT_RE.search(before)
        if implied:
            return implied.group(1).lower(), ""
    if re.search(r"(?:=|\bis)\s*(?:max(?:imum)?\s*)?$", before, re.IGNORECASE) and re.search(
        r"\b(?:number|max(?:imum)?|min(?:imum)?|limit|count|default|allowed)\b", before, re.IGNORECASE
    ):
        implied = IMPLIED_UNIT_RE.search(before)
        return (implied.group(1).lower(), "") if implied else ("", "items")
    return None


def _plain(value: Decimal) -> Decimal:
    """Drop exponent notation and trailing zeros (``5E+12`` → ``5000000000000``, ``2.50`` → ``2.5``)."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


def _kind(
    text: str, match: re.Match[str], before: str, after: str, unit: str, value_max: Decimal | None
) -> tuple[str | None, str]:
    """Limit kind from the cue words around a number; None when a count has no cue."""
    near = before[-45:]
    if value_max is not None:
        return "range", "range"
    if BETWEEN_RE.search(before) and re.match(r"^\s*and\b", after):
        return "range", "between"
    default = DEFAULT_CUES.search(near)
    maximum = MAX_CUES.search(near)
    minimum = MIN_CUES.search(near)
    cues = [(m.end(), k, m.group(0)) for m, k in ((default, "default"), (maximum, "max"), (minimum, "min")) if m]
    if re.match(r"^\s*\(?\s*default\b", after, re.IGNORECASE) or re.match(r"^\s*by\s+default", after, re.I):
        return "default", "default"
    if re.match(r"^\s*(?:or\s+(?:less|smaller|fewer|lower|below)|and\s+(?:under|below))\b", after, re.IGNORECASE):
        return "max", "or less"
    if re.match(r"^\s*(?:or\s+(?:more|larger|greater|higher|above)|and\s+(?:over|above|up))\b", after, re.I):
        return "min", "or more"
    if cues:
        _, kind, cue = max(cues)
        if kind == "max" and cue.lower() == "only" and unit == "count":
            return None, ""
        return kind, cue
    if RATE_CUES.search(near) or RATE_AFTER.match(after):
        return "rate", "per"
    if LIMIT_EQUALS.search(before):
        return ("percent" if unit == "percent" else "exact"), "="
    if unit == "percent":
        return "percent", ""
    if unit == "count" and re.match(r"^\s*(?:of|in|for)\b", after, re.IGNORECASE):
        return None, ""  # "2 types of", "3 of them": not a stated quantity of things
    return "exact", ""


def _defaults_after_ranges(found: list[Quantity]) -> list[Quantity]:
    """Keep one quantity per span (the regex can see "1 and 3,600" and "3,600" separately)."""
    kept: list[Quantity] = []
    for quantity in found:
        if kept and quantity.start < kept[-1].end:
            continue
        kept.append(quantity)
    return kept
