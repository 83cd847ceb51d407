"""Staff pages of a consultation's outcome: exports, writing the outcome, its translations,
publishing. Organisers and admins; the export with the original texts is for admins only.

Downloads are POSTed forms: an export is a recorded staff action, so it is never made by a link
that a browser could prefetch or another site could embed, and the form token shows it was pressed
here.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response as HTTPResponse

from consult.core.errors import resend_on_csrf_failure
from consult.core.extensions import db
from consult.core.timeutil import today
from consult.i18n.formatting import local_datetime
from consult.models import Consultation, ExportFile, ExportFileStatus, Recommendation
from consult.outcomes import export_files, exports, operations, queries
from consult.outcomes.export_rows import count_answers
from consult.outcomes.forms import ActionForm, ConsultationOutcomeForm, OutcomeForm
from consult.outcomes.translation import outcome_languages, queue_outcome_drafts
from consult.staff.access import requires_roles
from consult.vocab import ConsultationStatus

bp = Blueprint("outcomes", __name__)
ORGANISERS = ("organiser", "admin")
TRANSLATORS = ("organiser", "admin", "translator")

Page = str | tuple[str, int] | HTTPResponse


def _consultation(slug: str) -> Consultation:
    consultation = queries.consultation_by_slug(slug)
    if consultation is None:
        abort(404)
    return consultation


# --- exports ------------------------------------------------------------------------------------


@bp.get("/c/<slug>/export")
@requires_roles(*ORGANISERS)
def export_page(slug: str) -> Page:
    consultation = _consultation(slug)
    if export_files.expire_export_files(current_app.instance_path):
        db.session.commit()
    files = export_files.files_of(current_user, consultation)
    return render_template(
        "outcomes/export.html",
        consultation=consultation,
        answers=count_answers(consultation),
        form=ActionForm(),
        formats=exports.FORMATS,
        spec=exports.ExportSpec(consultation, full=False, on=today()),
        full_spec=exports.ExportSpec(consultation, full=True, on=today()),
        files=files,
        in_progress=any(
            f.status in (ExportFileStatus.QUEUED, ExportFileStatus.BUILDING) for f in files
        ),
        job_threshold=export_files.job_threshold(current_app.config),
        background_formats=export_files.BACKGROUND_FORMATS,
        format_datetime=local_datetime,
        statuses=ExportFileStatus,
    )


def _download(slug: str, fmt: str, full: bool) -> HTTPResponse:
    consultation = _consultation(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    spec = exports.ExportSpec(consultation, full=full, on=today())
    answers = count_answers(consultation)
    if export_files.builds_in_background(fmt, answers, current_app.config):
        file = export_files.request_export_file(current_user, consultation, fmt, full=full)
        operations.record_export(
            current_user, consultation, fmt, full=full, answers=answers, file_id=file.id
        )
        db.session.commit()  # the job is queued by this commit
        flash(
            _(
                "The file is being prepared. It will be listed below with a download button "
                "when it is ready; refresh this page to see its progress."
            )
        )
        return redirect(url_for(".export_page", slug=slug) + "#files", 303)
    operations.record_export(current_user, consultation, fmt, full=full, answers=answers)
    db.session.commit()  # on the record before a byte leaves
    headers = _attachment(spec.filename(fmt))
    if fmt == "xlsx":
        body = exports.file_chunks(export_files.write_answers_xlsx(spec))
    elif fmt == "csv":
        body = stream_with_context(exports.csv_chunks(spec))
    else:
        body = stream_with_context(exports.json_chunks(spec))
    return Response(body, mimetype=exports.MEDIA_TYPES[fmt], headers=headers)


def _attachment(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }


@bp.post("/c/<slug>/export/files/<int:file_id>")
@requires_roles(*ORGANISERS)
def download_export_file(slug: str, file_id: int) -> HTTPResponse:
    """A file built in the background: only by the person who asked for it, and one with the
    original texts only while that person is an admin."""
    consultation = _consultation(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    file = db.session.get(ExportFile, file_id)
    if file is None or file.consultation_id != consultation.id:
        abort(404)
    if file.full and not current_user.has_role("admin"):
        abort(403)
    if file.requested_by_id != current_user.id:
        abort(404)
    opened = export_files.open_ready_file(file, current_app.instance_path)
    if opened is None:
        abort(404)
    export_files.record_file_download(current_user, file)
    db.session.commit()  # on the record before a byte leaves
    return Response(
        exports.file_chunks(opened),
        mimetype=exports.MEDIA_TYPES[file.format],
        headers=_attachment(file.filename),
    )


def _export_view(fmt: str, full: bool):
    def view(slug: str) -> HTTPResponse:
        return _download(slug, fmt, full)

    return view


for _fmt in exports.FORMATS:
    bp.add_url_rule(
        f"/c/<slug>/export/answers.{_fmt}",
        f"export_answers_{_fmt}",
        requires_roles(*ORGANISERS)(_export_view(_fmt, full=False)),
        methods=["POST"],
    )
    bp.add_url_rule(
        f"/c/<slug>/export/answers-with-originals.{_fmt}",
        f"export_originals_{_fmt}",
        requires_roles("admin")(_export_view(_fmt, full=True)),
        methods=["POST"],
    )


# --- writing the outcome ------------------------------------------------------------------------


def _identify(form: OutcomeForm, recommendation: Recommendation) -> OutcomeForm:
    """Ids of its own for each recommendation's boxes (several forms on one page), so that labels
    and the error summary's links find them."""
    form.heard.id = f"heard-{recommendation.position}"
    form.will_do.id = f"will-do-{recommendation.position}"
    return form


