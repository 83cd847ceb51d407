"""Preview: an organiser walks the whole participant journey of a consultation (draft or open) in
any language, with the participant pages' own templates, under a "Preview — nothing is saved"
banner.

Nothing is written to the database: no draft, no submission, no answer, no count, no audit event.
What the organiser chooses travels in their signed session cookie (`PREVIEW`), per consultation:
the stances, the first characters of each written answer (the cookie is small) and the "about
you" answers. The participant templates link to the participant pages; here `url_for` is swapped,
for these templates only, for one that sends those links to the preview's pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as HTTPResponse

from consult.consultations.content import (
    localise_consultation,
    localise_recommendation_at,
    localise_recommendations,
)
from consult.consultations.forms import ButtonForm
from consult.consultations.views import ORGANISERS, _consultation_or_404, bp
from consult.i18n.languages import supported_languages
from consult.models import Consultation
from consult.participation.forms import AnswerForm, ConsentForm, ProfileForm, SubmitForm
from consult.staff.access import requires_roles
from consult.vocab import Stance

PREVIEW = "preview"
# Kept of each written answer in the cookie: enough to see it on the review page.
KEPT_CHARACTERS = 120
PAGES = {
    "participation.intro": ".preview_intro",
    "participation.question": ".preview_question",
    "participation.about": ".preview_about",
    "participation.review": ".preview_review",
    "participation.thanks": ".preview_thanks",
    "participation.start_again": ".preview_end",
    "participation.receipt_lookup": ".preview_end",
    "participation.home": ".preview_end",
}
Page = str | tuple[str, int] | HTTPResponse


@dataclass
class PreviewAnswer:
    stance: str
    text: str


@dataclass
class PreviewDraft:
    """What the review page reads of a draft, from the cookie."""

    stage: str | None = None
    age_band: str | None = None
    group_names: list[str] = field(default_factory=list)
    groups_declined: bool = False


def _state(slug: str) -> dict[str, Any]:
    return dict(session.get(PREVIEW, {}).get(slug) or {})


def _keep(slug: str, state: dict[str, Any]) -> None:
    # One consultation's preview at a time: the cookie stays small.
    session[PREVIEW] = {slug: state}


def _preview_url_for(endpoint: str, **values: Any) -> str:
    target = PAGES.get(endpoint)
    if target is None:
        return url_for(endpoint, **values)
    values.setdefault("lang", g.lang)
    if target == ".preview_end":
        values.pop("lang", None)
        values["slug"] = g.preview_slug
    return url_for(target, **values)


def _consultation(slug: str, lang: str) -> Consultation:
    if lang not in supported_languages():
        abort(404)
    consultation = _consultation_or_404(slug)
    g.lang = lang  # the participant's interface language, as on their pages
    g.preview_slug = slug
    return consultation


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return (
        render_template(
            "consultations/preview_page.html",
            page_template=template,
            url_for=_preview_url_for,
            preview_exit=url_for(".languages", slug=g.preview_slug),
            **context,
        ),
        status,
    )


def _total(consultation: Consultation) -> int:
    return sum(1 for r in consultation.recommendations if r.position > 0)


@bp.route("/c/<slug>/preview/<lang>/", methods=["GET", "POST"])
@requires_roles(*ORGANISERS)
def preview_intro(slug: str, lang: str) -> Page:
    consultation = _consultation(slug, lang)
    form = ConsentForm()
    state = _state(slug)
    if form.validate_on_submit():
        state["agreed"] = True
        _keep(slug, state)
        return redirect(url_for(".preview_question", slug=slug, lang=lang, position=1))
    # "?returning=1": the page as someone sees it who began under consent text that has since
    # changed (a consent bump, issue 12): they must agree again before they can send.
    returning = request.method == "GET" and request.args.get("returning") == "1"
    return _render(
        "participation/intro.html",
        422 if form.is_submitted() else 200,
        consultation=localise_consultation(consultation, lang),
        total=_total(consultation),
        form=form,
        has_draft=returning or bool(state.get("agreed")),
        consent_changed=returning,
        session_ended=False,
        shared_phone=False,
        preview_returning=returning,
        preview_consent_bumped=consultation.consent_version > 1,
    )


@bp.route("/c/<slug>/preview/<lang>/q/<int:position>", methods=["GET", "POST"])
@requires_roles(*ORGANISERS)
def preview_question(slug: str, lang: str, position: int) -> Page:
    consultation = _consultation(slug, lang)
    found = localise_recommendation_at(consultation, position, lang)
    if found is None:
        abort(404)
    item, total = found
    state = _state(slug)
    form = AnswerForm()
    if request.method == "POST":
        if form.validate():
            answers = dict(state.get("answers") or {})
            answers[str(position)] = [
                form.stance.data or Stance.SKIPPED,
                (form.text.data or "")[:KEPT_CHARACTERS],
            ]
            state["answers"] = answers
            _keep(slug, state)
            return redirect(_next_page(slug, lang, position, total))
        status = 422
    else:
        status = 200
        kept = (state.get("answers") or {}).get(str(position))
        if kept:
            form.stance.data = kept[0] if kept[0] != Stance.SKIPPED else None
            form.text.data = kept[1]
    return _render(
        "participation/question.html",
        status,
        consultation=localise_consultation(consultation, lang),
        item=item,
        position=position,
        total=total,
        form=form,
        from_review=request.args.get("from") == "review",
        max_chars=current_app.config["CONSULT_FREE_TEXT_MAX_CHARS"],
    )


def _next_page(slug: str, lang: str, position: int, total: int) -> str:
    action = request.form.get("action", "next")
    if action == "back":
        if position > 1:
            return url_for(".preview_question", slug=slug, lang=lang, position=position - 1)
        return url_for(".preview_intro", slug=slug, lang=lang)
    if action == "review" or request.args.get("from") == "review":
        return url_for(".preview_review", slug=slug, lang=lang)
    if position < total:
        return url_for(".preview_question", slug=slug, lang=lang, position=position + 1)
    return url_for(".preview_about", slug=slug, lang=lang)


@bp.route("/c/<slug>/preview/<lang>/about", methods=["GET", "POST"])
@requires_roles(*ORGANISERS)
def preview_about(slug: str, lang: str) -> Page:
    consultation = _consultation(slug, lang)
    state = _state(slug)
    form = ProfileForm()
    if request.method == "POST":
        if form.validate():
            if request.form.get("action") != "skip":
                state["profile"] = {
                    "stage": form.stage.data,
                    "age_band": form.age_band.data,
                    "group_names": list(form.groups.data or []),
                    "groups_declined": bool(form.groups_declined.data),
                }
                _keep(slug, state)
            if request.form.get("action") == "back":
                return redirect(
                    url_for(
                        ".preview_question", slug=slug, lang=lang, position=_total(consultation)
                    )
                )
            return redirect(url_for(".preview_review", slug=slug, lang=lang))
        status = 422
    else:
        status = 200
        profile = PreviewDraft(**(state.get("profile") or {}))
        form.stage.data = profile.stage
        form.age_band.data = profile.age_band
        form.groups.data = profile.group_names
        form.groups_declined.data = profile.groups_declined
    return _render(
        "participation/about.html",
        status,
        consultation=localise_consultation(consultation, lang),
        form=form,
    )


@bp.route("/c/<slug>/preview/<lang>/review", methods=["GET", "POST"])
@requires_roles(*ORGANISERS)
def preview_review(slug: str, lang: str) -> Page:
    consultation = _consultation(slug, lang)
    state = _state(slug)
    form = SubmitForm()
    items = localise_recommendations(consultation, lang)
    by_position = state.get("answers") or {}
    answers = {
        item.recommendation.id: PreviewAnswer(*by_position[str(item.recommendation.position)])
        for item in items
        if str(item.recommendation.position) in by_position
    }
    empty = False
    if form.validate_on_submit():
        if any(a.stance != Stance.SKIPPED or a.text.strip() for a in answers.values()):
            # Nothing is sent: the thank-you page, as a participant would see it next.
            return redirect(url_for(".preview_thanks", slug=slug, lang=lang))
        empty = True
    return _render(
        "participation/review.html",
        422 if empty or form.is_submitted() else 200,
        consultation=localise_consultation(consultation, lang),
        items=[item for item in items if item.recommendation.position > 0],
        answers=answers,
        draft=PreviewDraft(**(state.get("profile") or {})),
        form=form,
        empty=empty,
    )


@bp.get("/c/<slug>/preview/<lang>/thanks")
@requires_roles(*ORGANISERS)
def preview_thanks(slug: str, lang: str) -> Page:
    consultation = _consultation(slug, lang)
    session.pop(PREVIEW, None)
    return _render(
        "participation/thanks.html",
        consultation=localise_consultation(consultation, lang),
        # A sample: a real code exists only for answers that were sent.
        receipt="PREV-IEWX-XXXX",
    )


@bp.route("/c/<slug>/preview/end", methods=["GET", "POST"])
@requires_roles(*ORGANISERS)
def preview_end(slug: str) -> str:
    """Where the preview's links out of the journey lead (home, receipt, start again): a page that
    says so, with the way back; the preview is forgotten."""
    consultation = _consultation_or_404(slug)
    if request.method == "POST" and not ButtonForm().validate_on_submit():
        abort(400)
    session.pop(PREVIEW, None)
    return render_template("consultations/preview_end.html", consultation=consultation)


def preview_banner_text() -> str:
    return _("Preview — nothing is saved")
