"""Organisers' page for one recommendation's themes: the themes with their answers, and forms to
rename, merge, split, discard, move an answer and mark a theme reviewed (POST, CSRF, no JS)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as HTTPResponse

from consult.core.extensions import db
from consult.models import Consultation, ModerationState, Recommendation, Response
from consult.models.themes import Theme
from consult.staff.access import requires_roles
from consult.themes import operations
from consult.themes.queries import themes_for

bp = Blueprint("themes", __name__)
Page = str | tuple[str, int] | HTTPResponse
READERS = ("organiser", "admin")


def _recommendation(slug: str, recommendation_id: int) -> Recommendation:
    recommendation = db.session.scalar(
        sa.select(Recommendation)
        .join(Consultation, Recommendation.consultation_id == Consultation.id)
        .where(Consultation.slug == slug, Recommendation.id == recommendation_id)
    )
    if recommendation is None:
        abort(404)
    return recommendation


def _theme(recommendation: Recommendation, theme_id: str | None) -> Theme:
    try:
        theme = db.session.get(Theme, int(theme_id or ""))
    except ValueError:
        theme = None
    if theme is None or theme.recommendation_id != recommendation.id:
        raise operations.ThemeEditError("unknown theme")
    return theme


def _page(recommendation: Recommendation, error: str | None = None, status: int = 200) -> Page:
    themes = list(
        db.session.scalars(
            sa.select(Theme)
            .where(Theme.recommendation_id == recommendation.id)
            .order_by(Theme.discarded, Theme.position, Theme.id)
        )
    )
    member_ids = {m.response_id for t in themes for m in t.members if not m.excluded}
    texts = (
        dict(
            db.session.execute(
                sa.select(Response.id, Response.public_text).where(
                    Response.id.in_(member_ids),
                    Response.moderation_state == ModerationState.APPROVED,
                )
            ).all()
        )
        if member_ids
        else {}
    )
    members = {
        t.id: [
            (m.response_id, texts[m.response_id])
            for m in sorted(t.members, key=lambda m: (m.quote_rank or 99, m.response_id))
            if not m.excluded and m.response_id in texts
        ]
        for t in themes
    }
    summary = themes_for(recommendation.id)
    # Counts as the dashboard shows them ("<5" for a small theme); a discarded theme is not on
    # the dashboard, its count follows the plain rule.
    counts = {t.id: (t.shown_count, t.plural_count) for t in summary.themes}
    for theme in themes:
        if theme.id not in counts:
            n = len(members[theme.id])
            small = 0 < n < summary.threshold
            counts[theme.id] = (
                f"<{summary.threshold}" if small else str(n),
                summary.threshold if small else n,
            )
    return render_template(
        "themes/recommendation.html",
        recommendation=recommendation,
        consultation=recommendation.consultation,
        themes=themes,
        members=members,
        counts=counts,
        summary=summary,
        error=error,
    ), status


@bp.get("/c/<slug>/themes/<int:rid>")
@requires_roles(*READERS)
def recommendation_themes(slug: str, rid: int) -> Page:
    return _page(_recommendation(slug, rid))


@bp.post("/c/<slug>/themes/<int:rid>")
@requires_roles(*READERS)
def edit_theme(slug: str, rid: int) -> Page:
    recommendation = _recommendation(slug, rid)
    action = request.form.get("action", "")
    form = request.form
    try:
        theme = _theme(recommendation, form.get("theme"))
        if action == "rename":
            operations.rename(theme, form.get("label", ""), current_user)
        elif action == "review":
            operations.mark_reviewed(theme, current_user)
        elif action == "discard":
            operations.discard(theme, current_user)
        elif action == "merge":
            operations.merge(theme, _theme(recommendation, form.get("other")), current_user)
        elif action == "split":
            chosen = {int(v) for v in form.getlist("answers") if v.isdigit()}
            operations.split(theme, chosen, form.get("label", ""), current_user)
        elif action == "move":
            target = _theme(recommendation, form.get("target"))
            answer = form.get("answer", "")
            if not answer.isdigit():
                raise operations.ThemeEditError("no answer")
            operations.move_answer(int(answer), theme, target, current_user)
        else:
            raise operations.ThemeEditError("unknown action")
    except operations.ThemeEditError:
        db.session.rollback()
        return _page(
            recommendation,
            error=_(
                "That change could not be made: check that you chose the themes and answers "
                "and typed a name."
            ),
            status=422,
        )
    db.session.commit()
    flash(_("Themes updated."))
    return redirect(
        url_for(
            "staff.themes.recommendation_themes",
            slug=slug,
            rid=recommendation.id,
        )
    )
