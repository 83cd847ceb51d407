"""The moderation queue, one answer's page with its decisions, and the safeguarding list."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response as HTTPResponse

from consult import audit
from consult.consultations.content import LocalisedRecommendation, localise_recommendation
from consult.core.errors import resend_on_csrf_failure
from consult.core.extensions import db
from consult.core.routing import whole_number
from consult.i18n.selection import select_locale
from consult.models import (
    ModerationState,
    Response,
    SafeguardingCase,
)
from consult.moderation import operations as moderation
from consult.moderation import queries, safeguarding
from consult.moderation.forms import BulkForm, CaseForm, DecisionForm
from consult.staff.access import requires_roles
from consult.staff.paging import current_cursor, int_arg, with_current_query
from consult.text.redaction import highlight_segments, suggest_redaction

bp = Blueprint("moderation", __name__)
# Who reads safeguarding cases (the list, and a case's answer on the moderation page): acting on a
# risk needs the person's own words, but not every moderator needs to see them.
SAFEGUARDING_READERS = ("admin", "organiser")

Page = str | tuple[str, int] | HTTPResponse
# Answers per page of the queue (tests lower it to cross page boundaries with a few answers).
PAGE_SIZE = 50


def _filters() -> queries.QueueFilters:
    state = request.args.get("state") or ModerationState.PENDING
    if state not in ModerationState.queueable():
        state = ModerationState.PENDING  # safeguarding items have their own list
    personal = request.args.get("personal_data")
    return queries.QueueFilters(
        consultation_id=int_arg("consultation"),
        recommendation_position=int_arg("recommendation"),
        language=request.args.get("language") or None,
        state=state,
        personal_data={"yes": True, "no": False}.get(personal or ""),
    )


@bp.get("/moderate/")
@requires_roles("moderator", "admin")
def moderation_queue() -> Page:
    filters = _filters()
    page = queries.queue(filters, current_cursor(), limit=PAGE_SIZE)
    return render_template(
        "moderation/queue.html",
        items=page.rows,
        count=queries.queue_count(filters),
        page=page,
        filters=filters,
        consultations=queries.consultations(),
        bulk_form=BulkForm(),
    )


def _localised(response: Response) -> LocalisedRecommendation:
    """The recommendation an answer is about, in the staff member's language if it exists."""
    recommendation = response.recommendation
    return localise_recommendation(
        recommendation, select_locale(), recommendation.consultation.source_language
    )


@bp.post("/moderate/bulk")
@resend_on_csrf_failure()
@requires_roles("moderator", "admin")
def moderation_bulk() -> Page:
    form = BulkForm()
    if not form.validate_on_submit():
        abort(400)
    ids = [n for n in map(whole_number, request.form.getlist("selected")) if n is not None]
    decision = _bulk_decision(request.form.get("action"))
    if decision is None or not ids:
        flash(_("Select at least one answer, then choose an action."))
        return redirect(with_current_query(url_for(".moderation_queue")))
    reason = moderation.RejectReason(form.reason.data)
    result = moderation.bulk(ids, current_user, decision, reason)
    db.session.commit()
    flash(ngettext("%(num)s answer done.", "%(num)s answers done.", result.done))
    for error in result.already:
        flash(_already_message(error))
    return redirect(with_current_query(url_for(".moderation_queue")))


def _already_message(error: moderation.AlreadyModerated) -> str:
    who = error.by.label if error.by else _("someone else")
    return _("Answer %(id)s was already moderated by %(who)s.", id=error.response.id, who=who)


def _response_or_404(response_id: int) -> Response:
    response = db.session.get(Response, response_id)
    if response is None or response.text is None or response.submission.state != "submitted":
        abort(404)
    return response


