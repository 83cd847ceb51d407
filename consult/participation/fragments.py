"""Parts of participant pages rendered once per worker and reused (`{% call cached_fragment() %}`).

A question page renders the same progress line, idea, answer buttons and step buttons for every
participant who sees it in the same language with the same choice made; only the form token and
the participant's text differ, and those stay outside the cached parts. The key of a part is the
page's language with every value the part is made from, passed by the template (the idea's
text itself, not an id or a version), so an organiser's edit makes a new key at once and no
invalidation is needed; a part whose inputs the key leaves out would be a bug, which
tests/participation/test_fragments.py looks for by comparing every question page with its
uncached rendering, in an RTL and an LTR language, before and after an edit.

Each worker keeps at most `MAX_PARTS` parts (the least recently used dropped), a few kilobytes each
(an idea with its answer buttons and their icons is the largest): a consultation of 8 ideas in 14
languages needs about 700 of them.
Off with CONSULT_FRAGMENT_CACHE = False (the tests render both ways).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app
from flask_babel.speaklater import LazyString

from consult.core.lru import LruCache
from consult.i18n.selection import select_locale

MAX_PARTS = 2048


def _frozen(value: Any) -> Hashable:
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, LazyString) and hasattr(value, "_func") and hasattr(value, "_args"):
        # A translated label (lazy_gettext): its text is set by the function, the message and its
        # arguments, and the key holds the page's language; translating it here on every page
        # would cost more than the part saves.
        return (value._func, _frozen(value._args), _frozen(getattr(value, "_kwargs", {})))
    return str(value)  # other objects: their text in this request's language


def cached_fragment(name: str, *inputs: Any, caller: Callable[[], str]) -> str:
    """The part rendered by the call block, from the cache when the same part was rendered before
    in this language from the same `inputs`."""
    app = current_app
    if not app.config.get("CONSULT_FRAGMENT_CACHE", True):
        return caller()
    key = (name, select_locale(), _frozen(inputs))
    return app.extensions["consult_fragments"].get_or_make(key, caller)


def init_fragments(app: Flask) -> None:
    app.extensions["consult_fragments"] = LruCache(MAX_PARTS)
    app.jinja_env.globals["cached_fragment"] = cached_fragment
