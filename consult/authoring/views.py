"""Organisers' pages under /staff/c/: the consultations list, creating one, its settings, its
source text, its recommendations and its status. Views parse, call operations, commit once."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response as HTTPResponse

from consult.authoring import lifecycle, queries
from consult.authoring import operations as authoring
from consult.authoring.forms import (
    ButtonForm,
    CreateForm,
    RecommendationForm,
    SettingsForm,
    StatusForm,
    TextsForm,
)
from consult.core.errors import resend_on_csrf_failure
from consult.core.extensions import db
from consult.core.routing import whole_number
from consult.i18n.languages import supported_languages
from consult.models import Consultation, Recommendation, RecommendationVersion, Response
from consult.staff.access import requires_roles

bp = Blueprint("authoring", __name__)
ORGANISERS = ("organiser", "admin")


@bp.app_template_global()
def results_url(slug: str, lang: str) -> str | None:
    """The public results page of a published consultation (consult.outcomes), for the closed
    page; None while that page does not exist in this app."""
    try:
        return url_for("results.consultation_results", lang=lang, slug=slug)
    except BuildError:
        return None


Page = str | tuple[str, int] | HTTPResponse


def _consultation_or_404(slug: str) -> Consultation:
    consultation = queries.consultation_by_slug(slug)
    if consultation is None:
        abort(404)
    if lifecycle.close_if_expired(consultation):
        db.session.commit()
    return consultation


def _revision(form: Any) -> int:
    return whole_number(form.revision.data) or 0


def _apply_errors(form: Any, errors: dict[str, list[Any]]) -> None:
    for name, messages in errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = list(field.errors or []) + [str(m) for m in messages]
        else:
            form.form_errors.append(" ".join(str(m) for m in messages))


def _settings_from(form: SettingsForm) -> authoring.Settings:
    return authoring.Settings(
        source_language=form.source_language.data or "",
        working_languages=list(form.working_languages.data or []),
        interface_languages=list(form.interface_languages.data or []),
        opens_on=form.opens_on.data,
        closes_on=form.closes_on.data,
        retention_days=form.retention_days.data or 0,
        small_group_threshold=form.small_group_threshold.data or 0,
    )


@bp.app_template_global()
def version_read(response: Response) -> RecommendationVersion | None:
    """The archived text an answer was given to, when the recommendation's meaning has changed
    since (None: the participant read the current text)."""
    version = response.recommendation_version
    recommendation = response.recommendation
    if version is None or version == recommendation.text_version:
        return None
    return queries.version_text(
        recommendation.id,
        version,
        response.text_language or response.submission.language,
        recommendation.consultation.source_language,
    )


# --- list and creation ---------------------------------------------------------------------------


@bp.get("/c/")
@requires_roles(*ORGANISERS)
def consultation_list() -> Page:
    if lifecycle.close_expired():
        db.session.commit()
    return render_template("authoring/list.html", rows=queries.consultation_rows())


@bp.route("/c/new", methods=["GET", "POST"])
@resend_on_csrf_failure("title")
@requires_roles(*ORGANISERS)
def create() -> Page:
    form = CreateForm()
    if request.method == "GET":
        form.source_language.data = "en" if "en" in supported_languages() else None
        form.interface_languages.data = [form.source_language.data or ""]
        return render_template("authoring/new.html", form=form)
    if form.validate():
        try:
            consultation = authoring.create_consultation(
                current_user,
                (form.slug.data or "").strip(),
                form.title.data or "",
                _settings_from(form),
                supported_languages(),
            )
        except authoring.InvalidInput as invalid:
            db.session.rollback()
            _apply_errors(form, invalid.errors)
        else:
            db.session.commit()
            flash(_("Consultation created as a draft."))
            return redirect(url_for(".texts", slug=consultation.slug))
    return render_template("authoring/new.html", form=form), 422


# --- settings and texts --------------------------------------------------------------------------


@bp.route("/c/<slug>/settings", methods=["GET", "POST"])
@resend_on_csrf_failure()
@requires_roles(*ORGANISERS)
def settings(slug: str) -> Page:
    consultation = _consultation_or_404(slug)
    if request.method == "GET":
        form = SettingsForm(obj=consultation)
        form.revision.data = str(consultation.revision)
        return _render_settings(consultation, form)
    form = SettingsForm()
    status = 422
    conflict = None
    if form.validate():
        try:
            authoring.update_settings(
                current_user,
                consultation,
                _revision(form),
                _settings_from(form),
                supported_languages(),
            )
        except authoring.InvalidInput as invalid:
            db.session.rollback()
            _apply_errors(form, invalid.errors)
        except authoring.EditConflict:
            db.session.rollback()
            conflict, status = _stored_settings(slug), 409
            form.revision.data = str(conflict.revision)
        else:
            db.session.commit()
            flash(_("Settings saved."))
            return redirect(url_for(".settings", slug=slug))
    return _render_settings(consultation, form, status, conflict)


def _stored_settings(slug: str) -> Consultation:
    stored = queries.consultation_by_slug(slug)
    if stored is None:
        abort(404)
    return stored


def _render_settings(
    consultation: Consultation,
    form: SettingsForm,
    status: int = 200,
    conflict: Consultation | None = None,
) -> tuple[str, int]:
    return (
        render_template(
            "authoring/settings.html", consultation=consultation, form=form, conflict=conflict
        ),
        status,
    )


@bp.route("/c/<slug>/texts", methods=["GET", "POST"])
@resend_on_csrf_failure("title", "summary", "introduction", "consent", "question", "question_why")
@requires_roles(*ORGANISERS)
def texts(slug: str) -> Page:
    consultation = _consultation_or_404(slug)
    stored = authoring.source_text(consultation)
    if request.method == "GET":
        form = TextsForm(obj=stored)
        form.revision.data = str(stored.revision if stored else 0)
        form.consent_changed.data = False
        return _render_texts(consultation, form)
    form = TextsForm()
    status = 422
    conflict = None
    if form.validate():
        values = {name: form[name].data or "" for name in authoring.TEXT_FIELDS}
        try:
            authoring.update_texts(
                current_user,
                consultation,
                _revision(form),
                values,
                consent_changes_agreement=form.consent_changed.data,
            )
        except authoring.InvalidInput as invalid:
            db.session.rollback()
            _apply_errors(form, invalid.errors)
        except authoring.EditConflict as error:
            db.session.rollback()
            conflict, status = error.current, 409
            db.session.refresh(conflict)
            form.revision.data = str(conflict.revision)
        else:
            db.session.commit()
            flash(_("Texts saved."))
            return redirect(url_for(".texts", slug=slug))
    return _render_texts(consultation, form, status, conflict)


def _render_texts(
    consultation: Consultation, form: TextsForm, status: int = 200, conflict: Any = None
) -> tuple[str, int]:
    return (
        render_template(
            "authoring/texts.html",
            consultation=consultation,
            form=form,
            conflict=conflict,
            fields=authoring.TEXT_FIELDS,
        ),
        status,
    )


# --- recommendations -----------------------------------------------------------------------------


@bp.route("/c/<slug>/recommendations", methods=["GET", "POST"])
@resend_on_csrf_failure("title", "explanation", "section")
@requires_roles(*ORGANISERS)
def recommendations(slug: str) -> Page:
    consultation = _consultation_or_404(slug)
    form = RecommendationForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            try:
                authoring.add_recommendation(
                    current_user,
                    consultation,
                    form.title.data or "",
                    form.explanation.data or "",
                    form.section.data or "",
                    form.stage.data or "",
                )
            except authoring.InvalidInput as invalid:
                db.session.rollback()
                _apply_errors(form, invalid.errors)
            else:
                db.session.commit()
                flash(_("Recommendation added."))
                return redirect(url_for(".recommendations", slug=slug))
    return _render_recommendations(consultation, form, status)


def _render_recommendations(
    consultation: Consultation,
    form: RecommendationForm,
    status: int = 200,
    refused: str | None = None,
) -> tuple[str, int]:
    return (
        render_template(
            "authoring/recommendations.html",
            consultation=consultation,
            form=form,
            buttons=ButtonForm(),
            counts=queries.answer_counts(consultation),
            source_text=authoring.recommendation_source_text,
            refused=refused,
        ),
        status,
    )


def _recommendation_or_404(consultation: Consultation, rid: int) -> Recommendation:
    for recommendation in consultation.recommendations:
        if recommendation.id == rid:
            return recommendation
    abort(404)


@bp.route("/c/<slug>/recommendations/<int:rid>", methods=["GET", "POST"])
@resend_on_csrf_failure("title", "explanation", "section")
@requires_roles(*ORGANISERS)
def edit_recommendation(slug: str, rid: int) -> Page:
    consultation = _consultation_or_404(slug)
    recommendation = _recommendation_or_404(consultation, rid)
    text = authoring.recommendation_source_text(recommendation)
    if request.method == "GET":
        form = RecommendationForm(obj=recommendation)
        form.title.data = text.title if text else ""
        form.explanation.data = text.explanation if text else ""
        form.revision.data = str(recommendation.revision)
        return _render_recommendation(consultation, recommendation, form)
    form = RecommendationForm()
    status = 422
    conflict = None
    if form.validate():
        try:
            authoring.edit_recommendation(
                current_user,
                recommendation,
                _revision(form),
                form.title.data or "",
                form.explanation.data or "",
                form.section.data or "",
                form.stage.data or "",
                meaning_changed=form.meaning_changed.data,
            )
        except authoring.InvalidInput as invalid:
            db.session.rollback()
            _apply_errors(form, invalid.errors)
        except authoring.EditConflict:
            db.session.rollback()
            db.session.refresh(recommendation)
            conflict, status = recommendation, 409
            form.revision.data = str(recommendation.revision)
        else:
            db.session.commit()
            flash(_("Recommendation saved."))
            return redirect(url_for(".recommendations", slug=slug))
    return _render_recommendation(consultation, recommendation, form, status, conflict)


def _render_recommendation(
    consultation: Consultation,
    recommendation: Recommendation,
    form: RecommendationForm,
    status: int = 200,
    conflict: Recommendation | None = None,
) -> tuple[str, int]:
    return (
        render_template(
            "authoring/recommendation.html",
            consultation=consultation,
            recommendation=recommendation,
            form=form,
            conflict=conflict,
            conflict_text=authoring.recommendation_source_text(conflict) if conflict else None,
            answers=authoring.answer_count(recommendation),
        ),
        status,
    )


@bp.post("/c/<slug>/recommendations/<int:rid>/change")
@requires_roles(*ORGANISERS)
def change_recommendation(slug: str, rid: int) -> Page:
    """The list's buttons: up, down, hide, show, delete."""
    consultation = _consultation_or_404(slug)
    recommendation = _recommendation_or_404(consultation, rid)
    if not ButtonForm().validate_on_submit():
        abort(400)
    action = request.form.get("action")
    if action in ("up", "down"):
        authoring.move_recommendation(current_user, recommendation, -1 if action == "up" else 1)
    elif action == "hide":
        authoring.hide_recommendation(current_user, recommendation)
        flash(_("Recommendation hidden: participants no longer see it; its answers are kept."))
    elif action == "show":
        authoring.show_recommendation(current_user, recommendation)
        flash(_("Recommendation shown again, at the end."))
    elif action == "delete":
        try:
            authoring.delete_recommendation(current_user, recommendation)
        except authoring.HasAnswers:
            db.session.rollback()
            refused = _("This recommendation has answers: it cannot be deleted. Hide it instead.")
            return _render_recommendations(
                consultation, RecommendationForm(formdata=None), 409, refused
            )
        flash(_("Recommendation deleted."))
    else:
        abort(400)
    db.session.commit()
    return redirect(url_for(".recommendations", slug=slug))


# --- status --------------------------------------------------------------------------------------


@bp.route("/c/<slug>/status", methods=["GET", "POST"])
@requires_roles(*ORGANISERS)
def status(slug: str) -> Page:
    consultation = _consultation_or_404(slug)
    form = StatusForm()
    problems: list[Any] = []
    code = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        action = request.form.get("action")
        try:
            if action == "open":
                lifecycle.open_consultation(current_user, consultation)
                message = _("The consultation is open: participants can answer.")
            elif action == "close":
                lifecycle.close_consultation(current_user, consultation)
                message = _("The consultation is closed: it takes no more answers.")
            else:
                abort(400)
        except lifecycle.NotReady as not_ready:
            db.session.rollback()
            problems, code = not_ready.problems, 409
        else:
            db.session.commit()
            flash(message)
            return redirect(url_for(".status", slug=slug))
    elif consultation.status == "draft":
        problems = lifecycle.opening_problems(consultation)
    return (
        render_template(
            "authoring/status.html", consultation=consultation, form=form, problems=problems
        ),
        code,
    )
