"""Participant views: parse the form, call the operations, commit once, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from babel.lists import format_list
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as HTTPResponse

from consult.consultations.content import (
    LocalisedRecommendation,
    localise_consultation,
    localise_consultations,
    localise_recommendation_at,
    localise_recommendations,
)
from consult.core import paths
from consult.core.config import draft_lifetime
from consult.core.database import scrub_deleted_rows
from consult.core.errors import resend_on_csrf_failure
from consult.core.extensions import db
from consult.core.ratelimits import rate_limited
from consult.core.routing import whole_number
from consult.i18n.languages import closest_supported, language_info, supported_languages
from consult.i18n.selection import LANGUAGE_COOKIE, negotiated_language
from consult.i18n.status import content_status, interface_status
from consult.models import Consultation, Submission
from consult.participation import operations as participation
from consult.participation import session_state, spam
from consult.participation.forms import (
    AnswerForm,
    ConsentForm,
    DeleteForm,
    ProfileForm,
    ReceiptForm,
    StartAgainForm,
    SubmitForm,
)
from consult.participation.offered import (
    best_language,
    offer_languages_of,
    offered_codes,
    same_page_in,
)
from consult.participation.receipts import format_receipt_code, normalise_receipt_code
from consult.participation.unavailable import handle_database_errors, on_failure
from consult.vocab import Stance

bp = Blueprint("participation", __name__, url_prefix="/<lang:lang>")
root = Blueprint("root", __name__)
# A database that is busy or down gives the page back with what was typed (503), not a 500.
handle_database_errors(bp)
# The signed "form shown at" stamp of the spam defences (templates/participation/_spam_trap.html).
bp.add_app_template_global(spam.form_stamp, "spam_stamp")

# Long enough that a returning participant finds their language; short, because the cookie says
# which language a shared phone's last user read.
LANGUAGE_COOKIE_DAYS = 30

Page = str | tuple[str, int] | HTTPResponse
PageT = TypeVar("PageT", bound=participation.JourneyPage)


@bp.url_value_preprocessor
def take_language(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    code = (values or {}).pop("lang", None)
    if code in supported_languages():
        g.lang = code
    else:
        g.lang_redirect = closest_supported(code) or negotiated_language()


@bp.url_defaults
def add_language(endpoint: str, values: dict[str, Any]) -> None:
    if "lang" not in values and g.get("lang"):
        values["lang"] = g.lang


@bp.before_request
def redirect_unknown_language() -> HTTPResponse | None:
    target = g.get("lang_redirect")
    if target is None:
        return None
    return redirect(same_page_in(target), code=302)


@bp.after_request
def remember_language(response: HTTPResponse) -> HTTPResponse:
    """A bare URL later opens in the language the participant last used.

    Only a page that worked sets the cookie: an error, such as the answer to another site's forged
    form, changes no cookie.
    """
    lang = g.get("lang")
    if lang and response.status_code < 400 and request.cookies.get(LANGUAGE_COOKIE) != lang:
        response.set_cookie(
            LANGUAGE_COOKIE,
            lang,
            max_age=LANGUAGE_COOKIE_DAYS * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=current_app.config["CONSULT_SECURE_COOKIES"],
        )
    return response


# --- home and consultation entry -------------------------------------------------------------


@root.get("/")
def index() -> HTTPResponse:
    return redirect(url_for("participation.home", lang=negotiated_language()))


@root.get("/favicon.ico")
def favicon() -> HTTPResponse:
    """Browsers ask for /favicon.ico whatever the page links to: answer with the site's icon."""
    return current_app.send_static_file("favicon.svg")


@bp.get("/")
def home() -> Page:
    consultations = localise_consultations(participation.listed_consultations(), g.lang)
    # A consultation not offered in the reader's language links straight to their best offered
    # one and names the languages it is offered in.
    elsewhere = {}
    for item in consultations:
        offered = offered_codes(item.consultation)
        if g.lang not in offered:
            elsewhere[item.consultation.id] = (
                best_language(item.consultation, offered),
                format_list([language_info(code).endonym for code in offered], locale=g.lang),
            )
    return render_template(
        "participation/home.html", consultations=consultations, elsewhere=elsewhere
    )


