"""Themes under the dashboard's filters and the small-group rule: counts, shares and the
untranslated count follow the filters exactly (checked against the stored theme members), a theme
with fewer than the threshold shows "<5" and no quote, quotes under a filter come from the
filtered answers, and without a filter nothing changes. Through the pages where they show it.
SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from flask import Flask, current_app, render_template_string
from flask_login import login_user

from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models import Consultation, Response, StaffUser, SubmissionGroup
from consult.models.themes import Theme, ThemeMember
from consult.participation import operations as participation
from consult.summaries.queries import DashboardFilters
from consult.themes import tallies as theme_tallies
from consult.themes.queries import themes_for, themes_for_consultation
from tests.support.factories import _draft, staff_member
from tests.support.journey import SLUG
from tests.support.staff import log_in
from tests.themes.support import answers, approve

FRENCH = [
    f"les billets de bus coûtent trop cher pour {who}"
    for who in (
        "les familles",
        "les jeunes",
        "les mères",
        "les étudiants",
        "les travailleurs",
        "nous",
    )
]


def _person(
    app: Flask, text: str, lang: str = "en", stage: str | None = None, groups: tuple = ()
) -> int:
    """One participant who answers the first idea with `text`, with this profile; the answer id."""
    with app.app_context():
        draft, responses = _draft([text], lang, "agree", SLUG)
        draft.stage = stage
        for group in groups:
            db.session.add(SubmissionGroup(submission_id=draft.id, group=group))
        db.session.flush()
        participation.submit(draft, current_app.config["SECRET_KEY"])
        db.session.commit()
        return responses[0].id


def _world(app: Flask) -> dict:
    """60 English answers in three families (every third person in transit, two people writing
    about work permits in the group "disability") and 6 French ones in transit, all approved;
    English is the only working language, so the French ones are themed untranslated."""
    staff_member(app, "mod@example.org", "moderator")
    staff_member(app, "org@example.org", "organiser")
    with app.app_context():
        for consultation in db.session.scalars(sa.select(Consultation)):
            consultation.working_languages = ["en"]
        db.session.commit()
    english, transit, disability = [], set(), set()
    for i, text in enumerate(answers("bus", "classes", "permits")):
        stage = "transit" if i % 3 == 0 else "destination"
        groups = ("disability",) if text.startswith("work permits") and i % 5 < 2 else ()
        response_id = _person(app, text, stage=stage, groups=groups)
        english.append(response_id)
        if stage == "transit":
            transit.add(response_id)
        if groups:
            disability.add(response_id)
    french = [_person(app, text, lang="fr", stage="transit") for text in FRENCH]
    transit |= set(french)
    approve(app, english + french)
    with app.app_context():
        rid = db.session.get(Response, english[0]).recommendation_id
        cid = db.session.scalar(sa.select(Consultation.id).where(Consultation.slug == SLUG))
        members: dict[int, set[int]] = {}
        stored_quotes: dict[int, list[int]] = {}
        for theme in db.session.scalars(
            sa.select(Theme).where(Theme.recommendation_id == rid, Theme.discarded.is_(False))
        ):
            live = [m for m in theme.members if not m.excluded]
            members[theme.id] = {m.response_id for m in live}
            stored_quotes[theme.id] = [
                m.response_id for m in sorted(live, key=lambda m: m.quote_rank or 0) if m.quote_rank
            ]
    assert len(disability) == 2 and len(members) >= 2
    return {
        "rid": rid,
        "cid": cid,
        "english": set(english),
        "french": set(french),
        "transit": transit,
        "disability": disability,
        "members": members,
        "quotes": stored_quotes,
    }


def _read(app: Flask, world: dict, filters: DashboardFilters | None = None):
    with app.app_context():
        return themes_for_consultation(world["cid"], filters=filters)[world["rid"]]


def test_filters_count_themes_among_the_matching_answers_only(demo_app: Flask) -> None:
    world = _world(demo_app)
    everyone = world["english"] | world["french"]
    cases = {
        DashboardFilters(language="fr"): world["french"],
        DashboardFilters(stage="transit"): world["transit"],
        DashboardFilters(language="en", stage="transit"): world["transit"] & world["english"],
        DashboardFilters(date_from=date(2000, 1, 1)): everyone,
    }
    unfiltered = _read(demo_app, world)
    assert not unfiltered.filtered and unfiltered.answers_considered == len(everyone)
    for filters, matching in cases.items():
        result = _read(demo_app, world, filters)
        assert result.filtered
        assert result.answers_considered == len(matching)
        assert result.untranslated == len(matching & world["french"])
        assert result.shown_considered == str(len(matching))
        assert [t.id for t in result.themes] == [t.id for t in unfiltered.themes]
        for theme in result.themes:
            inside = world["members"][theme.id] & matching
            assert theme.answer_count == len(inside)
            assert theme.share == len(inside) / len(matching)
            quoted = {q.response_id for q in theme.quotes}
            assert quoted <= inside  # never a quote from outside the filtered answers
            if 0 < len(inside) < 5:
                assert theme.shown_count == "<5" and theme.suppressed and not theme.quotes
            elif len(inside) >= 5:
                assert len(theme.quotes) == 3
                # the stored quotes that match come first, in their order
                kept = [q for q in world["quotes"][theme.id] if q in inside]
                assert [q.response_id for q in theme.quotes][: len(kept)] == kept[:3]
                if not theme.suppressed:
                    assert theme.shown_count == str(len(inside))
            else:
                assert theme.shown_count == "0" and not theme.quotes
    # A filter that every submission matches gives the unfiltered figures.
    everything = _read(demo_app, world, DashboardFilters(date_from=date(2000, 1, 1)))
    assert [(t.answer_count, t.shown_count) for t in everything.themes] == [
        (t.answer_count, t.shown_count) for t in unfiltered.themes
    ]
    assert everything.untranslated == unfiltered.untranslated == len(world["french"])


def test_no_filter_keeps_the_stored_themes_and_quotes(demo_app: Flask) -> None:
    world = _world(demo_app)
    result = _read(demo_app, world)
    considered = len(world["english"] | world["french"])
    assert result.answers_considered == considered and result.untranslated == 6
    for theme in result.themes:
        assert theme.answer_count == len(world["members"][theme.id])
        assert theme.share == theme.answer_count / considered
        assert [q.response_id for q in theme.quotes] == world["quotes"][theme.id]
    with demo_app.app_context():
        assert themes_for(world["rid"]) == result


def test_a_small_group_shows_fewer_than_the_threshold_and_no_quote(demo_app: Flask) -> None:
    world = _world(demo_app)
    filters = DashboardFilters(group="disability")
    result = _read(demo_app, world, filters)
    assert result.answers_considered == 2 and result.shown_considered == "<5"
    small = [t for t in result.themes if t.answer_count]
    assert small, "the two answers are in some theme"
    for theme in result.themes:
        inside = world["members"][theme.id] & world["disability"]
        assert theme.answer_count == len(inside)
        assert theme.shown_count == ("<5" if inside else "0")
        assert theme.shown_share is None if inside else theme.shown_share == 0.0
        assert not theme.quotes
    # As the dashboard and the report render it.
    macro = (
        '{% from "themes/_themes.html" import recommendation_themes with context %}'
        "{{ recommendation_themes(rt) }}"
    )
    with demo_app.test_request_context():
        html = render_template_string(
            macro, rt=themes_for_consultation(world["cid"], filters=filters)[world["rid"]]
        )
    assert "Found in &lt;5 written answers." in html
    assert "those of the answers that match the filters" in html
    with demo_app.test_request_context():
        login_user(
            db.session.scalar(sa.select(StaffUser).where(StaffUser.email == "org@example.org"))
        )
        everyone = render_template_string(
            macro, rt=themes_for_consultation(world["cid"])[world["rid"]]
        )
    assert "match the filters" not in everyone and "<blockquote" in everyone
    assert "&lt;5 answers" in html and "<blockquote" not in html
    assert not re.search(r"\b[12] answers?\b", html)
    # A threshold set higher on the consultation applies (the transit French answers: 6 < 7).
    with demo_app.app_context():
        db.session.get(Consultation, world["cid"]).small_group_threshold = 7
        db.session.commit()
    french = _read(demo_app, world, DashboardFilters(language="fr"))
    assert french.threshold == 7 and french.shown_considered == "<7"
    assert french.shown_untranslated == "<7"
    assert all(not t.quotes for t in french.themes)


def _split_two(app: Flask, world: dict) -> tuple:
    """An organiser splits two answers of the largest theme into a theme of their own, "Two
    people", on the theme page; returns (browser, slug, the theme page after the split)."""
    with app.app_context():
        slug = db.session.scalar(
            sa.select(Consultation.slug).where(Consultation.id == world["cid"])
        )
    largest = max(world["members"], key=lambda t: len(world["members"][t]))
    chosen = sorted(world["members"][largest])[:2]
    organiser = log_in(app, "org@example.org")
    url = f"/staff/c/{slug}/themes/{world['rid']}"
    index = _split_form(organiser.get(url).html, largest)
    page = organiser.submit(
        {"theme": str(largest), "answers": [str(a) for a in chosen], "label": "Two people"},
        button=("action", "split"),
        form_index=index,
    )
    assert page.status == 200
    with app.app_context():
        theme_id = db.session.scalar(sa.select(Theme.id).where(Theme.label == "Two people"))
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(ThemeMember)
                .where(ThemeMember.theme_id == theme_id, ThemeMember.excluded.is_(False))
            )
            == 2
        )
    return organiser, slug, page, theme_id


