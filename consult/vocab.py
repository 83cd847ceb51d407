"""Words shown for stored values (stances, journey stages, groups, age bands), per request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from consult.models import Submission

STANCE_CHOICES = [
    ("agree", _l("I agree")),
    ("partly", _l("I partly agree")),
    ("disagree", _l("I disagree")),
    ("not_sure", _l("I am not sure")),
]
STAGE_CHOICES = [
    ("origin", _l("I am still in my home country")),
    ("transit", _l("I am on the way (in a country I am passing through)")),
    ("destination", _l("I have arrived in the country where I want to stay")),
    ("prefer_not", _l("I prefer not to say")),
]
GROUP_CHOICES = [
    ("woman_or_girl", _l("A woman or a girl")),
    ("under_18", _l("A child or young person under 18")),
    ("disability", _l("A person with a disability")),
    ("lgbtqi", _l("An LGBTQI+ person")),
    ("older_person", _l("An older person")),
]
AGE_CHOICES = [
    ("under_18", _l("Under 18")),
    ("18_29", _l("18 to 29")),
    ("30_44", _l("30 to 44")),
    ("45_59", _l("45 to 59")),
    ("60_plus", _l("60 or older")),
    ("prefer_not", _l("I prefer not to say")),
]


STANCE_LABELS = {**dict(STANCE_CHOICES), "skipped": _l("No answer chosen")}


class ProfileLabels:
    """How the "about you" answers read back to the participant."""

    not_answered = _l("Not answered")

    def stage(self, value: str | None) -> str:
        return str(dict(STAGE_CHOICES).get(value or "", self.not_answered))

    def age(self, value: str | None) -> str:
        return str(dict(AGE_CHOICES).get(value or "", self.not_answered))

    def groups(self, submission: Submission) -> str:
        if submission.groups_declined:
            return str(_l("I prefer not to say"))
        names = dict(GROUP_CHOICES)
        chosen = [str(names[g]) for g in submission.group_names if g in names]
        return ", ".join(chosen) if chosen else str(self.not_answered)


ROLE_CHOICES = [
    ("admin", _l("Admin")),
    ("organiser", _l("Organiser")),
    ("moderator", _l("Moderator")),
    ("translator", _l("Translator")),
]
ROLE_LABELS = dict(ROLE_CHOICES)

REJECT_REASON_CHOICES = [
    ("spam", _l("Spam")),
    ("abusive", _l("Abusive")),
    ("identifies_someone", _l("Identifies someone")),
    ("off_topic", _l("Off-topic")),
    ("other", _l("Other")),
]
REJECT_REASON_LABELS = dict(REJECT_REASON_CHOICES)

MODERATION_STATE_LABELS = {
    "pending": _l("Waiting for a decision"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "safeguarding": _l("Safeguarding"),
}

PERSONAL_DATA_LABELS = {
    "phone": _l("phone number"),
    "email": _l("e-mail address"),
    "url": _l("web address"),
    "id_number": _l("ID or case number"),
    "name": _l("name"),
}
