"""Themes through the app: computed in the background after approvals (in-process, no Redis),
cached until a new approval, built only from approved answers' public text, organisers' edits
kept across recomputation, and the staff page's access rules. SQLite and PostgreSQL."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import Consultation, Response, ResponseTranslation, StaffUser
from consult.models.themes import Theme, ThemeRun
from consult.moderation.operations import Decision
from consult.themes import operations
from consult.themes.queries import themes_for
from tests.support.factories import staff_member, submitted_answers
from tests.support.staff import audit_actions, log_in
from tests.themes.support import answers, approve


def _submit(app: Flask, texts: list[str], lang: str = "en", stance: str = "agree") -> list[int]:
    return [submitted_answers(app, [text], lang=lang, stance=stance)[0] for text in texts]


def _recommendation_id(app: Flask, response_id: int) -> int:
    with app.app_context():
        return db.session.get(Response, response_id).recommendation_id


def _themes(app: Flask, recommendation_id: int):
    with app.app_context():
        return themes_for(recommendation_id)


def _members(app: Flask, recommendation_id: int) -> dict[str, set[int]]:
    with app.app_context():
        themes = db.session.scalars(
            sa.select(Theme).where(
                Theme.recommendation_id == recommendation_id, Theme.discarded.is_(False)
            )
        )
        return {t.label: {m.response_id for m in t.members if not m.excluded} for t in themes}


def test_approvals_compute_themes_from_approved_public_text_only(demo_app: Flask) -> None:
    staff_member(demo_app, "mod@example.org", "moderator")
    ids = _submit(demo_app, answers("bus", "classes"))
    hidden = _submit(demo_app, ["zebra zebra zebra tickets"] * 3)
    rejected = _submit(demo_app, ["giraffe giraffe giraffe classes"] * 3)
    approve(demo_app, rejected, Decision.REJECT)
    approve(demo_app, ids)  # the commit runs the recomputation (in-process, no request)
    rid = _recommendation_id(demo_app, ids[0])
    result = _themes(demo_app, rid)
    assert result.themes and not result.pending
    assert result.answers_considered == len(ids)
    members = _members(demo_app, rid)
    everyone = set().union(*members.values())
    assert everyone <= set(ids) and not everyone & set(hidden + rejected)
    for theme in result.themes:
        assert "zebra" not in theme.label and "giraffe" not in theme.label
        assert {q.response_id for q in theme.quotes} <= members[theme.label]
        assert 2 <= len(theme.quotes) <= 3
        assert 0 < theme.share <= 1


def test_cached_until_a_new_approval_and_deterministic(demo_app: Flask) -> None:
    staff_member(demo_app, "mod@example.org", "moderator")
    ids = _submit(demo_app, answers("bus", "permits"))
    approve(demo_app, ids)
    rid = _recommendation_id(demo_app, ids[0])
    before = _members(demo_app, rid)
    with demo_app.app_context():
        assert operations.recompute(rid) is False  # same input: the cache stays
        computed_at = db.session.get(ThemeRun, rid).computed_at
        db.session.commit()
    later = _submit(demo_app, answers("housing")[:5])
    with demo_app.app_context():  # an approval marks the themes pending before the job runs
        operations.request_recompute(rid)
        db.session.flush()
        assert themes_for(rid).pending
        db.session.rollback()
    approve(demo_app, later)
    with demo_app.app_context():
        run = db.session.get(ThemeRun, rid)
        assert run.computed_at > computed_at and run.answers_considered == len(ids) + 5
        assert not themes_for(rid).pending
        assert operations.recompute(rid, force=True) is True
        db.session.commit()
    assert set(_members(demo_app, rid)) == set(_members(demo_app, rid))
    with demo_app.app_context():  # recomputing the same input gives the same themes
        operations.recompute(rid, force=True)
        db.session.commit()
    again = _members(demo_app, rid)
    with demo_app.app_context():
        operations.recompute(rid, force=True)
        db.session.commit()
    assert _members(demo_app, rid) == again
    assert before  # themes existed before the new answers


def test_untranslated_answers_are_counted_and_translations_are_read(demo_app: Flask) -> None:
    staff_member(demo_app, "mod@example.org", "moderator")
    with demo_app.app_context():
        for consultation in db.session.scalars(sa.select(Consultation)):
            consultation.working_languages = ["en"]
        db.session.commit()
    english = _submit(demo_app, answers("bus", "classes"))
    french = _submit(demo_app, ["les billets de bus coûtent trop cher"] * 4, lang="fr")
    approve(demo_app, english + french)
    rid = _recommendation_id(demo_app, english[0])
    assert _themes(demo_app, rid).untranslated == 4
    with demo_app.app_context():  # a saved translation asks for a recomputation
        translator = db.session.scalar(sa.select(StaffUser))
        db.session.add(
            ResponseTranslation(
                response_id=french[0],
                language="en",
                text="bus tickets cost too much",
                provenance="human",
                translator_id=translator.id,
                reviewed=True,
            )
        )
        db.session.commit()
    result = _themes(demo_app, rid)
    assert result.untranslated == 3
    quotes = [q for t in result.themes for q in t.quotes if q.response_id == french[0]]
    for quote in quotes:
        assert quote.translation == "bus tickets cost too much"
        assert quote.original_language == "fr" and quote.translation_language == "en"


def test_organisers_edits_survive_recomputation(demo_app: Flask) -> None:
    staff_member(demo_app, "mod@example.org", "moderator")
    staff_member(demo_app, "org@example.org", "organiser")
    ids = _submit(demo_app, answers("bus", "classes", "permits"))
    approve(demo_app, ids)
    rid = _recommendation_id(demo_app, ids[0])
    with demo_app.app_context():
        organiser = db.session.scalar(
            sa.select(StaffUser).where(StaffUser.email == "org@example.org")
        )
        themes = list(db.session.scalars(sa.select(Theme).where(Theme.recommendation_id == rid)))
        assert len(themes) >= 2
        first, second = themes[0], themes[1]
        operations.rename(first, "Organiser's name", organiser)
        moved = sorted(m.response_id for m in second.members)[0]
        operations.move_answer(moved, second, first, organiser)
        first_id, second_id = first.id, second.id
        if len(themes) > 2:
            operations.discard(themes[2], organiser)
            discarded = {m.response_id for m in themes[2].members}
        else:
            discarded = set()
        db.session.commit()
    new = _submit(demo_app, answers("bus")[:3])
    approve(demo_app, new)  # recomputes
    with demo_app.app_context():
        operations.recompute(rid, force=True)
        db.session.commit()
        first = db.session.get(Theme, first_id)
        assert first.label == "Organiser's name" and first.pinned
        assert moved in {m.response_id for m in first.members if not m.excluded}
        second = db.session.get(Theme, second_id)
        assert moved not in {m.response_id for m in second.members if not m.excluded}
        assert first.reviewed_by.email == "org@example.org"
        shown = themes_for(rid)
        assert "Organiser's name" in {t.label for t in shown.themes}
        assert {t.reviewed_by for t in shown.themes if t.id == first_id} == {"org@example.org"}
        if discarded:  # the discarded theme does not come back under another name
            for theme in shown.themes:
                members = set(_members(demo_app, rid).get(theme.label, set()))
                assert len(members & discarded) < 0.5 * len(members) or theme.id == first_id
    assert "theme.renamed" in audit_actions(demo_app)


def test_staff_page_edits_and_access(demo_app: Flask) -> None:
    staff_member(demo_app, "mod@example.org", "moderator")
    staff_member(demo_app, "org@example.org", "organiser")
    ids = _submit(demo_app, answers("bus", "classes"))
    approve(demo_app, ids)
    rid = _recommendation_id(demo_app, ids[0])
    with demo_app.app_context():
        slug = db.session.scalar(sa.select(Consultation.slug))
        theme_id = db.session.scalar(sa.select(Theme.id).where(Theme.recommendation_id == rid))
    url = f"/staff/c/{slug}/themes/{rid}"
    moderator = log_in(demo_app, "mod@example.org")
    assert moderator.get(url).status == 403
    organiser = log_in(demo_app, "org@example.org")
    page = organiser.get(url)
    assert "Rename" in page.text
    page = organiser.submit(
        {"theme": str(theme_id), "label": "Transport costs"}, button=("action", "rename")
    )
    assert page.status == 200 and "Transport costs" in page.text
    organiser.get(url)
    bad = organiser.submit({"theme": "999999", "label": "x"}, button=("action", "rename"))
    assert bad.status == 422 and "could not be made" in bad.text
    events = [e for e in audit_actions(demo_app) if e.startswith("theme.")]
    assert events == ["theme.renamed"]


def test_merge_and_split_survive_recomputation(demo_app: Flask) -> None:
    staff_member(demo_app, "mod@example.org", "moderator")
    staff_member(demo_app, "org@example.org", "organiser")
    ids = _submit(demo_app, answers("bus", "classes", "permits"))
    approve(demo_app, ids)
    rid = _recommendation_id(demo_app, ids[0])
    with demo_app.app_context():
        organiser = db.session.scalar(
            sa.select(StaffUser).where(StaffUser.email == "org@example.org")
        )
        themes = list(db.session.scalars(sa.select(Theme).where(Theme.recommendation_id == rid)))
        assert len(themes) >= 2
        keep, absorbed = themes[0], themes[1]
        union = {m.response_id for t in (keep, absorbed) for m in t.members if not m.excluded}
        operations.merge(keep, absorbed, organiser)
        chosen = sorted(union)[:3]
        split_off = operations.split(keep, chosen, "Split by hand", organiser)
        keep_id, split_id = keep.id, split_off.id
        db.session.commit()
    with demo_app.app_context():
        operations.recompute(rid, force=True)
        db.session.commit()
        keep = db.session.get(Theme, keep_id)
        split_off = db.session.get(Theme, split_id)
        assert {m.response_id for m in split_off.members if not m.excluded} == set(chosen)
        kept = {m.response_id for m in keep.members if not m.excluded}
        assert kept == union - set(chosen)
        labels = [t.label for t in themes_for(rid).themes]
        assert "Split by hand" in labels and len(labels) == len(set(labels))
    assert {"theme.merged", "theme.split"} <= set(audit_actions(demo_app))


def test_quotes_link_to_moderation_only_for_moderators(demo_app: Flask) -> None:
    """The themes macro (dashboard, report) links a quote to the moderation page only for staff
    who can open it; organisers see the answer's number as text."""
    from flask import render_template_string
    from flask_login import login_user

    staff_member(demo_app, "org@example.org", "organiser")
    staff_member(demo_app, "both@example.org", "organiser", "moderator")
    ids = _submit(demo_app, answers("bus", "classes"))
    approve(demo_app, ids)
    rid = _recommendation_id(demo_app, ids[0])
    macro = (
        '{% from "themes/_themes.html" import recommendation_themes with context %}'
        "{{ recommendation_themes(rt) }}"
    )
    answer_link = re.compile(r'href="[^"]*/moderate/(\d+)"')
    pages = {}
    for email in ("org@example.org", "both@example.org"):
        with demo_app.test_request_context():
            login_user(db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email)))
            pages[email] = render_template_string(macro, rt=themes_for(rid))
    assert "Answer " in pages["org@example.org"]
    assert not answer_link.search(pages["org@example.org"])
    linked = {int(i) for i in answer_link.findall(pages["both@example.org"])}
    assert linked and linked <= set(ids)
