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
    RecommendationVersion,
)
from consult.models.export_file import ExportFile, ExportFileStatus
from consult.models.moderation import ResponseTranslation, SafeguardingCase
from consult.models.outcomes import RecommendationOutcome
from consult.models.staff import StaffSession, StaffUser
from consult.models.submission import Response, Submission, SubmissionGroup
from consult.models.tallies import DashboardDay, DashboardTally, DashboardVersion
from consult.models.theme_tallies import ThemeInputTally, ThemeTally
from consult.models.themes import Theme, ThemeMember, ThemeRun
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
    "DashboardDay",
    "DashboardTally",
    "DashboardVersion",
    "ExportFile",
    "ExportFileStatus",
    "ModerationState",
    "Recommendation",
    "RecommendationOutcome",
    "RecommendationText",
    "RecommendationVersion",
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
    "Theme",
    "ThemeInputTally",
    "ThemeMember",
    "ThemeRun",
    "ThemeTally",
    "TranslationStatus",
]