@bp.get("/languages")
def languages() -> Page:
    """The languages of the interface and of the open consultations, and who checked them."""
    translations = paths.translations_dir()
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    consultations = participation.listed_consultations()
    rows = [
        {
            "info": language_info(code),
            "interface": interface_status(translations, code, default),
            "content": [content_status(c, code) for c in consultations],
        }
        for code in supported_languages()
    ]
    return render_template(
        "participation/languages.html",
        rows=rows,
        consultations=localise_consultations(consultations, g.lang),
    )


def _open(read: Callable[[], PageT]) -> PageT:
    """What a page reads of an open consultation; 404 when there is none, 410 once it is closed."""
    try:
        page = read()
    except participation.ConsultationNotFound:
        abort(404)
    except participation.ConsultationClosed as closed:
        if db.session.new:  # its closing date had passed: the status change it recorded is kept
            db.session.commit()
        g.closed_consultation = closed.consultation
        abort(410)
    offer_languages_of(page.consultation)
    return page


def _journey_page(slug: str) -> participation.JourneyPage:
    """The consultation, this browser's draft in it and the count: one statement."""
    return _open(lambda: participation.journey_page(slug, session_state.draft_token(slug)))


@bp.route("/c/<slug>/", methods=["GET", "POST"])
@resend_on_csrf_failure("carry_text")
def intro(slug: str) -> Page:
    page = _journey_page(slug)
    consultation, draft, total = page.consultation, page.draft, page.total
    form = ConsentForm()
    if form.validate_on_submit():
        stopped = spam.trapped("consent")
        if stopped == spam.HONEYPOT:  # what a person would see next; nothing stored
            return redirect(url_for(".question", slug=slug, position=1))
        if stopped == spam.TOO_FAST:  # the same page, nothing lost: a person presses again
            return _render_intro(
                consultation, form, draft, total, session_ended=_carries_answer(form)
            )
        existing = draft
        on_failure(
            lambda: _render_intro(
                consultation, form, existing, total, session_ended=_carries_answer(form)
            )
        )
        agreed_again = False
        if draft is None:
            draft = participation.start_draft(
                consultation, g.lang, draft_lifetime(current_app.config)
            )
        elif _consent_changed(consultation, draft):
            participation.agree_again(draft)
            agreed_again = True
        token = draft.draft_token or ""
        next_position = _save_carried_answer(consultation, draft, form)
        db.session.commit()
        if agreed_again:
            return redirect(url_for(".review", slug=slug))
        if existing is None:
            # A new journey: a receipt code not shown by now belongs to the person before.
            session_state.forget_receipts()
            session_state.remember_draft(slug, token)
        return redirect(url_for(".question", slug=slug, position=next_position))
    status = 422 if form.is_submitted() else 200
    return _render_intro(
        consultation, form, draft, total, status, session_ended=_carries_answer(form)
    )


def _consent_changed(consultation: Consultation, draft: Submission | None) -> bool:
    """The draft was begun under consent text that has since changed materially."""
    return draft is not None and draft.consent_version < consultation.consent_version


def _carries_answer(form: ConsentForm) -> bool:
    """The consent form carries an answer typed when the session had ended (see
    `_session_ended`): the page keeps showing it until it is saved."""
    return bool(form.carry_text.data)


def _render_intro(
    consultation: Consultation,
    form: ConsentForm,
    draft: Submission | None,
    total: int,
    status: int = 200,
    session_ended: bool = False,
) -> tuple[str, int]:
    return (
        render_template(
            "participation/intro.html",
            consultation=localise_consultation(consultation, g.lang),
            total=total,
            form=form,
            has_draft=draft is not None,
            consent_changed=_consent_changed(consultation, draft),
            session_ended=session_ended,
            shared_phone=session_state.holds_anything(),
        ),
        status,
    )


def _save_carried_answer(consultation: Consultation, draft: Submission, form: ConsentForm) -> int:
    """Save an answer carried over from an ended session; return the question to continue at."""
    position = whole_number(form.carry_position.data)
    found = None if position is None else localise_recommendation_at(consultation, position, g.lang)
    if found is None:
        return 1
    item, total = found
    stance = form.carry_stance.data if form.carry_stance.data in Stance.offered() else None
    participation.save_answer(draft, item.recommendation, stance, form.carry_text.data, g.lang)
    participation.renew_draft(draft, draft_lifetime(current_app.config))
    return min(item.recommendation.position + 1, total)


