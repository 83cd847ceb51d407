"""The demo consultation, from the seed: the UN dialogue "Leave No Migrant and Refugee Behind".

It is one consultation document (`leave-no-migrant-behind.yaml`, the format of
docs/consultation-format.md), checked and loaded by the same code as an organiser's import.
Loading is idempotent: a second run changes nothing, and text that staff have edited since
(made_by no longer the demo's) is kept.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import sqlalchemy as sa

from consult.consultations.document import load_document
from consult.consultations.interchange import ImportReport, apply_document
from consult.core.extensions import db
from consult.models import Consultation

DEMO_MARK = "Consult demo data"
DEMO_FILE = "leave-no-migrant-behind.yaml"

# The name the command and the tests know the report by.
LoadReport = ImportReport


def demo_document() -> dict[str, Any]:
    raw = resources.files(__name__).joinpath(DEMO_FILE).read_bytes()
    return load_document(raw, DEMO_FILE, new_slug=False)


def demo_languages() -> list[str]:
    return sorted(demo_document()["texts"])


def _edited_by_staff(row: Any) -> bool:
    return not str(row.made_by or "").startswith(DEMO_MARK)


def load_demo() -> ImportReport:
    """Create or bring up to date the demo consultation; flushes, does not commit."""
    doc = demo_document()
    consultation = db.session.scalar(
        sa.select(Consultation).where(Consultation.slug == doc["slug"])
    )
    report = apply_document(
        doc, made_by=DEMO_MARK, consultation=consultation, protect=_edited_by_staff
    )
    if consultation is not None and not consultation.drafts_shown_languages:
        # A demo loaded before drafts were hidden by default: keep showing its translations.
        consultation.drafts_shown_languages = list(doc["drafts_shown_languages"])
        report.updated.append(f"consultation {consultation.slug}")
    db.session.flush()
    return report
