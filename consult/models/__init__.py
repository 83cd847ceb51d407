"""The data model: one module per aggregate. Importing this package registers every table."""

from consult.models.consultation import (
    Consultation,
    ConsultationStatus,
    ConsultationText,
    Recommendation,
    RecommendationText,
    TranslationStatus,
)
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
    "GROUPS",
    "MIGRATION_STAGES",
    "Channel",
    "Consultation",
    "ConsultationStatus",
    "ConsultationText",
    "ModerationState",
    "Recommendation",
    "RecommendationText",
    "Response",
    "Stance",
    "Submission",
    "SubmissionGroup",
    "SubmissionState",
    "TranslationStatus",
]
