"""One vocabulary per concept: every value of every stored vocabulary goes through the real form
to a stored row and reads back as its label on the page that shows it; unknown values are refused
by the forms (422, the form shown again), by the operations (they raise) and by the database (the
check constraints the migrations built).

Tests are parametrized over the enums' members, so a new member is covered without a new test.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from flask import Flask

from consult import vocab
from consult.cli.staff import create_staff_command
from consult.core.extensions import db
from consult.i18n.catalogs import POT
from consult.models import (
    Consultation,
    ConsultationText,
    ExportFile,
    ExportFileStatus,
    Recommendation,
    RecommendationOutcome,
    RecommendationText,
    Response,
    StaffUser,
    Submission,
    SubmissionGroup,
    Theme,
)
from consult.moderation import operations as moderation
from consult.participation import operations as participation
from consult.staff.accounts.operations import AccountError, create_staff
from consult.text.redaction import PLACEHOLDERS
from consult.vocab import (
    AgeBand,
    Group,
    JourneyStage,
    ModerationState,
    PersonalDataKind,
    RejectReason,
    Role,
    Stance,
    UnknownValue,
    Vocabulary,
)
from tests.support.browser import Browser, Page
from tests.support.journey import SLUG, answer, start, submissions
from tests.support.staff import PASSWORD, log_in

VOCABULARIES = sorted(Vocabulary.__subclasses__(), key=lambda v: v.__name__)
LABELLED = [member for v in VOCABULARIES for member in v if member.label is not None]


def _id(member: Vocabulary) -> str:
    return f"{type(member).__name__}.{member.name}"


# --- the definitions ----------------------------------------------------------------------------


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda v: v.__name__)
def test_each_vocabulary_offers_its_labelled_members_and_parses_only_its_values(
    vocabulary: type[Vocabulary],
) -> None:
    assert len(set(vocabulary.values())) == len(vocabulary)
    for value, label in vocabulary.choices():
        assert vocabulary.parse(value).label is label
    if any(member.label is not None for member in vocabulary):
        assert all(member.label is not None for member in vocabulary), "all or none labelled"
    for member in vocabulary:
        assert vocabulary.parse(member.value) is member
        assert vocabulary.parse(str(member)) is member
    for unknown in ("unknown", "", None, 1):
        with pytest.raises(UnknownValue):
            vocabulary.parse(unknown)


def test_skipped_is_stored_but_not_offered() -> None:
    assert Stance.SKIPPED not in Stance.offered()
    assert [value for value, _ in Stance.choices()] == ["agree", "partly", "disagree", "not_sure"]


@pytest.mark.parametrize("member", LABELLED, ids=_id)
def test_every_label_is_in_the_translation_catalogs(member: Vocabulary) -> None:
    with POT.open("rb") as handle:
        catalog = read_po(handle)
    assert str(member.label) in catalog, f"{member.label!r} would need new translations"


def test_personal_data_kinds_are_the_detectors_kinds() -> None:
    assert set(PersonalDataKind.values()) == set(PLACEHOLDERS)


def test_cli_offers_exactly_the_roles() -> None:
    [option] = [p for p in create_staff_command.params if p.name == "roles"]
    assert list(option.type.choices) == Role.values()


# --- the database refuses what the vocabulary does not have --------------------------------------

# Every column a check constraint keeps to a vocabulary.
CHECKED = [
    (Consultation, "status", vocab.ConsultationStatus),
    (ConsultationText, "status", vocab.TranslationStatus),
    (RecommendationText, "status", vocab.TranslationStatus),
    (Recommendation, "stage", vocab.RecommendationStage),
    (Submission, "state", vocab.SubmissionState),
    (Submission, "channel", vocab.Channel),
    (Submission, "stage", JourneyStage),
    (Submission, "age_band", AgeBand),
    (SubmissionGroup, "group", Group),
    (Response, "stance", Stance),
    (Response, "moderation_state", ModerationState),
    (Response, "moderation_reason", RejectReason),
    (RecommendationOutcome, "status", vocab.TranslationStatus),
    (ExportFile, "status", ExportFileStatus),
]

# Every other check constraint: (its name, the column, values it keeps, values it refuses).
BOUNDED = [
    (
        "ck_consultation_small_group_threshold_at_least_3",
        Consultation,
        "small_group_threshold",
        [3, 5, 100],
        [2, 0, -5],
    ),
    ("ck_consultation_retention_days_positive", Consultation, "retention_days", [1, 730], [0, -1]),
    ("ck_theme_origin_known", Theme, "origin", ["computed", "organiser"], ["other", ""]),
]


def test_every_check_constraint_is_tested() -> None:
    in_models = {
        constraint.name
        for table in db.metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, sa.CheckConstraint)
    }
    assert in_models == {f"ck_{model.__tablename__}_{column}" for model, column, _ in CHECKED} | {
        name for name, *_ in BOUNDED
    }


@pytest.fixture
def one_of_each(app: Flask) -> Iterator[None]:
    """A row in every table with a checked column (the app's database is built by migrations)."""
    with app.app_context():
        consultation = Consultation(slug="c", source_language="en", working_languages=[])
        consultation.texts.append(ConsultationText(language="en", title="C"))
        recommendation = Recommendation(consultation=consultation, key="k", position=1, section="s")
        recommendation.texts.append(RecommendationText(language="en", title="R"))
        submission = Submission(
            consultation=consultation, language="en", consent_version=1, created_on=date.today()
        )
        submission.groups.append(SubmissionGroup(group=Group.DISABILITY))
        db.session.add(Response(submission=submission, recommendation=recommendation))
        db.session.add(RecommendationOutcome(recommendation=recommendation, language="en"))
        db.session.add(
            ExportFile(
                consultation=consultation,
                format="xlsx",
                stored_name="stored",
                filename="c-answers.xlsx",
                expires_at=datetime(2030, 1, 1),
            )
        )
        db.session.flush()
        db.session.add(Theme(recommendation_id=recommendation.id, label="T"))
        db.session.commit()
        yield


@pytest.mark.parametrize(
    ("model", "column", "vocabulary"),
    CHECKED,
    ids=[f"{m.__tablename__}.{c}" for m, c, _ in CHECKED],
)
@pytest.mark.usefixtures("one_of_each")
def test_the_database_stores_every_value_and_refuses_others(
    model: type[db.Model], column: str, vocabulary: type[Vocabulary]
) -> None:
    for member in vocabulary:
        db.session.execute(sa.update(model).values({column: member.value}))
    db.session.commit()
    assert db.session.scalar(sa.select(getattr(model, column))) == list(vocabulary)[-1]
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(model).values({column: "not_a_value"}))
    db.session.rollback()