def _outcome_forms(consultation: Consultation) -> dict[int, OutcomeForm]:
    """A form per visible recommendation, filled with its source-language outcome."""
    rows = queries.outcomes_in(consultation, {consultation.source_language})
    forms = {}
    for recommendation in operations.visible_recommendations(consultation):
        found = rows.get(recommendation.id, [])
        form = OutcomeForm(formdata=None, recommendation=recommendation.key)
        if found:
            form.heard.data, form.will_do.data = found[0].heard, found[0].will_do
        forms[recommendation.id] = _identify(form, recommendation)
    return forms


def _render_outcome(
    consultation: Consultation,
    forms: dict[int, OutcomeForm] | None = None,
    overall: ConsultationOutcomeForm | None = None,
    status: int = 200,
    problems: list | None = None,
) -> tuple[str, int]:
    forms = forms or _outcome_forms(consultation)
    if overall is None:
        text = operations.source_consultation_text(consultation)
        overall = ConsultationOutcomeForm(formdata=None, outcome=text.outcome if text else "")
    return (
        render_template(
            "outcomes/outcome.html",
            consultation=consultation,
            recommendations=operations.visible_recommendations(consultation),
            titles={
                r.id: queries.source_title(r, consultation.source_language)
                for r in consultation.recommendations
            },
            forms=forms,
            overall=overall,
            action_form=ActionForm(),
            problems=problems if problems is not None else [],
            publishing_problems=operations.publishing_problems(consultation),
            languages=outcome_languages(consultation)[1:],
            status=ConsultationStatus,
        ),
        status,
    )


@bp.route("/c/<slug>/outcome", methods=["GET", "POST"])
@resend_on_csrf_failure("heard", "will_do", "outcome")
@requires_roles(*ORGANISERS)
def outcome_page(slug: str) -> Page:
    consultation = _consultation(slug)
    if request.method == "GET":
        return _render_outcome(consultation)
    if "outcome" in request.form:
        overall = ConsultationOutcomeForm()
        if not overall.validate():
            return _render_outcome(consultation, overall=overall, status=422)
        try:
            operations.save_consultation_outcome(current_user, consultation, overall.outcome.data)
        except LookupError:
            abort(409)
        db.session.commit()
        flash(_("The outcome of the consultation as a whole is saved."))
        return redirect(url_for(".outcome_page", slug=slug) + "#overall")
    form = OutcomeForm()
    recommendation = next(
        (
            r
            for r in operations.visible_recommendations(consultation)
            if r.key == form.recommendation.data
        ),
        None,
    )
    if recommendation is None:
        abort(404)
    if not form.validate():
        forms = _outcome_forms(consultation)
        forms[recommendation.id] = _identify(form, recommendation)
        return _render_outcome(consultation, forms=forms, status=422)
    operations.save_outcome(current_user, recommendation, form.heard.data, form.will_do.data)
    db.session.commit()
    flash(
        _("The outcome of recommendation %(position)s is saved.", position=recommendation.position)
    )
    return redirect(url_for(".outcome_page", slug=slug) + f"#rec-{recommendation.position}")


