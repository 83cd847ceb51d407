"""The organiser's dashboard and the printable report of a consultation (organisers and admins)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

import click
import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response as HTTPResponse

from consult.core.extensions import db
from consult.core.lru import LruCache
from consult.i18n.formatting import local_date, local_number
from consult.i18n.languages import supported_languages
from consult.i18n.selection import select_locale
from consult.models import Consultation
from consult.staff.access import requires_roles
from consult.summaries import charts, narrative
from consult.summaries.dashboard import Dashboard, Row, build_dashboard
from consult.summaries.queries import NO_STAGE, DashboardFilters
from consult.summaries.stats import STANCE_ORDER
from consult.vocab import Group, JourneyStage, Stance

bp = Blueprint("summaries", __name__, cli_group="dashboard")
READERS = ("organiser", "admin")
NO_STAGE_LABEL = _l("Did not say")
Page = str | tuple[str, int] | HTTPResponse


def _consultation(slug: str) -> Consultation:
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        abort(404)
    return consultation


def _date(name: str, errors: list[str]) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("“%(value)s” is not a date (use YYYY-MM-DD).", value=raw[:20]))
        return None


def _choice(name: str, allowed: list[str], errors: list[str]) -> str | None:
    value = request.args.get(name) or None
    if value is not None and value not in allowed:
        errors.append(_("Unknown filter value: “%(value)s”.", value=value[:40]))
        return None
    return value


def parse_filters() -> tuple[DashboardFilters, list[str]]:
    errors: list[str] = []
    filters = DashboardFilters(
        language=_choice("language", supported_languages(), errors),
        stage=_choice("stage", [*JourneyStage.values(), NO_STAGE], errors),
        group=_choice("group", Group.values(), errors),
        date_from=_date("from", errors),
        date_to=_date("to", errors),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors.append(_("The start date is after the end date."))
    return filters, errors


def stage_label(value: str) -> str:
    return str(NO_STAGE_LABEL) if value == NO_STAGE else JourneyStage.label_of(value, value)


def category_label(dimension: str, value: str) -> str:
    if dimension == "stage":
        return stage_label(value)
    if dimension == "group":
        return Group.label_of(value, value)
    return narrative.language_name(value)


def stance_chart(prefix: str, row: Row, title: str) -> Markup:
    """The overall stance bar of a row: hidden counts drawn together as one hatched segment
    (their sum is already implied by the shown total, so drawing it reveals nothing)."""
    segments = []
    described = []
    for stance in STANCE_ORDER:
        count = row.counts[stance]
        label = Stance.label_of(stance)
        if count is not None:
            segments.append(charts.Segment(stance, label, count))
        described.append(_("%(stance)s: %(count)s", stance=label, count=row.display[stance]))
    if row.total is not None:
        rest = row.total - sum(s.count for s in segments)
        if rest > 0:
            segments.append(charts.Segment("hidden", _("Hidden (small groups)"), rest))
    return charts.stance_bar(
        prefix,
        title,
        "; ".join(described),
        segments,
        narrative.percent,
        rtl=select_locale_is_rtl(),
    )


def select_locale_is_rtl() -> bool:
    locale = get_locale()
    return bool(locale and locale.text_direction == "rtl")


def timeline_chart(board: Dashboard) -> Markup:
    points = [(day, count) for day, _display, count in board.timeline]
    unit = _("per week") if board.timeline_unit == "week" else _("per day")
    described = "; ".join(
        f"{local_date(day, 'medium')}: {display}" for day, display, _c in board.timeline
    )
    return charts.timeline_chart(
        "timeline",
        _("Submissions over time (%(unit)s)", unit=unit),
        described,
        points,
        lambda day: local_date(day, "medium"),
        rtl=select_locale_is_rtl(),
    )


BOARD_TEMPLATES = {
    "summaries/dashboard.html": "summaries/_dashboard_board.html",
    "summaries/report.html": "summaries/_report_board.html",
}
# Rendered numbers, charts and tables of recent pages (`_board_html`), least recently used first.
BOARD_CACHE_SIZE = 64
_boards: LruCache[Markup] = LruCache(BOARD_CACHE_SIZE)


def _board_html(key: tuple, render: Callable[[], str]) -> Markup:
    """The board part of a page from the cache, or rendered and kept.

    `key` holds everything the part shows: the consultation's counts version (it changes in the
    same transaction as the kept counts, see consult.summaries.tallies), the filters, the UI
    language, the queue counts, the themes and the recommendations' titles as read for this
    request, the small-group threshold and whether the reader may follow quotes to moderation. A
    change to any of them is another key, so a cached part is never older than the data."""
    # Our own autoescaping template rendered it.
    return _boards.get_or_make(key, lambda: Markup(render()))  # nosec B704


def _render(template: str, slug: str) -> Page:
    from consult.consultations.content import localise_consultation, localise_recommendations
    from consult.summaries import tallies
    from consult.summaries.dashboard import queue_counts
    from consult.summaries.suppression import effective_threshold

    consultation = _consultation(slug)
    filters, errors = parse_filters()
    language = str(select_locale())
    threshold = effective_threshold(consultation.small_group_threshold)
    themes = _themes(consultation.id, filters, threshold)
    recommendations = localise_recommendations(consultation, language)
    titles = {item.recommendation.id: item.text.title for item in recommendations}
    counted_queues = queue_counts(consultation, filters)
    key = (
        template,
        consultation.id,
        consultation.slug,
        threshold,
        tallies.version(consultation.id),
        filters,
        language,
        counted_queues,
        repr(themes),
        tuple(
            (r.recommendation.id, r.recommendation.position, r.text.title) for r in recommendations
        ),
        bool(current_user.has_role("moderator", "admin")),
    )

    def render_board() -> str:
        # Each count is formatted once per page (most counts repeat: zeros, small numbers).
        board = build_dashboard(
            consultation, filters, functools.cache(local_number), counted_queues
        )
        sentences = {
            summary.recommendation.id: narrative.recommendation_sentences(
                summary, board.threshold, themes.get(summary.recommendation.id)
            )
            for summary in board.recommendations
        }
        labels: dict[tuple[str, str], str] = {}

        def label(dimension: str, value: str) -> str:
            # Each label is translated once per page, not once per table row.
            found = (dimension, value)
            if found not in labels:
                labels[found] = category_label(dimension, value)
            return labels[found]

        return render_template(
            BOARD_TEMPLATES[template],
            stance_labels={stance: Stance.label_of(stance) for stance in STANCE_ORDER},
            board=board,
            consultation=consultation,
            titles=titles,
            sentences=sentences,
            themes=themes,
            stance_order=STANCE_ORDER,
            stance_chart=stance_chart,
            timeline_chart=timeline_chart,
            category_label=label,
            percent=narrative.percent,
            interval=narrative.interval,
        )

    page = render_template(
        template,
        board_html=_board_html(key, render_board),
        filters=filters,
        consultation=consultation,
        title=localise_consultation(consultation, language).text.title,
        errors=errors,
        languages=supported_languages(),
        stages=[*JourneyStage.values(), NO_STAGE],
        groups=Group.values(),
        category_label=category_label,
        weasyprint=_weasyprint_available(),
    )
    return (page, 422) if errors else page


def _themes(consultation_id: int, filters: DashboardFilters, threshold: int) -> dict:
    try:
        from consult.themes.queries import themes_for_consultation
    except ImportError:  # the themes package is optional for the dashboard
        return {}
    return themes_for_consultation(consultation_id, filters=filters, threshold=threshold)


def _weasyprint_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except Exception:  # not installed, or its system libraries are missing
        return False
    return True


@bp.get("/c/<slug>/")
@requires_roles(*READERS)
def dashboard(slug: str) -> Page:
    return _render("summaries/dashboard.html", slug)


@bp.get("/c/<slug>/report")
@requires_roles(*READERS)
def report(slug: str) -> Page:
    return _render("summaries/report.html", slug)


@bp.get("/c/<slug>/report.pdf")
@requires_roles(*READERS)
def report_pdf(slug: str) -> Page:
    if not _weasyprint_available():
        abort(404)
    import weasyprint

    page = _render("summaries/report.html", slug)
    html = page[0] if isinstance(page, tuple) else page
    pdf = weasyprint.HTML(string=html, base_url=request.url_root).write_pdf()
    return HTTPResponse(pdf, mimetype="application/pdf")


@bp.cli.command("rebuild")
@click.argument("slug", required=False)
def rebuild_command(slug: str | None) -> None:
    """Recompute the dashboard's kept counts of the consultation SLUG (or of every consultation)
    from its answers. They are kept exact as answers come and go; this is for a repair or a
    check (it prints how many rows differed)."""
    from consult.summaries import tallies

    consultation_id = None
    if slug:
        consultation_id = db.session.scalar(
            sa.select(Consultation.id).where(Consultation.slug == slug)
        )
        if consultation_id is None:
            raise click.UsageError(f"No consultation {slug!r}.")
    before = tallies.snapshot(consultation_id)
    tallies.rebuild(consultation_id)
    after = tallies.snapshot(consultation_id)
    db.session.commit()
    changed = sum(1 for key in before.keys() | after.keys() if before.get(key) != after.get(key))
    click.echo(
        f"Dashboard counts rebuilt ({slug or 'every consultation'}): {changed} row(s) differed."
    )