@pytest.mark.parametrize(
    ("name", "model", "column", "kept", "refused"), BOUNDED, ids=[b[0] for b in BOUNDED]
)
@pytest.mark.usefixtures("one_of_each")
def test_the_database_keeps_values_in_bounds_and_refuses_others(
    name: str, model: type[db.Model], column: str, kept: list[object], refused: list[object]
) -> None:
    for value in kept:
        db.session.execute(sa.update(model).values({column: value}))
        db.session.commit()
        assert db.session.scalar(sa.select(getattr(model, column))) == value
    for value in refused:
        with pytest.raises(sa.exc.IntegrityError, match=name):
            db.session.execute(sa.update(model).values({column: value}))
        db.session.rollback()
    assert db.session.scalar(sa.select(getattr(model, column))) == kept[-1]


def test_the_migration_adding_the_checks_keeps_every_row(app: Flask, one_of_each: None) -> None:
    """On SQLite the migration copies `submission` and `response`: dropping the old tables must
    not cascade to the answers, groups, translations and cases that refer to them."""
    from flask_migrate import downgrade, upgrade

    from consult.models import ResponseTranslation, SafeguardingCase

    response_id = db.session.scalar(sa.select(Response.id))
    db.session.add(
        ResponseTranslation(response_id=response_id, language="fr", text="t", provenance="human")
    )
    db.session.add(SafeguardingCase(response_id=response_id))
    db.session.commit()
    tables = [Submission, SubmissionGroup, Response, ResponseTranslation, SafeguardingCase]

    def counts() -> list[int]:
        return [db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in tables]

    db.session.remove()
    downgrade(revision="0002_staff")
    assert counts() == [1, 1, 1, 1, 1]
    db.session.remove()
    upgrade()
    assert counts() == [1, 1, 1, 1, 1]
    db.session.remove()
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


# --- participants: stance and "about you" -------------------------------------------------------


def _radio_values(page: Page, name: str) -> list[str]:
    return [i["value"] for i in page.soup.find_all("input", attrs={"name": name})]