@bp.post("/c/<slug>/outcome/drafts")
@resend_on_csrf_failure()
@requires_roles(*ORGANISERS)
def request_drafts(slug: str) -> Page:
    consultation = _consultation(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    languages = queue_outcome_drafts(consultation)
    if languages:
        operations.record_drafts_requested(current_user, consultation, languages)
    db.session.commit()
    if languages:
        flash(
            ngettext(
                "Machine translations are being drafted in %(num)s language. "
                "They are shown to participants once a person has reviewed them.",
                "Machine translations are being drafted in %(num)s languages. "
                "They are shown to participants once a person has reviewed them.",
                len(languages),
            )
        )
    else:
        flash(_("Machine translation is not available: translate the outcome by hand."))
    return redirect(url_for(".outcome_page", slug=slug))


# --- translations of the outcome ---------------------------------------------------------------


@bp.route("/c/<slug>/outcome/translations", methods=["GET", "POST"])
@resend_on_csrf_failure("heard", "will_do")
@requires_roles(*TRANSLATORS)
def outcome_translations(slug: str) -> Page:
    consultation = _consultation(slug)
    languages = outcome_languages(consultation)[1:]
    language = request.args.get("language") or (languages[0] if languages else None)
    if language not in languages:
        abort(404)
    recommendations = operations.visible_recommendations(consultation)
    rows = queries.outcomes_in(consultation, {consultation.source_language, language})
    forms = {}
    status = 200
    posted = OutcomeForm() if request.method == "POST" else None
    for recommendation in recommendations:
        found = {row.language: row for row in rows.get(recommendation.id, [])}
        target = found.get(language)
        form = OutcomeForm(formdata=None, recommendation=recommendation.key)
        if target is not None:
            form.heard.data, form.will_do.data = target.heard, target.will_do
        forms[recommendation.id] = _identify(form, recommendation)
    if posted is not None:
        recommendation = next(
            (r for r in recommendations if r.key == posted.recommendation.data), None
        )
        if recommendation is None:
            abort(404)
        if posted.validate():
            operations.save_outcome_translation(
                current_user, recommendation, language, posted.heard.data, posted.will_do.data
            )
            db.session.commit()
            flash(_("The translation is saved and marked as reviewed."))
            return redirect(
                url_for(".outcome_translations", slug=slug, language=language)
                + f"#rec-{recommendation.position}"
            )
        forms[recommendation.id] = _identify(posted, recommendation)
        status = 422
    sources = {}
    targets = {}
    for recommendation in recommendations:
        found = {row.language: row for row in rows.get(recommendation.id, [])}
        sources[recommendation.id] = found.get(consultation.source_language)
        targets[recommendation.id] = found.get(language)
    return (
        render_template(
            "outcomes/translations.html",
            consultation=consultation,
            language=language,
            languages=languages,
            recommendations=recommendations,
            titles={
                r.id: queries.source_title(r, consultation.source_language) for r in recommendations
            },
            sources=sources,
            targets=targets,
            forms=forms,
            stale_since=operations.stale_since,
        ),
        status,
    )


# --- publishing ---------------------------------------------------------------------------------


@bp.post("/c/<slug>/publish")
@resend_on_csrf_failure()
@requires_roles(*ORGANISERS)
def publish(slug: str) -> Page:
    consultation = _consultation(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        operations.publish(consultation, current_user)
    except operations.NotPublishable as refused:
        db.session.rollback()
        return _render_outcome(consultation, status=409, problems=refused.problems)
    db.session.commit()
    flash(_("The outcome is published. Participants can read it on the results page."))
    return redirect(url_for(".outcome_page", slug=slug))
