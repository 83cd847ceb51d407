"""Cleaning what participants type, before it is stored.

Text is NFC-normalised (so the same word is stored the same way whatever keyboard produced it);
control characters and bidirectional embedding/override/isolate characters are removed, because they
can make an answer display differently from what it says (e.g. reversed text in a moderator's
queue). Right-to-left and left-to-right *marks* (U+200E, U+200F, U+061C) are kept: people writing
Arabic or Persian use them.
"""

from __future__ import annotations

import re
import unicodedata

_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_KEEP_FORMAT = {
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u061c",
}  # ZWNJ/ZWJ matter in Persian, Urdu
_TRAILING_SPACES = re.compile(r"[ \t]+\n")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def _keep(char: str) -> bool:
    if char in "\n\t":
        return True
    if char in _BIDI_CONTROLS:
        return False
    category = unicodedata.category(char)
    if category == "Cc":
        return False
    return not (category == "Cf" and char not in _KEEP_FORMAT)


def clean_free_text(text: str | None) -> str:
    """Return the text as it will be stored; an empty string when nothing meaningful is left."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = "".join(char for char in text if _keep(char))
    text = _TRAILING_SPACES.sub("\n", text)
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip()