def test_the_theme_page_shows_a_small_theme_as_fewer_than_the_threshold(demo_app: Flask) -> None:
    world = _world(demo_app)
    _organiser, _slug, page, theme_id = _split_two(demo_app, world)
    section = _between(page.html, f'<h2 id="theme-{theme_id}"', "</section>")
    assert "&lt;5 answers" in section and "2 answers" not in section
    assert "6 answers not yet translated" in page.text


def test_the_dashboard_shows_theme_counts_suppressed_and_filtered(demo_app: Flask) -> None:
    world = _world(demo_app)
    organiser, slug, _page, _theme_id = _split_two(demo_app, world)
    dashboard = organiser.get(f"/staff/c/{slug}/").html
    item = _between(dashboard, '<h4 class="theme-label" dir="auto">Two people</h4>', "</p>")
    assert "&lt;5 answers" in item and "%" not in item and "2 answers" not in item
    filtered = organiser.get(f"/staff/c/{slug}/?group=disability").html
    themes = _between(filtered, '<div class="themes">', "</ol>")
    assert "Found in &lt;5 written answers." in themes
    assert "<blockquote" not in themes and not re.search(r"\b[12] answers?\b", themes)
    french = organiser.get(f"/staff/c/{slug}/?language=fr").html
    themes = _between(french, '<div class="themes">', "</ol>")
    assert "Found in 6 written answers." in themes
    assert "6 answers not yet translated" in themes