# --- one page per recommendation ---------------------------------------------------------------


@bp.route("/c/<slug>/q/<int:position>", methods=["GET", "POST"])
@resend_on_csrf_failure("text")
def question(slug: str, position: int) -> Page:
    # One statement: the consultation, the draft, only the recommendation this page shows with
    # its text in this language (or the source language), the count and the draft's answer.
    token = session_state.draft_token(slug)
    page = _open(lambda: participation.question_page(slug, position, token, g.lang))
    if page.item is None:
        abort(404)
    consultation, draft, item, total = page.consultation, page.draft, page.item, page.total
    recommendation = item.recommendation
    form = AnswerForm()
    # The consultation's own wording of the questions, else the translated default labels.
    if page.question:
        form.stance.label.text = page.question
    if page.question_why:
        form.text.label.text = page.question_why
    if request.method == "POST":
        if draft is None:
            return _session_ended(consultation, position, form, total)
        if form.validate():
            on_failure(lambda: _render_question(consultation, item, total, form))
            participation.save_answer(
                draft, recommendation, form.stance.data, form.text.data, g.lang
            )
            participation.renew_draft(draft, draft_lifetime(current_app.config))
            db.session.commit()
            return redirect(_after_question(slug, position, total))
        return _render_question(consultation, item, total, form, 422)
    if draft is None:
        return redirect(url_for(".intro", slug=slug))
    existing = page.answer
    if existing is not None:
        form.stance.data = existing.stance if existing.stance != "skipped" else None
        form.text.data = existing.text or ""
    return _render_question(consultation, item, total, form)


def _after_question(slug: str, position: int, total: int) -> str:
    # From the slug in the address, not the consultation: the commit has expired the object, and
    # reading it again would cost a query.
    action = request.form.get("action", "next")
    if action == "back":
        if position > 1:
            return url_for(".question", slug=slug, position=position - 1)
        return url_for(".intro", slug=slug)
    if action == "review" or request.args.get("from") == "review":
        return url_for(".review", slug=slug)
    if position < total:
        return url_for(".question", slug=slug, position=position + 1)
    return url_for(".about", slug=slug)


def _render_question(
    consultation: Consultation,
    item: LocalisedRecommendation,
    total: int,
    form: AnswerForm,
    status: int = 200,
) -> tuple[str, int]:
    return (
        render_template(
            "participation/question.html",
            consultation=localise_consultation(consultation, g.lang),
            item=item,
            position=item.recommendation.position,
            total=total,
            form=form,
            from_review=request.args.get("from") == "review",
            max_chars=current_app.config["CONSULT_FREE_TEXT_MAX_CHARS"],
        ),
        status,
    )


def _session_ended(
    consultation: Consultation, position: int, answer: AnswerForm, total: int
) -> Page:
    """The draft is gone (cookie lost or expired): ask for consent again, keeping what was typed."""
    form = ConsentForm(formdata=None)
    form.carry_position.data = str(position)
    form.carry_stance.data = answer.stance.data or ""
    form.carry_text.data = answer.text.data or ""
    return _render_intro(consultation, form, None, total, status=409, session_ended=True)


# --- about you, review, submit -----------------------------------------------------------------


@bp.route("/c/<slug>/about", methods=["GET", "POST"])
@resend_on_csrf_failure()
def about(slug: str) -> Page:
    page = _journey_page(slug)
    consultation, draft = page.consultation, page.draft
    if draft is None:
        return redirect(url_for(".intro", slug=slug))
    form = ProfileForm()
    if request.method == "POST":
        if form.validate():
            if request.form.get("action") != "skip":
                on_failure(lambda: _render_about(consultation, form))
                participation.save_profile(
                    draft,
                    stage=form.stage.data,
                    age_band=form.age_band.data,
                    groups=form.groups.data or [],
                    groups_declined=form.groups_declined.data,
                )
                participation.renew_draft(draft, draft_lifetime(current_app.config))
                db.session.commit()
            if request.form.get("action") == "back":
                return redirect(url_for(".question", slug=slug, position=page.total))
            return redirect(url_for(".review", slug=slug))
        status = 422
    else:
        status = 200
        form.stage.data = draft.stage
        form.age_band.data = draft.age_band
        form.groups.data = draft.group_names
        form.groups_declined.data = draft.groups_declined
    return _render_about(consultation, form, status)


