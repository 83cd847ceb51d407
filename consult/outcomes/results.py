"""The public results page of a published consultation: `/<lang>/c/<slug>/results`.

The language is handled exactly as on the participant pages (the same URL value preprocessor,
redirect of an unknown code, and remembered language), so a shared link opens in the sender's
language and the language menu swaps the code in the address. Before publication the page does not
exist (404): nobody can read an outcome that organisers are still writing.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template

from consult.consultations.content import localise_consultation
from consult.outcomes import queries
from consult.participation.views import (
    add_language,
    redirect_unknown_language,
    remember_language,
    take_language,
)

bp = Blueprint("results", __name__, url_prefix="/<lang:lang>")
bp.url_value_preprocessor(take_language)
bp.url_defaults(add_language)
bp.before_request(redirect_unknown_language)
bp.after_request(remember_language)


@bp.get("/c/<slug>/results")
def consultation_results(slug: str) -> str:
    try:
        consultation = queries.published_consultation(slug)
    except queries.NotPublished:
        abort(404)
    return render_template(
        "outcomes/results.html",
        consultation=localise_consultation(consultation, g.lang),
        items=queries.results(consultation, g.lang),
        overall=queries.overall_outcome(consultation, g.lang),
        threshold=consultation.small_group_threshold,
    )