def _label_for(page: Page, name: str, value: str) -> str:
    option = page.soup.find("input", attrs={"name": name, "value": value})
    return page.soup.find("label", attrs={"for": option["id"]}).get_text(" ", strip=True)


@pytest.mark.parametrize("stance", list(Stance), ids=_id)
def test_stance_from_the_form_to_the_review_page(
    browser: Browser, demo_app: Flask, stance: Stance
) -> None:
    page = start(browser)
    assert _radio_values(page, "stance") == [s.value for s in Stance.offered()]
    if stance in Stance.offered():
        assert _label_for(page, "stance", stance.value) == str(stance.label)
    # Moving on without choosing is how "skipped" is stored.
    page = answer(browser, None if stance is Stance.SKIPPED else stance.value)
    assert page.status == 200
    [draft] = submissions(demo_app)
    [response] = draft.responses
    assert response.stance == stance
    review = browser.get(f"/en/c/{SLUG}/review")
    first = review.soup.select_one(".review-item .stance").get_text(" ", strip=True)
    assert first.endswith(str(stance.label))


PROFILE_QUESTIONS = [
    (JourneyStage, "stage", "Where you are:"),
    (AgeBand, "age_band", "Age:"),
    (Group, "groups", "Groups:"),
]
PROFILE_VALUES = [
    (vocabulary, field, line, member)
    for vocabulary, field, line in PROFILE_QUESTIONS
    for member in vocabulary
]


def _review_line(page: Page, start_of_line: str) -> str:
    lines = [li.get_text(" ", strip=True) for li in page.soup.select(".review-list li")]
    [line] = [text for text in lines if text.startswith(start_of_line)]
    return line


@pytest.mark.parametrize(
    ("vocabulary", "field", "line", "member"),
    PROFILE_VALUES,
    ids=[_id(v[3]) for v in PROFILE_VALUES],
)
def test_about_you_from_the_form_to_the_review_page(
    browser: Browser,
    demo_app: Flask,
    vocabulary: type[Vocabulary],
    field: str,
    line: str,
    member: Vocabulary,
) -> None:
    start(browser)
    page = browser.get(f"/en/c/{SLUG}/about")
    assert _radio_values(page, field) == vocabulary.values()
    assert _label_for(page, field, member.value) == str(member.label)
    value: str | list[str] = [member.value] if field == "groups" else member.value
    page = browser.submit({field: value}, button=("action", "next"))
    assert page.url == f"/en/c/{SLUG}/review"
    [draft] = submissions(demo_app)
    stored = draft.group_names if field == "groups" else getattr(draft, field)
    assert stored == value
    assert _review_line(page, line) == f"{line} {member.label!s}"


def test_unanswered_about_you_reads_not_answered(browser: Browser) -> None:
    start(browser)
    page = browser.get(f"/en/c/{SLUG}/review")
    for _, _, line in PROFILE_QUESTIONS:
        assert _review_line(page, line) == f"{line} {vocab.NOT_ANSWERED!s}"


@pytest.mark.parametrize(
    ("step", "fields"),
    [
        ("q/1", {"stance": "strongly"}),
        ("about", {"stage": "on_the_moon"}),
        ("about", {"age_band": "200_plus"}),
        ("about", {"groups": ["woman_or_girl", "giants"]}),
    ],
    ids=["stance", "stage", "age_band", "groups"],
)
def test_participant_forms_refuse_unknown_values(
    browser: Browser, demo_app: Flask, step: str, fields: dict[str, str | list[str]]
) -> None:
    start(browser)
    browser.get(f"/en/c/{SLUG}/{step}")
    page = browser.submit(fields, button=("action", "next"))
    assert page.status == 422
    assert page.url == f"/en/c/{SLUG}/{step}"
    assert "Please choose one of the answers shown." in page.text
    [name] = fields
    assert page.soup.find("input", attrs={"name": name}) is not None, "the form is shown again"
    [draft] = submissions(demo_app)
    assert draft.responses == []
    assert (draft.stage, draft.age_band, draft.groups) == (None, None, [])


