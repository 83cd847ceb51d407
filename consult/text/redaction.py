"""Finding personal data in participants' answers and proposing a redacted version.

This module owns the detection of phone numbers, e-mail addresses, URLs, identity/case/passport
numbers and self-introduced names ("my name is …", see `consult.text.redaction_names`), and the two
ways of presenting what was found: a redaction suggestion with placeholders, and text segments a
template can wrap in <mark> (so no HTML is ever built here). It is pure Python: no Flask, no
database. It only *proposes*; a moderator decides what is removed before anything is published.

Offsets always refer to the text given. Digits in other scripts (Arabic-Indic, Persian, …) are
mapped one character to one character onto ASCII before matching numbers, so offsets found in
the normalised copy are valid in the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import Leniency, NumberParseException, PhoneNumberMatcher

from consult.text.redaction_names import find_name_spans

__all__ = [
    "PLACEHOLDERS",
    "PersonalDataHit",
    "find_personal_data",
    "highlight_segments",
    "suggest_redaction",
]

PLACEHOLDERS: dict[str, str] = {
    "phone": "[phone]",
    "email": "[email]",
    "url": "[url]",
    "id_number": "[id number]",
    "name": "[name]",
}

# When two hits overlap, the longer wins; for equal length, the more specific kind (lower rank).
_RANK = {"email": 0, "url": 1, "phone": 2, "id_number": 3, "name": 4}


@dataclass(frozen=True)
class PersonalDataHit:
    kind: str  # one of PLACEHOLDERS' keys
    start: int  # offsets into the original text
    end: int
    text: str  # original[start:end]


# Regions tried for numbers written without a country code: where participants come from and
# the main host countries. Order only matters for speed (the first region that validates wins),
# so the most common ones come first.
PHONE_REGIONS: tuple[str, ...] = (
    "DE", "FR", "GB", "TR", "SY", "AF", "IQ", "UA", "LB", "JO", "IT", "ES", "GR", "US", "PK",
    "IR", "EG", "SD", "ER", "ET", "SO", "KE", "UG", "RU", "NL", "AT", "SE", "PL", "YE", "TZ",
    "HT", "MX", "CO", "VE", "NG",
)  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Digit normalisation
# ---------------------------------------------------------------------------------------------

# Arabic decimal and thousands separators behave like "." and ","; both are one character.
_SEPARATORS = {0x066B: ".", 0x066C: ","}


def _ascii_digits(text: str) -> str:
    """Same text with every decimal digit (any script) as ASCII; the length never changes."""
    table = {
        ord(char): str(int(char)) for char in set(text) if char.isdecimal() and not char.isascii()
    }
    if not table and not any(ord(char) in _SEPARATORS for char in text):
        return text
    table.update(_SEPARATORS)
    return text.translate(table)


# ---------------------------------------------------------------------------------------------
# E-mail addresses and URLs (matched on the original text)
# ---------------------------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
_SCHEME_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'«»“”]+", re.IGNORECASE)
# Bare domains ("example.org/path"). The TLD must be lowercase and known, so "ended.The" or a
# file name is not a URL.
_BARE_URL_RE = re.compile(
    r"(?<![\w@.\-/])(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+"
    r"(?P<tld>[a-z]{2,6})(?![\w-])(?P<path>/[^\s<>\"'«»“”]*)?"
)
_TLDS = {
    "com", "org", "net", "info", "edu", "gov", "int", "eu", "io", "app", "dev", "biz", "online",
    "ngo", "uk", "fr", "gr", "tr", "lb", "jo", "eg", "sy", "iq", "af", "pk", "ir", "ua", "ru",
    "ke", "ug", "ht", "mx", "ng", "ch", "nl", "dk", "pl", "au", "sd", "ye", "tz", "ly", "tn",
    "ae", "qa", "de",
}  # fmt: skip
# Country TLDs that are also everyday words ("et", "so", "it", …): only with a path, since
# "casa.es" or "home.it" is more likely a missing space than a web address.
_WORD_TLDS = {"se", "et", "er", "it", "at", "be", "no", "so", "us", "es", "in", "me", "to",
              "co", "ca", "sa", "ma", "is", "am", "la", "tv"}  # fmt: skip
_URL_TRAILING = ".,;:!?'\")]}»،؛؟۔"


def _urls(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _SCHEME_URL_RE.finditer(text):
        spans.append(_trim_url(text, match.start(), match.end()))
    for match in _BARE_URL_RE.finditer(text):
        tld = match.group("tld")
        if tld in _TLDS or (tld in _WORD_TLDS and match.group("path")):
            spans.append(_trim_url(text, match.start(), match.end()))
    return [span for span in spans if span[1] - span[0] > 4]


def _trim_url(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop sentence punctuation glued to the end of a URL (keep ")" when it closes a "(")."""
    while end > start and text[end - 1] in _URL_TRAILING:
        if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return start, end