def _render_about(
    consultation: Consultation, form: ProfileForm, status: int = 200
) -> tuple[str, int]:
    return (
        render_template(
            "participation/about.html",
            consultation=localise_consultation(consultation, g.lang),
            form=form,
        ),
        status,
    )


@bp.route("/c/<slug>/review", methods=["GET", "POST"])
@resend_on_csrf_failure()
def review(slug: str) -> Page:
    page = _journey_page(slug)
    consultation, draft = page.consultation, page.draft
    if draft is None:
        if request.method == "POST":
            # The second press of a double click, arriving after the first one sent the draft:
            # the same code, not a page without it.
            token = session_state.draft_token(slug)
            code = participation.receipt_of_sent_draft(consultation, token, _secret_key())
            if code is not None:
                return _sent(slug, code)
        return redirect(url_for(".intro", slug=slug))
    form = SubmitForm()
    status = 200
    empty = False
    if form.validate_on_submit():
        stopped = spam.trapped("send")
        if stopped == spam.HONEYPOT:  # a script's draft: gone, and a reply that looks like success
            participation.discard_drafts([draft.draft_token or ""])
            db.session.commit()
            session_state.forget_draft(slug)
            return redirect(url_for(".thanks", slug=slug))
        if stopped == spam.TOO_FAST:
            return _render_review(consultation, draft, form)
        on_failure(lambda: _render_review(consultation, draft, form))
        try:
            code = participation.submit(draft, _secret_key())
        except participation.EmptySubmission:
            empty, status = True, 422
        except participation.ConsentOutdated:
            flash(_("What you agree to has changed. Please read it and agree again to send."))
            return redirect(url_for(".intro", slug=slug))
        except participation.AlreadySubmitted:
            # Sent by another request under a code this one cannot know: the thank-you page
            # says that the code was shown (on the other page).
            session_state.forget_draft(slug)
            session_state.mark_receipt_shown(slug)
            return redirect(url_for(".thanks", slug=slug))
        else:
            db.session.commit()
            return _sent(slug, code)
    return _render_review(consultation, draft, form, status, empty)


def _secret_key() -> str:
    return current_app.config["SECRET_KEY"]


def _sent(slug: str, code: str) -> HTTPResponse:
    session_state.forget_draft(slug)
    session_state.remember_receipt(slug, code)
    return redirect(url_for(".thanks", slug=slug))


def _render_review(
    consultation: Consultation,
    draft: Submission,
    form: SubmitForm,
    status: int = 200,
    empty: bool = False,
) -> tuple[str, int]:
    answers = {r.recommendation_id: r for r in draft.responses}
    return (
        render_template(
            "participation/review.html",
            consultation=localise_consultation(consultation, g.lang),
            items=localise_recommendations(consultation, g.lang),
            answers=answers,
            draft=draft,
            form=form,
            empty=empty,
        ),
        status,
    )


@bp.get("/c/<slug>/thanks")
def thanks(slug: str) -> Page:
    try:
        consultation = participation.get_consultation(slug)
    except participation.ConsultationNotFound:
        abort(404)
    code = session_state.receipt_to_show(slug)
    if code is None and not session_state.receipt_was_shown(slug):
        return redirect(url_for(".intro", slug=slug))
    page = render_template(
        "participation/thanks.html",
        consultation=localise_consultation(consultation, g.lang),
        receipt=format_receipt_code(code) if code else None,
    )
    # Shown once: a reload, or the next person on a shared phone, no longer gets the code.
    session_state.mark_receipt_shown(slug)
    return page


@bp.post("/start-again")
def start_again() -> HTTPResponse:
    """ "Start again as a new person" on a shared phone: the drafts this browser holds are deleted
    (no one could reach them again) and its session is emptied, receipt codes and form token
    included."""
    form = StartAgainForm()
    participation.discard_drafts(session_state.draft_tokens())
    db.session.commit()
    session_state.forget_everything()
    flash(_("This phone no longer holds anyone's answers or receipt code."))
    if form.slug.data:
        return redirect(url_for(".intro", slug=form.slug.data))
    return redirect(url_for(".home"))


