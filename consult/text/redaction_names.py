"""Names that participants give themselves ("my name is …") in the platform's languages.

This module owns the trigger phrases and the rules for how much text after a trigger is taken as a
name. It returns plain (start, end) spans; `consult.text.redaction` turns them into hits.
Nothing here tries to recognise names in general: a name is only proposed when the participant
introduced it, which keeps false positives low (a moderator still decides).
"""

from __future__ import annotations

import re
import unicodedata

# Any apostrophe people type: ASCII, typographic, modifier letter (Ukrainian), backtick.
_APOS = "['’ʼ`]"

# Triggers followed by a name written in a script with letter case (Latin, Cyrillic, Greek).
# The name must then be capitalised, which is what keeps "call me tomorrow" from matching.
_CASED_TRIGGERS = [
    # English
    r"my\s+(?:full\s+|first\s+|real\s+)?name\s+is",
    r"my\s+name" + _APOS + r"s",
    r"i\s+am\s+called",
    r"i" + _APOS + r"m\s+called",
    r"(?:they\s+|please\s+)?call\s+me",
    # Spanish, Italian, Portuguese
    r"me\s+llamo",
    r"mi\s+nombre\s+es",
    r"mi\s+chiamo",
    r"meu\s+nome\s+é",
    # French, Haitian Creole
    r"je\s+m" + _APOS + r"\s?appelle",
    r"mon\s+(?:nom|prénom)\s+(?:est|c" + _APOS + r"est)",
    r"non\s+(?:mwen|m)\s+se",
    r"(?:mwen|m)\s+rele",
    # German (host country)
    r"ich\s+hei(?:ß|ss)e",
    r"mein\s+name\s+ist",
    # Greek (host country)
    r"με\s+λένε",
    r"ονομάζομαι",
    # Ukrainian, Russian
    r"мене\s+(?:звати|кличуть)",
    r"мо[єе]\s+ім" + _APOS + r"я",
    r"меня\s+(?:зовут|звать)",
    r"мо[её]\s+имя",
    # Swahili
    r"jina\s+langu\s+ni",
    r"naitwa",
    # Somali
    r"magacayg[ua]\s+waa",
    r"magacaygu",
    r"waxa(?:a)?\s+la\s+i\s+(?:yiraahdaa|yidhaahdaa|dhahaa)",
    # Turkish: bare "adım" also means "step", so it is only trusted at a sentence start (see below).
    r"(?:benim\s+)?ism[iı]m",
    r"benim\s+ad[ıi]m",
    r"ad[ıi]m",
]


def _arabic_variants(pattern: str) -> str:
    """Accept Arabic and Persian/Urdu forms of the same letters: keyboards differ by country."""
    swaps = {"ی": "[یيى]", "ي": "[يیى]", "ک": "[کك]", "ك": "[كک]", "ه": "[هہ]", "ا": "[اأإآ]"}
    return "".join(swaps.get(char, char) for char in pattern)


# Triggers followed by a name in a script without case (Arabic script, Ethiopic).
_CASELESS_TRIGGERS = [
    _arabic_variants(p)
    for p in [
        r"اسمي",  # Arabic (also "انا اسمي": the "انا" before it changes nothing)
        r"اسمى",  # Arabic, Egyptian spelling
        r"اسم\s+من",  # Persian/Dari
        r"نام\s+من",  # Persian/Dari
        r"اسمم",  # Persian colloquial
        r"زما\s+نوم",  # Pashto
        r"نوم\s+مې",  # Pashto
        r"میرا\s+نام",  # Urdu
    ]
] + [
    r"ስመይ",  # Tigrinya
    r"ስሜ",  # Amharic
]

_CASED_RE = re.compile(r"\b(?:" + "|".join(_CASED_TRIGGERS) + r")(?![^\W\d_])", re.IGNORECASE)
# Arabic-script triggers may carry the conjunction "و" ("and my name …") glued to the front.
_CASELESS_RE = re.compile(
    r"(?<![^\W\d_])(?:و)?(?:" + "|".join(_CASELESS_TRIGGERS) + r")(?![^\W\d_])"
)

# Words allowed between the trigger and the name: "my name is: X", "اسمي هو X".
_FILLER_RE = re.compile(r"(?:[\s:\-–—\"'“”«»‹›„፡]+|(?:هو|هي)(?![^\W\d_]))*")

# One name word: letters (plus combining marks, ZWNJ, tatweel) with internal apostrophes or hyphens
# ("O'Neil", "Jean-Pierre", "Al-Hassan").
_WORD_RE = re.compile(r"(?:[^\W\d_]|[\u064b-\u065f\u0670\u200c\u0640])+(?:['’ʼ\-](?:[^\W\d_])+)*")

# Capitalised words that are not names but often follow "call me" / "my name is".
_CASED_STOP = {
    "i", "a", "the", "and", "but", "or", "not", "if", "when", "please", "here", "there",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "tomorrow", "today", "later", "now", "anytime",
    "unknown", "anonymous", "secret", "private", "no", "none", "nobody",
}  # fmt: skip
# Lowercase particles inside names ("Juan de la Cruz", "Mohammed bin Salman").
_PARTICLES = {
    "de", "da", "del", "della", "di", "do", "dos", "das", "du", "la", "le", "van", "von", "der",
    "den", "bin", "bint", "ibn", "al", "el", "abu", "ben", "y", "e",
}  # fmt: skip
_TITLES = {"mr", "mrs", "ms", "miss", "dr", "sr", "sra", "señor", "señora", "monsieur", "madame"}