def _between(html: str, start: str, end: str) -> str:
    i = html.index(start)
    return html[i : html.index(end, i)]


def _split_form(html: str, theme_id: int) -> int:
    main = html[html.index("<main") : html.index("</main>")]
    forms = re.findall(r"<form\b.*?</form>", main, flags=re.S)
    for i, form in enumerate(forms):
        if f'value="{theme_id}"' in form and 'value="split"' in form:
            return i
    raise AssertionError("no split form for the theme")


def test_themes_that_add_up_to_the_answers_hide_a_second_count(demo_app: Flask) -> None:
    """When every answer is in exactly one theme, "answers considered" minus the shown themes
    would give a hidden one back: a second theme is hidden too ("–", no share). When the themes
    overlap, nothing adds up and only the small theme is hidden."""
    world = _world(demo_app)
    everyone = sorted(world["english"] | world["french"])
    with demo_app.app_context():
        for theme in db.session.scalars(
            sa.select(Theme).where(Theme.recommendation_id == world["rid"])
        ):
            db.session.delete(theme)
        db.session.flush()
        small = Theme(recommendation_id=world["rid"], label="Two", position=0, pinned=True)
        small.members = [ThemeMember(response_id=r, quote_rank=1) for r in everyone[:2]]
        rest = Theme(recommendation_id=world["rid"], label="Rest", position=1, pinned=True)
        rest.members = [ThemeMember(response_id=r) for r in everyone[2:]]
        db.session.add_all([small, rest])
        db.session.flush()
        # Members written here, not by a run or an edit: the kept counts are refreshed as a
        # run does (`consult.themes.tallies`).
        theme_tallies.refresh_recommendation(world["rid"])
        db.session.commit()
        rest_id = rest.id
    result = _read(demo_app, world)
    two, others = result.themes
    assert (two.shown_count, others.shown_count) == ("<5", "–")
    assert two.suppressed and others.suppressed and others.shown_share is None
    assert result.shown_considered == str(len(everyone))
    # The summary in words names no theme: the largest one's count would give the small one back.
    assert "most common theme" not in _dashboard_text(demo_app)
    # The quote of the small theme stays without a filter (it says nothing about its writer).
    assert {q.response_id for q in two.quotes} == set(everyone[:2])
    # Under a filter the same holds among the filtered answers, and the small theme's quotes go.
    english = _read(demo_app, world, DashboardFilters(language="en"))
    two, others = english.themes
    assert (two.shown_count, others.shown_count) == ("<5", "–") and not two.quotes
    assert english.shown_considered == str(len(world["english"]))
    # Once the themes overlap, nothing adds up: only the small theme is hidden.
    with demo_app.app_context():
        db.session.add(ThemeMember(theme_id=rest_id, response_id=everyone[0]))
        # as every organiser's edit does (the themes' read is cached until a theme changes, its
        # counts are kept)
        db.session.get(Theme, rest_id).reviewed_at = utcnow()
        theme_tallies.refresh_themes([rest_id])
        db.session.commit()
    overlapping = _read(demo_app, world)
    two, others = overlapping.themes
    assert (two.shown_count, others.shown_count) == ("<5", str(len(everyone) - 1))
    assert f"most common theme in the written answers was “Rest” ({len(everyone) - 1} answers" in (
        _dashboard_text(demo_app)
    )