@bp.route("/moderate/<int:response_id>", methods=["GET", "POST"])
@resend_on_csrf_failure("public_text", "note")
@requires_roles("moderator", "admin")
def moderate_answer(response_id: int) -> Page:
    response = _response_or_404(response_id)
    if response.moderation_state == ModerationState.SAFEGUARDING and not current_user.has_role(
        *SAFEGUARDING_READERS
    ):
        abort(403)
    form = DecisionForm()
    status = 200
    if request.method == "POST":
        if not form.validate():
            status = 422
        else:
            action = request.form.get("action")
            try:
                message = _apply_decision(response, form, action)
            except moderation.AlreadyModerated as error:
                db.session.rollback()
                flash(_already_message(error))
                message, status = None, 409
            else:
                status = 422
            if message is not None:
                db.session.commit()
                flash(message)
                return redirect(_next_in_queue(response_id))
    if not form.public_text.data:
        form.public_text.data = response.public_text or suggest_redaction(response.text or "")
    # The page shows the original text: who read which answer is on record before it is shown.
    audit.record(
        "moderation.original_viewed", current_user, object_type="response", object_id=response.id
    )
    db.session.commit()
    return (
        render_template(
            "moderation/answer.html",
            response=response,
            item=_localised(response),
            segments=highlight_segments(response.text or ""),
            others=queries.other_answers(response),
            translations=queries.translations_of(response),
            form=form,
        ),
        status,
    )


def _bulk_decision(action: str | None) -> moderation.Decision | None:
    if action in (moderation.Decision.APPROVE, moderation.Decision.REJECT):
        return moderation.Decision(action)
    return None


DONE_MESSAGES = {
    moderation.Decision.APPROVE: _l("Approved."),
    moderation.Decision.REDACT: _l("Approved with your changes."),
    moderation.Decision.REJECT: _l("Rejected."),
    moderation.Decision.ESCALATE: _l("Sent to safeguarding. It will never be published."),
}


def _apply_decision(response: Response, form: DecisionForm, action: str | None) -> str | None:
    """Take the decision the moderator pressed; its message, or None with the form's errors set."""
    try:
        decision = moderation.Decision(action or "")
    except ValueError:
        form.form_errors.append(_("Choose what to do with this answer."))
        return None
    try:
        moderation.decide(
            response,
            current_user,
            decision,
            public_text=form.public_text.data,
            reason=moderation.RejectReason(form.reason.data),
            note=form.note.data,
        )
    except moderation.DecisionIncomplete:
        form.public_text.errors.append(_("Write the public version, or reject the answer."))
        return None
    return str(DONE_MESSAGES[decision])


def _next_in_queue(decided_id: int) -> str:
    """The next answer waiting after the one just decided (no count, no scan of the queue)."""
    following = queries.next_pending(decided_id)
    if following is not None:
        return url_for(".moderate_answer", response_id=following.id)
    return url_for(".moderation_queue")


@bp.get("/safeguarding/")
@requires_roles(*SAFEGUARDING_READERS)
def safeguarding_list() -> Page:
    handled = {"yes": True, "no": False}.get(request.args.get("handled", "no"))
    cases = safeguarding.safeguarding_cases(handled)
    # The list shows each case's answer: which cases were read is on record before they are shown.
    shown = {"case_ids": [case.id for case in cases]}
    audit.record("safeguarding.viewed", current_user, object_type="safeguarding_case", new=shown)
    db.session.commit()
    return render_template(
        "moderation/safeguarding.html",
        cases=[(case, CaseForm(formdata=None, obj=case)) for case in cases],
        handled=handled,
    )


@bp.post("/safeguarding/<int:case_id>")
@resend_on_csrf_failure("note")
@requires_roles(*SAFEGUARDING_READERS)
def safeguarding_update(case_id: int) -> Page:
    case = db.session.get(SafeguardingCase, case_id)
    if case is None:
        abort(404)
    form = CaseForm()
    if form.validate_on_submit():
        safeguarding.update_case(case, current_user, form.note.data or "", form.handled.data)
        db.session.commit()
        flash(_("Saved."))
    return redirect(url_for("staff.moderation.safeguarding_list"))
