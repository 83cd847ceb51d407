"""The translation desk: the queue of answers that need a translation into a working language, and
one answer's page, where a translator writes (or post-edits) the translation or says "I can't read
this language". Plain forms: no JavaScript needed.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as HTTPResponse

from consult.core.errors import resend_on_csrf_failure
from consult.core.extensions import db
from consult.i18n.languages import supported_languages
from consult.models import Response
from consult.staff.access import requires_roles
from consult.staff.paging import current_cursor, int_arg
from consult.translation import desk
from consult.translation import desk_queries as queries
from consult.translation.forms import TranslationForm

bp = Blueprint("translation", __name__)
TRANSLATORS = ("translator", "admin")

Page = str | tuple[str, int] | HTTPResponse
# Answers per page of the queue (tests lower it to cross page boundaries with a few answers).
PAGE_SIZE = 50


def _known_languages() -> set[str]:
    """The languages a filter may name: the offered ones and every consultation's working ones."""
    known = set(supported_languages())
    for consultation in queries.consultations():
        known.update(queries.working_languages(consultation))
    return known


def _filters() -> queries.DeskFilters:
    known = _known_languages()
    source = request.args.get("from") or None
    target = request.args.get("to") or None
    return queries.DeskFilters(
        source_language=source if source in known else None,
        target_language=target if target in known else None,
        consultation_id=int_arg("consultation"),
    )


@bp.get("/translate/")
@requires_roles(*TRANSLATORS)
def desk_queue() -> Page:
    filters = _filters()
    page = queries.desk_queue(filters, current_user.id, current_cursor(), limit=PAGE_SIZE)
    return render_template(
        "translation/queue.html",
        items=page.rows,
        page=page,
        count=queries.desk_count(filters, current_user.id),
        filters=filters,
        consultations=queries.consultations(),
    )


def _response_or_404(response_id: int) -> Response:
    """An approved answer with a public version: the only ones translators read."""
    response = db.session.get(Response, response_id)
    if response is None or not queries.is_translatable(response):
        abort(404)
    return response


def _target_or_404(response: Response) -> str:
    """The target language asked for (`?to=`), or the first one still needed."""
    written_in = queries.language_of(response)
    targets = [
        language
        for language in queries.working_languages(response.recommendation.consultation)
        if language != written_in
    ]
    wanted = request.args.get("to")
    if not wanted:
        needed = queries.needed_translations(response)
        wanted = needed[0] if needed else (targets[0] if targets else None)
    if wanted not in targets:
        abort(404)
    return wanted


@bp.route("/translate/<int:response_id>", methods=["GET", "POST"])
@resend_on_csrf_failure("text")
@requires_roles(*TRANSLATORS)
def translate_answer(response_id: int) -> Page:
    response = _response_or_404(response_id)
    target = _target_or_404(response)
    human = queries.human_translation(response, target)
    draft = queries.machine_draft(response, target)
    form = TranslationForm()
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        if not form.validate():
            status = 422
        elif action == "cannot_read":
            desk.cannot_read(response, target, current_user)
            db.session.commit()
            flash(_("Someone else will translate it."))
            return redirect(url_for(".desk_queue"))
        elif action == "save":
            try:
                desk.save_translation(response, target, form.text.data or "", current_user)
            except desk.EmptyTranslation:
                form.text.errors.append(_("Write the translation."))
                status = 422
            else:
                db.session.commit()
                flash(_("Saved."))
                return redirect(url_for(".desk_queue"))
        else:
            form.form_errors.append(_("Choose what to do with this answer."))
            status = 422
    prefilled_from_draft = False
    if request.method == "GET":
        if human is not None:
            form.text.data = human.text
        elif draft is not None:
            form.text.data = draft.text
            prefilled_from_draft = True
    return (
        render_template(
            "translation/answer.html",
            response=response,
            written_in=queries.language_of(response),
            target=target,
            human=human,
            draft=draft,
            prefilled_from_draft=prefilled_from_draft,
            form=form,
        ),
        status,
    )