# --- receipt: check, see the outcome, delete ---------------------------------------------------


def _receipt_code_asked() -> str:
    """The receipt code a request is about (in its form), for the per-code rate limit."""
    raw = request.form.get("code", "")
    return normalise_receipt_code(raw) or raw.strip().upper()


# Receipt look-ups and deletions: a tight limit per code and a loose one per client address (many
# people can share one address); see docs/decisions.md, "Security fixes (issue 8)".
@bp.route("/r/", methods=["GET", "POST"])
@rate_limited("CONSULT_RECEIPT_RATE_LIMIT", methods=["POST"], per=_receipt_code_asked)
@rate_limited("CONSULT_RECEIPT_ADDRESS_RATE_LIMIT", methods=["POST"])
def receipt_lookup() -> Page:
    """The code comes in the form's body and the answers in the reply to it: no address, and so no
    entry in the browser's history (the next person's, on a shared phone), ever holds the code.

    Not opted in to "send again" after a failed security token: that page would write the code
    back into the page for whoever sends the form again from the browser's history.
    """
    form = ReceiptForm()
    if form.validate_on_submit():
        code = normalise_receipt_code(form.code.data)
        if code is not None:
            on_failure(lambda: _render_lookup(form))
            submission = participation.find_by_receipt(code)
            if submission is None:
                return _receipt_not_found(form.code.data)
            return _render_receipt(submission, code)
        form.code.errors.append(
            _("This does not look like a receipt code. It has 12 letters and numbers.")
        )
    return _render_lookup(form, 422 if form.is_submitted() else 200)


def _render_lookup(form: ReceiptForm, status: int = 200) -> tuple[str, int]:
    return render_template("participation/receipt_lookup.html", form=form), status


def _receipt_not_found(code: str) -> tuple[str, int]:
    form = ReceiptForm(formdata=None, code=code)
    return render_template("participation/receipt_lookup.html", form=form, not_found=True), 404


def _render_receipt(
    submission: Submission, code: str, status: int = 200, refused: DeleteForm | None = None
) -> tuple[str, int]:
    """The answers of the submission with this code, and the form that deletes them.

    The page shows someone's answers in reply to a form: the session's form token is renewed
    first, so that the form this page came from, sent again from the browser's Back or Forward
    button, is refused instead of showing the answers to whoever holds the phone by then.
    """
    session_state.renew_form_token()
    delete_form = DeleteForm(formdata=None, code=format_receipt_code(code))
    if refused is not None:
        delete_form.confirm.errors = list(refused.confirm.errors)
    consultation = submission.consultation
    # With the recommendations hidden since they answered: the answers are still theirs.
    items = localise_recommendations(consultation, g.lang, include_hidden=True)
    answers = {r.recommendation_id: r for r in submission.responses}
    return (
        render_template(
            "participation/receipt.html",
            submission=submission,
            consultation=localise_consultation(consultation, g.lang),
            items=items,
            answers=answers,
            delete_form=delete_form,
        ),
        status,
    )


@bp.post("/r/delete")
@rate_limited("CONSULT_RECEIPT_RATE_LIMIT", per=_receipt_code_asked)
@rate_limited("CONSULT_RECEIPT_ADDRESS_RATE_LIMIT")
def delete() -> Page:
    """Delete with the code in the form's body (a hidden field of the receipt page) and the box
    ticked. Not opted in to "send again", for the same reason as the look-up."""
    form = DeleteForm()
    code = normalise_receipt_code(form.code.data or "")
    submission = participation.find_by_receipt(code) if code else None
    if code is None or submission is None:
        return _receipt_not_found(form.code.data or "")
    if not form.validate_on_submit():
        return _render_receipt(submission, code, 422, refused=form)
    on_failure(lambda: _render_receipt(submission, code))
    participation.delete_submission(submission)
    db.session.commit()
    scrub_deleted_rows()
    return redirect(url_for(".deleted"))


@bp.get("/r/deleted")
def deleted() -> Page:
    return render_template("participation/deleted.html")
