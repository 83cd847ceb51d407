"""A few sentences per recommendation, written from the dashboard's own numbers and themes.

Nothing is invented: every figure comes from the `RecommendationSummary` the page shows (the same
rounding, through `percent`), only differences marked significant are mentioned, and a hidden
(suppressed) number is never written. Sentences go through gettext in the reader's language, with
`ngettext` for plurals and Babel's formats for numbers and percentages (`percent`, `number`), which
the templates use too, so the page and the text cannot round differently.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from babel.numbers import format_percent
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.i18n.formatting import local_number, native_digits
from consult.summaries.dashboard import GROUP, LANGUAGE, STAGE, RecommendationSummary
from consult.summaries.queries import NO_STAGE
from consult.summaries.stats import Difference, Interval
from consult.vocab import Group, JourneyStage

# How a category is named inside a sentence ("people in transit").
STAGE_PEOPLE = {
    JourneyStage.ORIGIN: _l("people still in their home country"),
    JourneyStage.TRANSIT: _l("people on the way"),
    JourneyStage.DESTINATION: _l("people who have arrived where they want to stay"),
    JourneyStage.PREFER_NOT: _l("people who preferred not to say where they are"),
    NO_STAGE: _l("people who did not say where they are"),
}
GROUP_PEOPLE = {
    Group.WOMAN_OR_GIRL: _l("women and girls"),
    Group.UNDER_18: _l("children and young people under 18"),
    Group.DISABILITY: _l("people with a disability"),
    Group.LGBTQI: _l("LGBTQI+ people"),
    Group.OLDER_PERSON: _l("older people"),
}


def _locale() -> Locale:
    return get_locale() or Locale.parse("en")


def percent(value: float) -> str:
    """A share as a whole percentage in the reader's locale ("68%", "68 %", "٦٨٪")."""
    return _percent(_locale(), value)


@lru_cache(maxsize=8192)
def _percent(locale: Locale, value: float) -> str:
    # Babel takes tens of microseconds per call and a page shows hundreds of shares.
    return native_digits(format_percent(value, format="#,##0%", locale=locale), locale)


def interval(value: Interval) -> str:
    return _("%(low)s–%(high)s", low=percent(value.low), high=percent(value.high))


def number(value: int) -> str:
    return local_number(value)


def language_name(code: str) -> str:
    return _language_name(code, _locale())


@lru_cache(maxsize=1024)
def _language_name(code: str, locale: Locale) -> str:
    try:
        return Locale.parse(code).get_display_name(locale) or code
    except (ValueError, LookupError):
        return code


def people(dimension: str, key: str) -> str:
    if dimension == STAGE:
        return str(STAGE_PEOPLE.get(key, key))
    if dimension == GROUP:
        return str(GROUP_PEOPLE.get(key, key))
    return _("people answering in %(language)s", language=language_name(key))


def _difference(dimension: str, found: Difference, divides: bool) -> str:
    values = {
        "lower": people(dimension, found.lower),
        "lower_share": percent(found.lower_share.value or 0),
        "higher": people(dimension, found.higher),
        "higher_share": percent(found.higher_share.value or 0),
    }
    if divides:
        return _(
            "This divides opinion: %(higher_share)s of %(higher)s agree, but only "
            "%(lower_share)s of %(lower)s, most of whom disagree.",
            **values,
        )
    return _(
        "%(lower_share)s of %(lower)s agree, significantly fewer than %(higher)s "
        "(%(higher_share)s).",
        **values,
    )


def recommendation_sentences(
    summary: RecommendationSummary, threshold: int, themes: object | None = None
) -> list[str]:
    """The narrative of one recommendation, sentence by sentence."""
    agree = summary.overall.agree
    if agree is None:
        return [
            _(
                "Too few people answered for figures to be given without singling someone out "
                "(groups of fewer than %(threshold)s are hidden).",
                threshold=number(threshold),
            )
        ]
    # The number of languages is given as a label's value, not glued into the sentence as a
    # translated "N languages" (translators: a phrase cannot agree with a sentence it is put in).
    sentences = [
        ngettext(
            "%(num)s person answered (languages used: %(languages)s).",
            "%(num)s people answered (languages used: %(languages)s).",
            agree.answered,
            languages=number(summary.languages_answered),
        )
        + " "
        + _(
            "%(share)s agree (95%% confidence interval %(interval)s).",
            share=percent(agree.value or 0),
            interval=interval(agree.interval),  # type: ignore[arg-type]
        )
    ]
    partly = summary.overall.partly
    if partly is not None and partly.count:
        sentences.append(_("%(share)s partly agree.", share=percent(partly.value or 0)))
    mentioned = False
    for dimension in (STAGE, LANGUAGE, GROUP):
        breakdown = summary.breakdowns[dimension]
        significant = breakdown.significant
        if not significant:
            continue
        found = significant[0]
        sentences.append(_difference(dimension, found, found in breakdown.dividing))
        mentioned = True
    if not mentioned:
        sentences.append(
            _(
                "No difference between languages, migration stages or groups is statistically "
                "significant."
            )
        )
    sentences.extend(_themes_sentence(themes, threshold))
    return sentences


def _themes_sentence(themes: object | None, threshold: int) -> list[str]:
    every = list(getattr(themes, "themes", ()))
    if not every:
        return []
    top = max(every, key=lambda t: t.answer_count)
    # The largest theme may be the one hidden to protect a smaller one ("–"), or under the
    # threshold: then nothing is said, since its count would give the hidden one back (and naming
    # the next one "the most common" would be false).
    if getattr(top, "suppressed", False) or top.answer_count < threshold:
        return []
    return [
        ngettext(
            "The most common theme in the written answers was “%(label)s” (%(num)s answer, "
            "%(share)s).",
            "The most common theme in the written answers was “%(label)s” (%(num)s answers, "
            "%(share)s).",
            top.answer_count,
            label=top.label,
            share=percent(top.share),
        )
    ]
