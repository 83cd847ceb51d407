"""Every stored vocabulary, defined once: the value the database keeps and the words shown for it.

Each concept is one enum whose members carry their stored value and, when people see it, their
translated label (`AGREE = "agree", _l("I agree")`). The database's check constraints, the forms'
choices, the command line's choices and the templates' labels all derive from these classes, so a
new member is a change in one place (and a migration for the constraint).

Labels are lazy: they are translated when shown, in the reader's language. A member declared with
`STORED_ONLY` is a valid stored value that no form offers (a stance nobody chose is stored as
"skipped").
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any, Self

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

# Marks a member as stored but never offered as a choice in a form.
STORED_ONLY = "stored only"


class UnknownValue(ValueError):
    """A value that is not one of a vocabulary's members."""

    def __init__(self, vocabulary: type[Vocabulary], value: object) -> None:
        super().__init__(f"{value!r} is not a {vocabulary.__name__}")
        self.vocabulary = vocabulary
        self.value = value


class Vocabulary(enum.StrEnum):
    """A stored value, optionally with its label: `NAME = "value"` or `NAME = "value", _l("...")`.

    Members are strings (`Stance.AGREE == "agree"`), so they can be stored, compared and rendered
    as their value.
    """

    _label: Any
    _offered: bool

    def __new__(cls, value: str, label: Any = None, *flags: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        member._offered = label is not None and STORED_ONLY not in flags
        return member

    @property
    def label(self) -> Any:
        """The translated label (a lazy string), or None for a value people never see."""
        return self._label

    @classmethod
    def values(cls) -> list[str]:
        return [member.value for member in cls]

    @classmethod
    def offered(cls) -> list[Self]:
        """The members a form lets people choose, in declaration order."""
        return [member for member in cls if member._offered]

    @classmethod
    def choices(cls) -> list[tuple[str, Any]]:
        """(value, label) pairs of the offered members, for a form field."""
        return [(member.value, member.label) for member in cls.offered()]

    @classmethod
    def parse(cls, value: object) -> Self:
        """The member stored as `value`; UnknownValue (a ValueError) for anything else."""
        try:
            return cls(value)
        except ValueError:
            raise UnknownValue(cls, value) from None

    @classmethod
    def label_of(cls, value: str | None, default: Any = "") -> str:
        """The label of a stored value, in the current language; `default` for no value."""
        if value is None or value == "":
            return str(default)
        return str(cls.parse(value).label)

    @classmethod
    def check(cls, column: str, *, nullable: bool = False) -> sa.CheckConstraint:
        """The check constraint that keeps `column` to this vocabulary's values (named after the
        column; the naming convention makes it `ck_<table>_<column>`)."""
        allowed = sa.column(column).in_(cls.values())
        condition = sa.or_(sa.column(column).is_(None), allowed) if nullable else allowed
        return sa.CheckConstraint(condition, name=column)


# --- what participants answer --------------------------------------------------------------------


class Stance(Vocabulary):
    AGREE = "agree", _l("I agree")
    PARTLY = "partly", _l("I partly agree")
    DISAGREE = "disagree", _l("I disagree")
    NOT_SURE = "not_sure", _l("I am not sure")
    # Stored when the participant moved on without choosing.
    SKIPPED = "skipped", _l("No answer chosen"), STORED_ONLY


class JourneyStage(Vocabulary):
    """Where a participant is in their migration journey ("about you")."""

    ORIGIN = "origin", _l("I am still in my home country")
    TRANSIT = "transit", _l("I am on the way (in a country I am passing through)")
    DESTINATION = "destination", _l("I have arrived in the country where I want to stay")
    PREFER_NOT = "prefer_not", _l("I prefer not to say")


class Group(Vocabulary):
    """The groups the seed names as needing particular consideration."""

    WOMAN_OR_GIRL = "woman_or_girl", _l("A woman or a girl")
    UNDER_18 = "under_18", _l("A child or young person under 18")
    DISABILITY = "disability", _l("A person with a disability")
    LGBTQI = "lgbtqi", _l("An LGBTQI+ person")
    OLDER_PERSON = "older_person", _l("An older person")


class AgeBand(Vocabulary):
    UNDER_18 = "under_18", _l("Under 18")
    FROM_18_TO_29 = "18_29", _l("18 to 29")
    FROM_30_TO_44 = "30_44", _l("30 to 44")
    FROM_45_TO_59 = "45_59", _l("45 to 59")
    FROM_60 = "60_plus", _l("60 or older")
    PREFER_NOT = "prefer_not", _l("I prefer not to say")


# How the "about you" answers read back when a question was left out.
NOT_ANSWERED = _l("Not answered")


def groups_label(groups: Iterable[str], declined: bool) -> str:
    """The groups a participant chose, as one line in the current language."""
    if declined:
        return str(_l("I prefer not to say"))
    chosen = {Group.parse(value) for value in groups}
    names = [str(group.label) for group in Group if group in chosen]
    return ", ".join(names) if names else str(NOT_ANSWERED)


# --- what the consultation is about --------------------------------------------------------------


class RecommendationStage(Vocabulary):
    """The stage of the journey a recommendation is about (organisers choose it)."""

    ORIGIN = "origin", _l("Origin (home country)")
    TRANSIT = "transit", _l("Transit (on the way)")
    DESTINATION = "destination", _l("Destination (where people settle)")
    ALL = "all", _l("All stages")


class ConsultationStatus(Vocabulary):
    DRAFT = "draft", _l("Draft")
    OPEN = "open", _l("Open")
    CLOSED = "closed", _l("Closed")
    PUBLISHED = "published", _l("Published")


class TranslationStatus(Vocabulary):
    DRAFT = "draft"
    REVIEWED = "reviewed"


class SubmissionState(Vocabulary):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Channel(Vocabulary):
    WEB = "web"
    FACILITATED = "facilitated"
    IMPORTED = "imported"


# --- staff and moderation ------------------------------------------------------------------------


class Role(Vocabulary):
    ADMIN = "admin", _l("Admin")
    ORGANISER = "organiser", _l("Organiser")
    MODERATOR = "moderator", _l("Moderator")
    TRANSLATOR = "translator", _l("Translator")


class ModerationState(Vocabulary):
    PENDING = "pending", _l("Waiting for a decision")
    APPROVED = "approved", _l("Approved")
    REJECTED = "rejected", _l("Rejected")
    SAFEGUARDING = "safeguarding", _l("Safeguarding")

    @classmethod
    def queueable(cls) -> list[ModerationState]:
        """The states the moderation queue lists (safeguarding has its own list)."""
        return [state for state in cls if state is not cls.SAFEGUARDING]


class RejectReason(Vocabulary):
    SPAM = "spam", _l("Spam")
    ABUSIVE = "abusive", _l("Abusive")
    IDENTIFIES_SOMEONE = "identifies_someone", _l("Identifies someone")
    OFF_TOPIC = "off_topic", _l("Off-topic")
    OTHER = "other", _l("Other")


class PersonalDataKind(Vocabulary):
    """What the personal-data detector can find in an answer (see consult.text.redaction)."""

    PHONE = "phone", _l("phone number")
    EMAIL = "email", _l("e-mail address")
    URL = "url", _l("web address")
    ID_NUMBER = "id_number", _l("ID or case number")
    NAME = "name", _l("name")