# ---------------------------------------------------------------------------------------------
# Numbers: what is *not* personal data (matched on the digit-normalised text)
# ---------------------------------------------------------------------------------------------

_DATE_RE = re.compile(
    r"(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{2}|\d{4})"  # 14/09/2016, 14.9.16
    r"|\d{4}[./-]\d{1,2}[./-]\d{1,2}"  # 2016-09-14
    r"|\d{1,2}[./-](?:19|20)\d{2}"  # 09/2016
    r"|(?:19|20)\d{2}(?:\s*[-–/]\s*(?:(?:19|20)?\d{2}))+"  # 2015-2016, 2015/16
    r"|(?:(?:19|20)\d{2}\s+)+(?:19|20)\d{2})"  # 2014 2015 2016
)
_CURRENCY_WORDS = (
    r"€|\$|£|euros?|eur|dollars?|usd|gbp|pounds?|lira|liras|lire|tl|lei|dinars?|jd|jod|syp|lbp"
    r"|afn|afghanis?|rupees?|pkr|rials?|tomans?|hryvnias?|uah|rub(?:les?)?|roubles?|shillings?"
    r"|ksh|birr|nakfa|gourdes?|pesos?|naira|francs?|chf|ليرة|دينار|دولار|يورو|جنيه|ريال|تومان"
    r"|افغانی|روپے|روپیہ|евро|гривен|гривень|рублей|доларів"
)
_CURRENCY_AFTER_RE = re.compile(r"\s*(?:" + _CURRENCY_WORDS + r")(?![^\W\d_])", re.IGNORECASE)
_CURRENCY_BEFORE_RE = re.compile(r"(?:€|\$|£|usd|eur|tl|ksh|rs\.?|jd)\s*$", re.IGNORECASE)


def _is_amount(norm: str, start: int, end: int) -> bool:
    return bool(
        _CURRENCY_AFTER_RE.match(norm, end)
        or _CURRENCY_BEFORE_RE.search(norm[max(0, start - 6) : start])
    )


# ---------------------------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------------------------

# A run of digits and the separators people put in phone numbers, not glued to letters or to a
# decimal part ("3.1415926"). Validation is left to `phonenumbers`.
_PHONE_CANDIDATE_RE = re.compile(
    r"(?<![A-Za-z0-9+])(?<![0-9][.,])"
    r"(?:\+\s?)?\(?[0-9][0-9\-.()/ \u00a0\u2009\u202f]{4,40}[0-9]\)?"
    r"(?![A-Za-z0-9])(?![.,][0-9])"
)
# Dates, decimals ("3.1415926") and thousands ("1.500.000") are not phone numbers.
_NOT_PHONE_RE = re.compile(_DATE_RE.pattern + r"|[1-9]\d{0,2}[.,]\d+|[1-9]\d{0,2}(?:[.,]\d{3})+")
# A bare digit run right after one of these words is a document number, not a phone number.
_ID_CONTEXT_RE = re.compile(
    r"(?:case|file|passport|\bid|registration|unhcr|asylum|permit|card|dossier|caso|expediente"
    r"|aktenzeichen|ausweis|reisepass|\bdni|\bnie\b"
    r"|pasaporte|passeport|pasaport|kimlik|паспорт|справ|ملف|جواز|قضية|بطاقة|مفوضية|پرونده"
    r"|پاسپورت|گذرنامه|کارت|شناسنامه|تذکره|پاسپورټ)[^0-9]{0,25}$",
    re.IGNORECASE,
)
# …unless the participant said it is a phone number ("my WhatsApp in case: 0790123456").
_PHONE_CONTEXT_RE = re.compile(
    r"phone|\btel|mobil|whats|viber|signal|\bcall|هاتف|موبايل|جوال|واتس|تلفن|موبایل|تماس|телефон"
    r"|вайбер|telefon|numaram|simu|tel[eé]fono|t[eé]l[eé]phone|portable|taleefan|telefòn",
    re.IGNORECASE,
)
_DIGITS_DASHES_RE = re.compile(r"[0-9][0-9/-]*")