@pytest.mark.parametrize(
    "profile",
    [
        {"stage": "on_the_moon"},
        {"age_band": "200_plus"},
        {"groups": ["woman_or_girl", "giants"]},
    ],
    ids=["stage", "age_band", "groups"],
)
def test_operations_refuse_unknown_values(
    browser: Browser, demo_app: Flask, profile: dict[str, object]
) -> None:
    start(browser)
    with demo_app.app_context():
        draft = db.session.scalar(sa.select(Submission))
        participation.save_profile(
            draft, stage="origin", age_band="18_29", groups=["lgbtqi"], groups_declined=False
        )
        db.session.commit()
        arguments = {"stage": None, "age_band": None, "groups": [], **profile}
        with pytest.raises(UnknownValue):
            participation.save_profile(draft, groups_declined=False, **arguments)
        recommendation = draft.consultation.recommendations[0]
        with pytest.raises(UnknownValue):
            participation.save_answer(draft, recommendation, "strongly", "text", "en")
        db.session.rollback()
    [draft] = submissions(demo_app)
    assert (draft.stage, draft.age_band, draft.group_names) == ("origin", "18_29", ["lgbtqi"])
    assert draft.responses == []


# --- staff: roles -------------------------------------------------------------------------------


@pytest.fixture
def admin(app: Flask) -> Browser:
    with app.app_context():
        create_staff("admin@example.org", PASSWORD, [Role.ADMIN])
        db.session.commit()
    return log_in(app, "admin@example.org")


def _roles_of(app: Flask, email: str) -> list[str] | None:
    with app.app_context():
        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))
        return None if user is None else list(user.roles)


@pytest.mark.parametrize("role", list(Role), ids=_id)
def test_role_from_the_invitation_form_to_the_staff_list(
    app: Flask, admin: Browser, role: Role
) -> None:
    page = admin.get("/staff/admin/staff")
    assert _radio_values(page, "roles") == Role.values()
    page = admin.submit({"email": "new@example.org", "roles": [role.value]})
    assert page.status == 200, page.text
    assert _roles_of(app, "new@example.org") == [role]
    [card] = [c for c in page.soup.select("article") if "new@example.org" in c.h3.get_text()]
    [checked] = card.select("input[name$='-roles'][checked]")
    assert checked["value"] == role
    label = card.find("label", attrs={"for": checked["id"]})
    assert label.get_text(strip=True) == str(role.label)


def test_unknown_role_is_refused(app: Flask, admin: Browser) -> None:
    admin.get("/staff/admin/staff")
    page = admin.submit({"email": "new@example.org", "roles": ["overlord"]})
    assert page.status == 422
    assert page.field_value("email") == "new@example.org", "the form is shown again"
    assert _roles_of(app, "new@example.org") is None
    with app.app_context(), pytest.raises(AccountError):
        create_staff("other@example.org", PASSWORD, ["overlord"])
    result = app.test_cli_runner().invoke(
        args=["create-staff", "cli@example.org", "--role", "overlord"]
    )
    assert result.exit_code == 2 and "overlord" in result.output
    assert _roles_of(app, "cli@example.org") is None


# --- moderation: states, reject reasons, personal data -------------------------------------------


def _submitted_answer(app: Flask, text: str) -> int:
    """A participant writes `text` to idea 1 and sends it, through the real pages."""
    participant = Browser(app.test_client())
    start(participant)
    answer(participant, "agree", text)
    participant.get(f"/en/c/{SLUG}/review")
    assert participant.submit().url.endswith("/thanks")
    with app.app_context():
        return db.session.scalar(sa.select(Response.id).where(Response.text == text))


def _stored(app: Flask, response_id: int) -> Response:
    with app.app_context():
        row = db.session.get(Response, response_id)
        db.session.expunge(row)
        return row


@pytest.fixture
def moderator(demo_app: Flask) -> Browser:
    with demo_app.app_context():
        create_staff("mod@example.org", PASSWORD, [Role.MODERATOR])
        db.session.commit()
    return log_in(demo_app, "mod@example.org")


# The button on the answer's page that leads to each state (pending: none).
DECISIONS = {
    ModerationState.PENDING: None,
    ModerationState.APPROVED: "approve",
    ModerationState.REJECTED: "reject",
    ModerationState.SAFEGUARDING: "escalate",
}


def test_every_moderation_state_has_a_decision() -> None:
    assert set(DECISIONS) == set(ModerationState)


