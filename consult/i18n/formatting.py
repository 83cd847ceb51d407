"""Numbers and dates for the page's locale, in the locale's own digits.

Babel applies CLDR's separators and patterns but always writes Latin digits. CLDR says Persian and
Pashto write numbers in Extended Arabic-Indic digits by default (numbering system "arabext"), so the
digits are swapped here for locales whose default numbering system is not Latin.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from flask_babel import get_locale

# Code point of the digit zero of each decimal numbering system our languages may use (CLDR names).
ZERO_OF_NUMBERING_SYSTEM = {"arab": 0x0660, "arabext": 0x06F0, "beng": 0x09E6, "deva": 0x0966}


def native_digits(text: str, locale: Locale) -> str:
    zero = ZERO_OF_NUMBERING_SYSTEM.get(locale.default_numbering_system)
    if zero is None:
        return text
    return text.translate({ord("0") + i: zero + i for i in range(10)})


def _locale() -> Locale:
    return get_locale() or Locale.parse("en")


def local_number(value: int | float) -> str:
    locale = _locale()
    if type(value) is int and SMALL_INT_RANGE[0] <= value < SMALL_INT_RANGE[1]:
        return _small_number(locale, value)
    return _format_number(value, locale)


def _format_number(value: int | float, locale: Locale) -> str:
    return native_digits(format_decimal(value, locale=locale, numbering_system="default"), locale)


# Pages show the same few whole numbers again and again ("Idea 3 of 8", the 2,000-character
# limit); Babel takes tens of microseconds to format each one, so they are kept per locale.
SMALL_INT_RANGE = (0, 100_000)


@lru_cache(maxsize=8192)
def _small_number(locale: Locale, value: int) -> str:
    return _format_number(value, locale)


def local_date(value: date, format: str = "long") -> str:
    locale = _locale()
    return native_digits(format_date(value, format=format, locale=locale), locale)


def local_time(value: datetime) -> str:
    locale = _locale()
    return native_digits(format_time(value, format="short", locale=locale), locale)


def local_datetime(value: datetime) -> str:
    locale = _locale()
    return native_digits(format_datetime(value, format="short", locale=locale), locale)
