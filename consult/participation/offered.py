"""Which languages a consultation offers its participants, and what a page in another one does.

An organiser chooses the interface languages of each consultation (issue 12): its pages list only
those in the language menu, and a page asked for in another language is sent, before anything is
shown, to the reader's language among them (cookie, then browser), else the consultation's source
language. Only GET and HEAD are redirected: a form posted in a language that was withdrawn
meanwhile is still taken, so nothing a participant typed is lost.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import abort, g, redirect, request

from consult.i18n.languages import supported_languages
from consult.i18n.selection import negotiated_among
from consult.models import Consultation


def offered_codes(consultation: Consultation) -> tuple[str, ...]:
    """The consultation's interface languages that this site supports, in the site's order;
    every supported language when none were chosen."""
    supported = supported_languages()
    chosen = set(consultation.interface_languages or ())
    offered = tuple(code for code in supported if code in chosen)
    return offered or tuple(supported)


def best_language(consultation: Consultation, offered: tuple[str, ...]) -> str:
    fallback = consultation.source_language
    if fallback not in offered:
        fallback = offered[0]
    return negotiated_among(offered, fallback)


def offer_languages_of(consultation: Consultation) -> None:
    """Limit this page's language menu to the consultation's languages; send a GET in another
    language to the same page in the reader's best offered one."""
    offered = offered_codes(consultation)
    g.offered_languages = offered
    lang = g.get("lang")
    if lang in offered or request.method not in ("GET", "HEAD"):
        return
    abort(redirect(same_page_in(best_language(consultation, offered)), code=302))


# Characters left as they are when a path or query is copied into a redirect (RFC 3986); every
# other one, a line break above all, is percent-encoded.
URL_PATH_SAFE = "/:@!$&'()*+,;=-._~"
URL_QUERY_SAFE = URL_PATH_SAFE + "?%"


def same_page_in(code: str) -> str:
    """This participant page's address with its language code (the first path segment) replaced."""
    # The path arrives decoded (%0d%0a is a line break by now): quote it again for the header.
    _empty, _old, rest = request.path.partition("/")[2].partition("/")
    location = f"{request.script_root}/{code}/{quote(rest, safe=URL_PATH_SAFE)}"
    if request.query_string:
        location += "?" + quote(request.query_string, safe=URL_QUERY_SAFE)
    return location