@pytest.mark.parametrize("state", list(ModerationState), ids=_id)
def test_moderation_state_from_the_decision_to_the_answer_page(
    demo_app: Flask, moderator: Browser, state: ModerationState
) -> None:
    rid = _submitted_answer(demo_app, "Free lawyers would save families years of waiting.")
    moderator.get(f"/staff/moderate/{rid}")
    if DECISIONS[state]:
        moderator.submit(button=("action", DECISIONS[state]))
    assert _stored(demo_app, rid).moderation_state == state
    reader = moderator
    if state is ModerationState.SAFEGUARDING:
        # A case's original is read only by the roles of the safeguarding list.
        assert moderator.get(f"/staff/moderate/{rid}").status == 403
        with demo_app.app_context():
            create_staff("admin@example.org", PASSWORD, [Role.ADMIN])
            db.session.commit()
        reader = log_in(demo_app, "admin@example.org")
    page = reader.get(f"/staff/moderate/{rid}")
    assert page.soup.select_one("p.meta strong").get_text(strip=True) == str(state.label)


@pytest.mark.parametrize("state", ModerationState.queueable(), ids=_id)
def test_queue_filters_by_every_queueable_state(
    demo_app: Flask, moderator: Browser, state: ModerationState
) -> None:
    page = moderator.get(f"/staff/moderate/?state={state}")
    options = page.soup.select("#filter-state option")
    assert [(o["value"], o.get_text(strip=True)) for o in options] == [
        (s.value, str(s.label)) for s in ModerationState.queueable()
    ]
    [selected] = [o["value"] for o in options if o.has_attr("selected")]
    assert selected == state


@pytest.mark.parametrize("reason", list(RejectReason), ids=_id)
def test_reject_reason_from_the_form_to_the_stored_row(
    demo_app: Flask, moderator: Browser, reason: RejectReason
) -> None:
    rid = _submitted_answer(demo_app, "buy cheap watches here")
    page = moderator.get(f"/staff/moderate/{rid}")
    options = page.soup.select("#decision-form select[name=reason] option")
    assert [(o["value"], o.get_text(strip=True)) for o in options] == [
        (r.value, str(r.label)) for r in RejectReason
    ]
    moderator.submit({"reason": reason.value}, button=("action", "reject"))
    row = _stored(demo_app, rid)
    assert (row.moderation_state, row.moderation_reason) == (ModerationState.REJECTED, reason)


def test_unknown_reject_reason_is_refused(demo_app: Flask, moderator: Browser) -> None:
    rid = _submitted_answer(demo_app, "buy cheap watches here")
    moderator.get(f"/staff/moderate/{rid}")
    page = moderator.submit({"reason": "boring"}, button=("action", "reject"))
    assert page.status == 422
    assert page.soup.select_one("#decision-form select[name=reason]") is not None
    assert _stored(demo_app, rid).moderation_state == ModerationState.PENDING
    with demo_app.app_context():
        response = db.session.get(Response, rid)
        staff = db.session.scalar(sa.select(StaffUser))
        with pytest.raises(sa.exc.IntegrityError):
            moderation.decide(response, staff, moderation.Decision.REJECT, reason="boring")
        db.session.rollback()
    assert _stored(demo_app, rid).moderation_state == ModerationState.PENDING


PERSONAL_DATA = {
    PersonalDataKind.PHONE: ("Call my brother on +49 151 23456789.", "+49 151 23456789"),
    PersonalDataKind.EMAIL: ("Write to ahmed.k@gmail.com for the papers.", "ahmed.k@gmail.com"),
    PersonalDataKind.URL: (
        "It is all on https://example.org/x?y=1 now.",
        "https://example.org/x?y=1",
    ),
    PersonalDataKind.ID_NUMBER: ("My UNHCR case number is 12345678.", "12345678"),
    PersonalDataKind.NAME: ("My name is Ahmed Al-Hassan and I live here.", "Ahmed Al-Hassan"),
}


@pytest.mark.parametrize("kind", list(PersonalDataKind), ids=_id)
def test_personal_data_kind_from_the_answer_to_the_highlight(
    demo_app: Flask, moderator: Browser, kind: PersonalDataKind
) -> None:
    text, found = PERSONAL_DATA[kind]
    rid = _submitted_answer(demo_app, text)
    assert _stored(demo_app, rid).personal_data_kinds == kind
    page = moderator.get(f"/staff/moderate/{rid}")
    [mark] = page.soup.select("blockquote.original mark")
    assert (mark.get_text(), mark["title"]) == (found, str(kind.label))