def _valid_phone(
    candidate: str, region: str | None, leniency: Leniency = Leniency.VALID
) -> list[tuple[int, int]]:
    """Spans of phone numbers `phonenumbers` accepts in `candidate` for one region.

    Leniency.VALID: the number must be valid for its region and written with the national
    prefix where that country requires it ("030 1234567", not "301234567", in Germany) — this
    is what keeps most ordinary digit runs from being taken for phone numbers in *some* region.
    """
    return [(m.start, m.end) for m in PhoneNumberMatcher(candidate, region, leniency)]


_FIRST_GROUP_ONLY_RE = re.compile(r"\(?\\1\)?")


@lru_cache(maxsize=1)
def _region_patterns() -> tuple[tuple[str, str, bool, re.Pattern[str]], ...]:
    """Per region: national prefix, whether national numbers must carry it, and a pattern every
    national number of the region matches (all from the library's public metadata)."""
    # Trying ~35 regions overflows the re module's own cache of compiled patterns; this
    # documented switch makes phonenumbers keep its compiled metadata patterns (halves the time).
    phonenumbers.enable_pattern_cache()
    patterns = []
    for region in PHONE_REGIONS:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata is None or metadata.general_desc is None:
            continue
        general = metadata.general_desc.national_number_pattern or r"\d+"
        # Mirrors Leniency.VALID: the prefix is required when every formatting rule writes it.
        required = bool(metadata.national_prefix) and all(
            fmt.national_prefix_formatting_rule
            and not _FIRST_GROUP_ONLY_RE.fullmatch(fmt.national_prefix_formatting_rule)
            and not fmt.national_prefix_optional_when_formatting
            for fmt in metadata.number_format
        )
        prefix = metadata.national_prefix or ""
        patterns.append((region, prefix, required, re.compile(general)))
    return tuple(patterns)


def _plausible_regions(digits: str) -> list[str]:
    """Regions where `digits` could be a national number: a regex pre-check much cheaper than
    parsing, so that a text full of figures that are not phone numbers stays fast."""
    regions = []
    for region, prefix, required, pattern in _region_patterns():
        if prefix and digits.startswith(prefix):
            if pattern.fullmatch(digits[len(prefix) :]) or pattern.fullmatch(digits):
                regions.append(region)
        elif not required and pattern.fullmatch(digits):
            regions.append(region)
    return regions


@lru_cache(maxsize=2048)
def _phone_spans_in(candidate: str) -> tuple[tuple[int, int], ...]:
    """Phone numbers in one candidate run, which is usually a whole number or nothing."""
    if candidate.startswith("+"):
        # Written in international format, a number that is merely *possible* (right length for
        # its country, e.g. a new or fictional range) is still someone's phone number.
        spans = _valid_phone(candidate, None) or _valid_phone(candidate, None, Leniency.POSSIBLE)
        return tuple(spans)
    only_digits = re.sub(r"\D", "", candidate)
    if only_digits.startswith("00"):
        # International call prefix: "00" is the exit code in all regions we care about except
        # North America, so one region that uses it is enough.
        return tuple(_valid_phone(candidate, "DE"))
    # Parse-and-validate first; the (slower) matcher only confirms a region that passed.
    for region in _plausible_regions(only_digits):
        try:
            number = phonenumbers.parse(candidate, region)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            spans = _valid_phone(candidate, region)
            if spans:
                return tuple(spans)
    return ()


_GROUP_RE = re.compile(r"[^\s/]+")


def _phones_in_run(candidate: str) -> list[tuple[int, int]]:
    """Phone numbers in a run of digits and separators, which may hold several numbers
    ("0790123456 / 0791234567") or a number after another figure ("1990 0790123456")."""
    spans = list(_phone_spans_in(candidate))
    if spans or sum(char.isdigit() for char in candidate) <= 12:
        return spans
    # Greedy: from each space-separated group, the longest run of groups that is a number.
    groups = [m.span() for m in _GROUP_RE.finditer(candidate)]
    i = 0
    while i < len(groups):
        for j in range(len(groups) - 1, i - 1, -1):
            sub = candidate[groups[i][0] : groups[j][1]]
            if not 7 <= sum(char.isdigit() for char in sub) <= 15:
                continue
            found = _phone_spans_in(sub)
            if found:
                spans.extend((groups[i][0] + s, groups[i][0] + e) for s, e in found)
                i = j
                break
        i += 1
    return spans