def _dashboard_text(app: Flask) -> str:
    page = log_in(app, "org@example.org").get(f"/staff/c/{SLUG}/")
    assert page.status == 200
    return page.soup.get_text(" ", strip=True)


def test_filtered_counts_follow_deletions_edits_and_new_answers(demo_app: Flask) -> None:
    """The counted part of a read is kept until the data changes: a participant deleting their
    submission, an organiser moving an answer and a new approval each show at once."""
    from consult.models import Submission
    from consult.themes import operations

    world = _world(demo_app)
    french = DashboardFilters(language="fr")
    before = _read(demo_app, world, french)
    assert before.answers_considered == 6
    gone = min(world["french"])
    with demo_app.app_context():
        submission = db.session.get(Submission, db.session.get(Response, gone).submission_id)
        participation.delete_submission(submission)
        db.session.commit()
    after = _read(demo_app, world, french)
    assert after.answers_considered == 5 and after.untranslated == 5
    for theme in after.themes:
        assert theme.answer_count == len(world["members"][theme.id] & (world["french"] - {gone}))
        assert gone not in {q.response_id for q in theme.quotes}
    # An organiser moves a French answer to another theme.
    moved = sorted(world["french"] - {gone})[0]
    source = next(t for t in world["members"] if moved in world["members"][t])
    target = next(t for t in world["members"] if moved not in world["members"][t])
    with demo_app.app_context():
        organiser = db.session.scalar(
            sa.select(StaffUser).where(StaffUser.email == "org@example.org")
        )
        operations.move_answer(
            moved, db.session.get(Theme, source), db.session.get(Theme, target), organiser
        )
        db.session.commit()
    counts = {t.id: t.answer_count for t in _read(demo_app, world, french).themes}
    assert counts[source] == len(world["members"][source] & (world["french"] - {gone})) - 1
    assert counts[target] == len(world["members"][target] & (world["french"] - {gone})) + 1
    # A new French answer approved: the themes are recomputed and it is counted.
    new = _person(demo_app, "les billets de bus coûtent trop cher pour les enfants", lang="fr")
    approve(demo_app, [new])
    assert _read(demo_app, world, french).answers_considered == 6
