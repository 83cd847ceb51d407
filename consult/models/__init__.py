"""The data model: one module per aggregate. Importing this package registers every table."""

from consult.models.audit import AuditEvent
from consult.models.consultation import (
    Consultation,
    ConsultationStatus,
    ConsultationText,
    Recommendation,
    RecommendationText,
    TranslationStatus,
)
from consult.models.moderation import ResponseTranslation, SafeguardingCase
from consult.models.staff import ALL_ROLES, Role, StaffSession, StaffUser
from consult.models.submission import (
    AGE_BANDS,
    GROUPS,
    MIGRATION_STAGES,
    Channel,
    ModerationState,
    Response,
    Stance,
    Submission,
    SubmissionGroup,
    SubmissionState,
)

__all__ = [
    "AGE_BANDS",
    "ALL_ROLES",
    "GROUPS",
    "MIGRATION_STAGES",
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