def _phones(norm: str) -> list[tuple[int, int]]:
    spans = []
    for match in _PHONE_CANDIDATE_RE.finditer(norm):
        candidate = match.group()
        digits = sum(char.isdigit() for char in candidate)
        if digits < 7 or digits > 30 or _NOT_PHONE_RE.fullmatch(candidate.strip("()")):
            continue
        if _is_amount(norm, match.start(), match.end()):
            continue
        before = norm[max(0, match.start() - 40) : match.start()]
        if (
            _DIGITS_DASHES_RE.fullmatch(candidate)
            and _ID_CONTEXT_RE.search(before)
            and not _PHONE_CONTEXT_RE.search(before)
        ):
            continue  # "passport 12345678": leave it to the document-number rule
        spans.extend((match.start() + s, match.start() + e) for s, e in _phones_in_run(candidate))
    return spans


# ---------------------------------------------------------------------------------------------
# Identity, passport and case numbers
# ---------------------------------------------------------------------------------------------

# Uppercase letters and digits, optionally in dash/slash-separated groups: "P1234567",
# "ABC-12C34567", "LBN-15-123456", "123-16C01234", "12345678".
_ID_RE = re.compile(
    r"(?<![A-Za-z0-9])(?<![0-9][.,])[A-Z0-9]+(?:[-/][A-Z0-9]+)*(?![A-Za-z0-9])(?![.,][0-9])"
)


def _id_numbers(norm: str) -> list[tuple[int, int]]:
    spans = []
    for match in _ID_RE.finditer(norm):
        token = match.group()
        digits = sum(char.isdigit() for char in token)
        if digits < 5:
            continue
        if any(char.isalpha() for char in token):
            if len(token) < 6:
                continue
        elif digits < 6 or _DATE_RE.fullmatch(token) or _is_amount(norm, *match.span()):
            continue
        spans.append(match.span())
    return spans


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def find_personal_data(text: str) -> list[PersonalDataHit]:
    """All personal data found in `text`, sorted by start, never overlapping."""
    if not text:
        return []
    norm = _ascii_digits(text)
    found: list[tuple[str, int, int]] = []
    found += [("email", m.start(), m.end()) for m in _EMAIL_RE.finditer(text)]
    found += [("url", s, e) for s, e in _urls(text)]
    found += [("phone", s, e) for s, e in _phones(norm)]
    found += [("id_number", s, e) for s, e in _id_numbers(norm)]
    found += [("name", s, e) for s, e in find_name_spans(text)]

    # Longest first, then most specific: "x@example.org" is an e-mail, not a URL plus a word.
    found.sort(key=lambda hit: (hit[1] - hit[2], _RANK[hit[0]], hit[1]))
    taken: list[tuple[str, int, int]] = []
    for kind, start, end in found:
        if all(end <= s or start >= e for _, s, e in taken):
            taken.append((kind, start, end))
    taken.sort(key=lambda hit: hit[1])
    return [PersonalDataHit(kind, start, end, text[start:end]) for kind, start, end in taken]


def personal_data_kinds(text: str | None) -> str | None:
    """The kinds of personal data found in a text, sorted and comma-separated ("email,phone"), or
    None when there are none (stored on each answer so moderators can filter on it)."""
    if not text:
        return None
    kinds = sorted({hit.kind for hit in find_personal_data(text)})
    return ",".join(kinds) or None


def highlight_segments(text: str) -> list[tuple[str, str | None]]:
    """`text` cut into (segment, kind) pieces in order; kind is None outside hits.

    Joining the segments gives back `text`, so a template can escape each piece and wrap the
    hits in <mark> without any HTML being built in Python.
    """
    segments: list[tuple[str, str | None]] = []
    cursor = 0
    for hit in find_personal_data(text):
        if hit.start > cursor:
            segments.append((text[cursor : hit.start], None))
        segments.append((hit.text, hit.kind))
        cursor = hit.end
    if cursor < len(text):
        segments.append((text[cursor:], None))
    return segments


def suggest_redaction(text: str) -> str:
    """`text` with each hit replaced by its placeholder, e.g. "call me on [phone]"."""
    return "".join(
        PLACEHOLDERS[kind] if kind else segment for segment, kind in highlight_segments(text)
    )
