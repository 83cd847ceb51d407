"""The data model: one module per aggregate. Importing this package registers every table.

The stored vocabularies (stances, states, roles, ...) live in `consult.vocab`; the ones callers
have always imported from here are re-exported.
"""

from consult.models.audit import AuditEvent
from consult.models.consultation import (
    Consultation,
    ConsultationText,
    Recommendation,
    RecommendationText,
)
from consult.models.moderation import ResponseTranslation, SafeguardingCase
from consult.models.staff import StaffSession, StaffUser
from consult.models.submission import Response, Submission, SubmissionGroup
from consult.vocab import (
    Channel,
    ConsultationStatus,
    ModerationState,
    Role,
    Stance,
    SubmissionState,
    TranslationStatus,
)

__all__ = [
    "AuditEvent",
    "Channel",
    "Consultation",
    "ConsultationStatus",
    "ConsultationText",
    "ModerationState",
    "Recommendation",
    "RecommendationText",
    "Response",
    "ResponseTranslation",
    "Role",
    "SafeguardingCase",
    "StaffSession",
    "StaffUser",
    "Stance",
    "Submission",
    "SubmissionGroup",
    "SubmissionState",
    "TranslationStatus",
]
