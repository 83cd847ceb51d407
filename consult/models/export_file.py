"""An export built in the background and kept for a day: a large XLSX file of a consultation's
answers (consult.outcomes.export_files).

One row per requested file: who asked for it, which consultation, which format, with or without the
original texts, where it stands (queued, building, ready, failed) and, once ready, how many answers
and bytes it holds. The file itself lives in the instance folder's `exports/` under `stored_name`,
a random name nobody can guess; the row holds no participant text. The row and the file go
together when the file expires.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models.consultation import Consultation
from consult.models.staff import StaffUser
from consult.vocab import Vocabulary


class ExportFileStatus(Vocabulary):
    QUEUED = "queued", _l("Waiting to be built")
    BUILDING = "building", _l("Being built")
    READY = "ready", _l("Ready")
    FAILED = "failed", _l("Failed")


class ExportFile(db.Model):
    __tablename__ = "export_file"
    __table_args__ = (
        ExportFileStatus.check("status"),
        sa.Index("ix_export_file_consultation_requested_by", "consultation_id", "requested_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE")
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    format: Mapped[str] = mapped_column(sa.String(8))
    # With the original (unredacted) texts: only an admin may download it.
    full: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(16), default=ExportFileStatus.QUEUED)
    # The file's name in instance/exports/: random (secrets.token_urlsafe), never shown.
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The name the download is saved under, e.g. "<slug>-answers-2026-12-14.xlsx".
    filename: Mapped[str] = mapped_column(sa.String(200))
    answers: Mapped[int | None]
    size: Mapped[int | None]
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime] = mapped_column(index=True)

    consultation: Mapped[Consultation] = relationship()
    requested_by: Mapped[StaffUser | None] = relationship()