# Words that end (or rule out) a name in Arabic script and Ethiopic: copulas ("is"), conjunctions,
# "from", "I", age words, negations. A name is never longer than two words plus a joined part.
_CASELESS_STOP = {
    # Arabic
    "و", "من", "في", "انا", "أنا", "عمري", "وعمري", "وانا", "وأنا", "عندي", "لا", "ليس", "هو", "هي",
    "سنة", "عام", "كان", "مع", "الى", "إلى", "على", "اسمي", "لكن", "لدي", "ولدت", "أعيش", "اعيش",
    "أسكن", "اسكن", "جئت", "أتيت", "اتيت", "أعمل", "اعمل", "رقمي", "رقم", "هاتفي", "موبايلي",
    "ايميلي", "إيميلي", "عنواني",
    # Persian / Dari
    "است", "هست", "هستم", "را", "از", "ساله", "که", "نیست", "می", "بود", "هم", "شماره", "شمارهٔ",
    "تلفن", "ایمیل",
    # Pashto
    "دی", "دے", "یم", "زه", "له", "او", "نه", "ده",
    # Urdu
    "ہے", "ہیں", "ہوں", "اور", "میں", "سے", "کا", "کی", "کے", "نہیں", "تھا",
    # Tigrinya / Amharic
    "ነው", "እዩ", "ኢዩ", "ይባላል", "ይበሃል", "እባላለሁ", "ኢለ", "እና", "ከ", "ካብ", "አይደለም",
}  # fmt: skip
# Arabic name parts that need the following word ("عبد الله", "أبو بكر").
_JOINING = {"عبد", "ابو", "أبو", "بن", "ابن", "بنت", "ام", "أم"}

# Between two words of one name: spaces only (and the Ethiopic word separator), no punctuation.
_GAP_RE = re.compile(r"[ \t\u00a0\u200e\u200f፡]+")
_AFTER_TITLE_RE = re.compile(r"\.?[ \t]+")
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?…\n:])\s*$")


def _is_caseless(word: str) -> bool:
    return not any(char.isupper() or char.islower() for char in word)


def _looks_like_name(word: str) -> bool:
    """Capitalised in a cased script, or any word of a caseless script (Arabic, Ethiopic, …)."""
    if word.casefold() in _CASED_STOP or word in _CASELESS_STOP:
        return False
    if word.startswith("و") and word[1:] in _CASELESS_STOP:
        return False  # Arabic "and" glued to a stop word: "وأعيش", "وعمري"
    first = word[0]
    if first.isupper():
        return True
    return _is_caseless(word) and unicodedata.category(first) == "Lo"


def _take_name(text: str, pos: int, max_words: int) -> tuple[int, int] | None:
    """Return the span of the name starting at `pos` (after fillers), or None."""
    pos = _FILLER_RE.match(text, pos).end()
    first = _WORD_RE.match(text, pos)
    if first and first.group().casefold().rstrip(".") in _TITLES:
        # "My name is Dr Amal": the title is not identifying, the name after it is.
        after_title = _AFTER_TITLE_RE.match(text, first.end())
        if after_title:
            first = _WORD_RE.match(text, after_title.end())
    if not first or not _looks_like_name(first.group()):
        return None
    start, end = first.span()
    words, pending = 1, first.group() in _JOINING
    cursor = end
    while words < max_words or pending:
        gap = _GAP_RE.match(text, cursor)
        if not gap:
            break  # punctuation, a line break or the end: the name is over
        nxt = _WORD_RE.match(text, gap.end())
        if not nxt:
            break
        word = nxt.group()
        if word in _PARTICLES:
            # Particles ("de la", "bin") are kept only when a capitalised word follows them.
            follow = nxt
            for _ in range(2):
                gap2 = _GAP_RE.match(text, follow.end())
                follow = _WORD_RE.match(text, gap2.end()) if gap2 else None
                if not follow or follow.group() not in _PARTICLES:
                    break
            if not follow or not follow.group()[0].isupper():
                break
            nxt = follow
            word = follow.group()
        if not _looks_like_name(word):
            break
        # Do not cross from one script to another ("Ali من سوريا").
        if _is_caseless(word) != _is_caseless(first.group()):
            break
        end = cursor = nxt.end()
        words += 1
        pending = word in _JOINING and not pending
    return start, end


def find_name_spans(text: str) -> list[tuple[int, int]]:
    """Spans of names introduced by a trigger phrase, in order of appearance (may overlap)."""
    spans: list[tuple[int, int]] = []
    for match in _CASED_RE.finditer(text):
        phrase = match.group().casefold()
        if phrase.startswith("ad") and not _SENTENCE_START_RE.search(text, 0, match.start()):
            continue  # Turkish bare "adım" mid-sentence is usually "step"
        span = _take_name(text, match.end(), max_words=3)
        if span:
            spans.append(span)
    for match in _CASELESS_RE.finditer(text):
        span = _take_name(text, match.end(), max_words=2)
        if span:
            spans.append(span)
    return spans
