"""Large exports built in the background and kept for a day (docs/decisions.md, "Large exports").

An XLSX file cannot be streamed as it is written (the zip's directory comes last and openpyxl writes
the whole file before the first byte can leave), and openpyxl writes a few thousand rows a second:
an export of many answers would keep the browser waiting, with nothing sent, longer than a reverse
proxy allows. So above `job_threshold` answers the request only asks for the file: a job
(`consult.jobs`: RQ, or in-process after the response) writes it into the instance folder's
`exports/` under a random name (mode 0600), and the export page lists the requester's files with
their status until one is ready to download. The same rules as the direct download hold: organisers
and admins only, the file with the original texts for admins only, the request and each download on
the audit record. A file and its row are deleted `FILE_LIFETIME` after the request, by the purge
command or on the next visit to an export page, whichever comes first.

Small exports, and CSV and JSON of any size (streamed row by row from the first byte), are
downloaded directly as before (consult.outcomes.views).
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from consult import audit, jobs
from consult.core.extensions import db
from consult.core.timeutil import today, utcnow
from consult.models import Consultation, ExportFile, ExportFileStatus, StaffUser
from consult.outcomes import exports
from consult.outcomes.export_rows import ExportRow, iter_answers
from consult.outcomes.queries import source_title
from consult.retention.operations import EXPORTS_FOLDER

log = logging.getLogger(__name__)

JOB = "consult.outcomes.export_files.build_export_file"
# Above this many answers an XLSX export is built by a job (app.config "EXPORT_JOB_ANSWERS"
# overrides it; tests set it low). See docs/decisions.md, "Large exports".
DEFAULT_JOB_ANSWERS = 20_000
BACKGROUND_FORMATS = ("xlsx",)
FILE_LIFETIME = timedelta(hours=24)


def job_threshold(config: Mapping[str, Any]) -> int:
    value = config.get("EXPORT_JOB_ANSWERS")
    return DEFAULT_JOB_ANSWERS if value is None else int(value)


def builds_in_background(fmt: str, answers: int, config: Mapping[str, Any]) -> bool:
    return fmt in BACKGROUND_FORMATS and answers > job_threshold(config)


# --- the workbook (both paths) ------------------------------------------------------------------


def write_answers_xlsx(
    spec: exports.ExportSpec,
    output: IO[bytes] | None = None,
    rows: Iterable[ExportRow] | None = None,
) -> IO[bytes]:
    """The whole XLSX export of `spec`: answers, recommendations and the suppressed stance counts;
    into `output` if given, else a temporary file (rewound)."""
    # Imported here: the summaries' statements and suppression are needed by this file only.
    from consult.outcomes.aggregate_sheet import aggregate_sheet_writer

    consultation = spec.consultation
    titles = [
        (r.key, r.position, source_title(r, consultation.source_language))
        for r in consultation.recommendations
    ]
    return exports.write_xlsx(
        spec, titles, [aggregate_sheet_writer(consultation)], rows=rows, output=output
    )


# --- asking for a file --------------------------------------------------------------------------


def request_export_file(
    actor: StaffUser, consultation: Consultation, fmt: str, *, full: bool
) -> ExportFile:
    """A file to be built: its row (queued) and its job, sent once the transaction commits."""
    now = utcnow()
    file = ExportFile(
        consultation_id=consultation.id,
        requested_by_id=actor.id,
        format=fmt,
        full=full,
        status=ExportFileStatus.QUEUED,
        stored_name=secrets.token_urlsafe(24),
        filename=exports.ExportSpec(consultation, full=full, on=today()).filename(fmt),
        requested_at=now,
        expires_at=now + FILE_LIFETIME,
    )
    db.session.add(file)
    db.session.flush()
    jobs.enqueue_after_commit(JOB, file.id)
    return file


def files_of(actor: StaffUser, consultation: Consultation) -> list[ExportFile]:
    """The files `actor` asked for in this consultation that have not expired, newest first."""
    return list(
        db.session.scalars(
            sa.select(ExportFile)
            .where(
                ExportFile.consultation_id == consultation.id,
                ExportFile.requested_by_id == actor.id,
                ExportFile.expires_at > utcnow(),
            )
            .order_by(ExportFile.id.desc())
        )
    )


# --- building it (the job) ----------------------------------------------------------------------


def exports_folder(instance_path: Path | str) -> Path:
    folder = Path(instance_path) / EXPORTS_FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def stored_path(file: ExportFile, instance_path: Path | str) -> Path:
    return Path(instance_path) / EXPORTS_FOLDER / f"{file.stored_name}.{file.format}"


def _counted(rows: Iterable[ExportRow], tally: list[int]) -> Iterator[ExportRow]:
    for row in rows:
        tally[0] += 1
        yield row


def build_export_file(file_id: int) -> None:
    """The job: write the file, then mark it ready (or failed). Run by `consult.jobs.run_job`,
    which commits when this returns.

    Unlike other domain functions this one commits twice itself: "building" must be visible to
    the export page while the file is written (minutes, for a large one), and "failed" must stay
    on the record although `run_job` rolls back and re-raises (RQ then tries again later; a retry
    rebuilds the file from the start)."""
    from flask import current_app

    file = db.session.get(ExportFile, file_id)
    if file is None or file.status == ExportFileStatus.READY or file.expires_at <= utcnow():
        return  # expired and deleted before its turn, or built by an earlier try
    file.status = ExportFileStatus.BUILDING
    db.session.commit()
    exports_folder(current_app.instance_path)
    final = stored_path(file, current_app.instance_path)
    partial = final.with_suffix(".part")
    try:
        partial.unlink(missing_ok=True)  # left by an earlier try that died
        spec = exports.ExportSpec(file.consultation, full=file.full, on=file.requested_at.date())
        tally = [0]
        rows = _counted(iter_answers(file.consultation, full=file.full), tally)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as output:
            write_answers_xlsx(spec, output=output, rows=rows)
        os.replace(partial, final)
    except BaseException:
        db.session.rollback()
        partial.unlink(missing_ok=True)
        file = db.session.get(ExportFile, file_id)
        if file is not None:
            file.status = ExportFileStatus.FAILED
            file.finished_at = utcnow()
            db.session.commit()
        raise
    file.status = ExportFileStatus.READY
    file.answers = tally[0]
    file.size = final.stat().st_size
    file.finished_at = utcnow()
    db.session.flush()


# --- downloading and expiry ---------------------------------------------------------------------


def open_ready_file(file: ExportFile, instance_path: Path | str) -> IO[bytes] | None:
    """The ready file opened for reading, or None when it is not ready or no longer on disk."""
    if file.status != ExportFileStatus.READY or file.expires_at <= utcnow():
        return None
    try:
        return stored_path(file, instance_path).open("rb")
    except FileNotFoundError:
        return None


def record_file_download(actor: StaffUser, file: ExportFile) -> None:
    """A download of a built file on the record, as a direct export's is; never any text."""
    audit.record(
        "export.file_downloaded",
        actor,
        object_type="consultation",
        object_id=file.consultation_id,
        new={
            "file": file.id,
            "format": file.format,
            "with_original_texts": file.full,
            "answers": file.answers,
        },
    )


def expire_export_files(
    instance_path: Path | str, *, now: datetime | None = None, dry_run: bool = False
) -> int:
    """Delete the files (and their rows) whose time is up; with `dry_run`, only count them.
    Returns how many. Called by the purge command and by the export pages."""
    expired = list(
        db.session.scalars(sa.select(ExportFile).where(ExportFile.expires_at <= (now or utcnow())))
    )
    if dry_run:
        return len(expired)
    for file in expired:
        path = stored_path(file, instance_path)
        path.unlink(missing_ok=True)
        path.with_suffix(".part").unlink(missing_ok=True)
        db.session.delete(file)
    db.session.flush()
    return len(expired)
