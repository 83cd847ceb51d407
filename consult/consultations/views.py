"""Organisers' content pages under /staff/c/: the language status grid, the side-by-side editor
with review marks, the drafts-shown languages, machine drafts, and import/export as one file.
The preview of the participant journey is in `consult.consultations.preview_views`.

Views parse, call the operations, commit once, render."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as HTTPResponse

from consult.consultations import languages as content
from consult.consultations import spreadsheet
from consult.consultations.document import (
    MAX_DOCUMENT_BYTES,
    DocumentTooLarge,
    InvalidDocument,
    load_document,
)
from consult.consultations.forms import (
    ButtonForm,
    ConsultationTranslationForm,
    DraftsShownForm,
    ImportForm,
    RecommendationTranslationForm,
)
from consult.consultations.interchange import apply_document, dump_json, dump_yaml, export_document
from consult.core.extensions import db
from consult.i18n.languages import language_info
from consult.models import Consultation, Recommendation
from consult.staff.access import requires_roles
from consult.vocab import ConsultationStatus

bp = Blueprint("content", __name__)
ORGANISERS = ("organiser", "admin")
UPLOAD_ENDPOINTS = ("content.import_consultation", "content.import_recommendations")
Page = str | tuple[str, int] | HTTPResponse


@bp.url_value_preprocessor
def allow_large_uploads(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """Import forms take files up to 10 MB (the site's limit for other forms is far lower). Set
    before any before-request hook reads the form (the CSRF check does)."""
    if endpoint and endpoint.endswith(UPLOAD_ENDPOINTS):
        request.max_content_length = MAX_DOCUMENT_BYTES + 64 * 1024


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    return _too_large_page()


def _too_large_page() -> tuple[str, int]:
    message = _("The file is larger than 10 MB. Nothing was imported.")
    # formdata=None: the body may be what is too large, and must not be read again.
    form = ImportForm(formdata=None)
    return render_template(
        "consultations/import.html", form=form, problems=[], message=message
    ), 413


def _consultation_or_404(slug: str) -> Consultation:
    consultation = db.session.scalar(db.select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        abort(404)
    return consultation


def _recommendation_or_404(consultation: Consultation, key: str) -> Recommendation:
    found = next((r for r in consultation.recommendations if r.key == key), None)
    if found is None:
        abort(404)
    return found


def _target_language(consultation: Consultation, lang: str) -> str:
    if lang not in content.content_languages(consultation):
        abort(404)
    return lang


# --- the grid ----------------------------------------------------------------------------------


@bp.get("/c/<slug>/languages")
@requires_roles(*ORGANISERS)
def languages(slug: str) -> Page:
    consultation = _consultation_or_404(slug)
    return _render_grid(consultation)


def _render_grid(
    consultation: Consultation, form: DraftsShownForm | None = None, status: int = 200
):
    codes = content.content_languages(consultation)
    if form is None:
        form = DraftsShownForm(formdata=None, languages=consultation.drafts_shown_languages or [])
    form.languages.choices = [
        (code, f"{language_info(code).endonym} ({code})")
        for code in codes
        if code != consultation.source_language
    ]
    provider = current_app.config.get("CONSULT_TRANSLATION_PROVIDER") or "manual"
    return (
        render_template(
            "consultations/languages.html",
            consultation=consultation,
            codes=codes,
            grid=content.status_grid(consultation, codes),
            labels=content.STATE_LABELS,
            form=form,
            button=ButtonForm(),
            machine_on=provider != "manual",
        ),
        status,
    )


@bp.post("/c/<slug>/languages/drafts")
@requires_roles(*ORGANISERS)
def drafts_shown(slug: str) -> Page:
    consultation = _consultation_or_404(slug)
    form = DraftsShownForm()
    codes = set(content.content_languages(consultation))
    if not form.validate_on_submit():
        return _render_grid(consultation, form, 422)
    chosen = form.languages.data or []
    unknown = [code for code in chosen if code not in codes]
    if unknown:
        form.languages.errors = [
            _("Not a language of this consultation: %(codes)s.", codes=", ".join(unknown))
        ]
        return _render_grid(consultation, form, 422)
    if content.set_drafts_shown(current_user, consultation, chosen):
        db.session.commit()
        flash(_("Saved: participants see drafts only in the languages ticked."))
    return redirect(url_for(".languages", slug=slug))


@bp.post("/c/<slug>/languages/<lang>/machine")
@requires_roles(*ORGANISERS)
def machine_drafts(slug: str, lang: str) -> Page:
    """Ask the translation provider for drafts of the texts missing in `lang` (in the background:
    a provider may take a while); the drafts arrive labelled and wait for review."""
    from consult.jobs import enqueue_after_commit
    from consult.translation.content import JOB

    consultation = _consultation_or_404(slug)
    lang = _target_language(consultation, lang)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if (current_app.config.get("CONSULT_TRANSLATION_PROVIDER") or "manual") == "manual":
        flash(_("Machine translation is off on this site."))
        return redirect(url_for(".languages", slug=slug))
    content.record_machine_request(current_user, consultation, lang)
    enqueue_after_commit(JOB, consultation.id, lang)
    db.session.commit()
    flash(
        _("Machine drafts were asked for. They appear here, marked as machine drafts, when ready.")
    )
    return redirect(url_for(".languages", slug=slug))


# --- the side-by-side editor -------------------------------------------------------------------


def _source_language_page(consultation: Consultation, target: str) -> str:
    """The source text is written on the authoring pages (consent bumps, text versions)."""
    return render_template(
        "consultations/source_language.html", consultation=consultation, target=target
    )


def _fill(form: Any, row: Any, fields: tuple[str, ...]) -> None:
    for name in fields:
        getattr(form, name).data = getattr(row, name) if row is not None else ""
    form.token.data = content.edit_token(row)


@bp.route("/c/<slug>/languages/<lang>/texts", methods=["GET", "POST"])
@requires_roles(*ORGANISERS)
def edit_texts(slug: str, lang: str) -> Page:
    consultation = _consultation_or_404(slug)
    lang = _target_language(consultation, lang)
    if lang == consultation.source_language:
        return _source_language_page(consultation, url_for("staff.authoring.texts", slug=slug))
    source = content.text_row(consultation, consultation.source_language)
    target = content.text_row(consultation, lang)
    form = ConsultationTranslationForm()
    sections = sorted((source.section_titles or {}) if source else {})
    if request.method == "GET":
        _fill(form, target, content.CONSULTATION_FIELDS)
        typed_sections = dict((target.section_titles or {}) if target else {})
    else:
        typed_sections = {key: request.form.get(f"section-{key}", "") for key in sections}
    conflict = None
    if form.validate_on_submit():
        if not (form.title.data or "").strip():
            form.title.errors = [_("Write the title in this language.")]
        else:
            values = {name: getattr(form, name).data for name in content.CONSULTATION_FIELDS}
            values["section_titles"] = typed_sections
            try:
                content.save_translation(
                    current_user,
                    consultation,
                    lang,
                    values,
                    token=form.token.data or "",
                    reviewed=request.form.get("action") == "review",
                )
            except content.EditRaced as raced:
                conflict = raced.current
            else:
                db.session.commit()
                flash(_("Saved."))
                return redirect(url_for(".edit_texts", slug=slug, lang=lang))
    status = 409 if conflict is not None else (422 if form.is_submitted() else 200)
    return (
        render_template(
            "consultations/edit_texts.html",
            consultation=consultation,
            lang=lang,
            source=source,
            target=target,
            form=form,
            fields=content.CONSULTATION_FIELDS,
            labels=content.FIELD_LABELS,
            sections=sections,
            typed_sections=typed_sections,
            state=content.row_state(target),
            state_labels=content.STATE_LABELS,
            conflict=conflict,
        ),
        status,
    )


@bp.route("/c/<slug>/languages/<lang>/r/<key>", methods=["GET", "POST"])
@requires_roles(*ORGANISERS)
def edit_recommendation(slug: str, lang: str, key: str) -> Page:
    consultation = _consultation_or_404(slug)
    lang = _target_language(consultation, lang)
    recommendation = _recommendation_or_404(consultation, key)
    if lang == consultation.source_language:
        target = url_for("staff.authoring.recommendations", slug=slug)
        return _source_language_page(consultation, target)
    source = content.recommendation_row(recommendation, consultation.source_language)
    target = content.recommendation_row(recommendation, lang)
    form = RecommendationTranslationForm()
    if request.method == "GET":
        _fill(form, target, content.RECOMMENDATION_FIELDS)
    conflict = None
    if form.validate_on_submit():
        if not (form.title.data or "").strip():
            form.title.errors = [_("Write the title in this language.")]
        else:
            values = {name: getattr(form, name).data for name in content.RECOMMENDATION_FIELDS}
            try:
                content.save_translation(
                    current_user,
                    consultation,
                    lang,
                    values,
                    token=form.token.data or "",
                    reviewed=request.form.get("action") == "review",
                    recommendation=recommendation,
                )
            except content.EditRaced as raced:
                conflict = raced.current
            else:
                db.session.commit()
                flash(_("Saved."))
                return redirect(url_for(".edit_recommendation", slug=slug, lang=lang, key=key))
    status = 409 if conflict is not None else (422 if form.is_submitted() else 200)
    return (
        render_template(
            "consultations/edit_recommendation.html",
            consultation=consultation,
            recommendation=recommendation,
            lang=lang,
            source=source,
            target=target,
            form=form,
            fields=content.RECOMMENDATION_FIELDS,
            labels=content.FIELD_LABELS,
            state=content.row_state(target),
            state_labels=content.STATE_LABELS,
            conflict=conflict,
        ),
        status,
    )


# --- export and import -------------------------------------------------------------------------


@bp.get("/c/<slug>/export.yaml", defaults={"kind": "yaml"})
@bp.get("/c/<slug>/export.json", defaults={"kind": "json"})
@requires_roles(*ORGANISERS)
def export_consultation(slug: str, kind: str) -> HTTPResponse:
    consultation = _consultation_or_404(slug)
    doc = export_document(consultation)
    body = dump_yaml(doc) if kind == "yaml" else dump_json(doc)
    mimetype = "application/yaml" if kind == "yaml" else "application/json"
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}.{kind}"'
    return response


def _upload() -> tuple[bytes, str] | None:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    try:
        raw = upload.stream.read(MAX_DOCUMENT_BYTES + 1)
    finally:
        upload.close()
    return raw, upload.filename


@bp.route("/c/import", methods=["GET", "POST"])
@requires_roles(*ORGANISERS)
def import_consultation() -> Page:
    form = ImportForm()
    if not form.is_submitted():
        return render_template("consultations/import.html", form=form, problems=[])
    if not form.validate():
        return render_template("consultations/import.html", form=form, problems=[]), 400
    upload = _upload()
    if upload is None:
        message = _("Choose a YAML or JSON file to import.")
        return render_template(
            "consultations/import.html", form=form, problems=[], message=message
        ), 422
    raw, filename = upload
    try:
        doc = load_document(raw, filename)
    except DocumentTooLarge:
        return _too_large_page()
    except InvalidDocument as invalid:
        return render_template(
            "consultations/import.html", form=form, problems=invalid.problems, filename=filename
        ), 422
    report = apply_document(doc, made_by=current_user.email, status=ConsultationStatus.DRAFT)
    consultation = report.consultation
    if consultation is None:  # apply_document always makes one when given none
        abort(500)
    from consult.audit.log import record

    record(
        "consultation.imported",
        current_user,
        object_type="consultation",
        object_id=consultation.id,
        new={
            "slug": consultation.slug,
            "languages": sorted(doc["texts"]),
            "recommendations": len(doc["recommendations"]),
            "format": "json" if filename.lower().endswith(".json") else "yaml",
        },
    )
    db.session.commit()
    flash(_("Imported as a draft: “%(slug)s”.", slug=consultation.slug))
    return redirect(url_for(".languages", slug=consultation.slug))


@bp.route("/c/<slug>/languages/import", methods=["GET", "POST"])
@requires_roles(*ORGANISERS)
def import_recommendations(slug: str) -> Page:
    """Recommendations from a spreadsheet (XLSX or CSV): one row each, one column per language
    and field."""
    consultation = _consultation_or_404(slug)
    form = ImportForm()

    def page(status: int = 200, **context: Any) -> tuple[str, int]:
        return (
            render_template(
                "consultations/import_recommendations.html",
                consultation=consultation,
                form=form,
                problems=context.pop("problems", []),
                **context,
            ),
            status,
        )

    if not form.is_submitted():
        return page()
    if not form.validate():
        return page(400)
    upload = _upload()
    if upload is None:
        return page(422, message=_("Choose an XLSX or CSV file to import."))
    raw, filename = upload
    if len(raw) > MAX_DOCUMENT_BYTES:
        return page(413, message=_("The file is larger than 10 MB. Nothing was imported."))
    try:
        rows = spreadsheet.read_recommendations(raw, filename, consultation)
    except spreadsheet.InvalidSpreadsheet as invalid:
        return page(422, problems=invalid.problems, filename=filename)
    created, updated = spreadsheet.apply_rows(current_user, consultation, rows)
    db.session.commit()
    flash(
        _(
            "Imported: %(created)s new recommendations, %(updated)s updated.",
            created=created,
            updated=updated,
        )
    )
    return redirect(url_for(".languages", slug=slug))


# The preview's routes join this blueprint (they use its helpers, so they are imported last).
from consult.consultations import preview_views as _preview  # noqa: E402, F401
