"""The demo consultation, from the seed: the UN dialogue "Leave No Migrant and Refugee Behind".

Its structure is `consultation.json`; its text, one file per language, is in `texts/`. Loading is
idempotent: a second run changes nothing, and text that staff have edited since (made_by no longer
the demo's) is kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import sqlalchemy as sa

from consult.core.extensions import db
from consult.models import Consultation, ConsultationText, Recommendation, RecommendationText

DEMO_MARK = "Consult demo data"


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _read_json(*parts: str) -> Any:
    return json.loads(resources.files(__name__).joinpath(*parts).read_text(encoding="utf-8"))


def demo_languages() -> list[str]:
    folder = resources.files(__name__).joinpath("texts")
    return sorted(
        p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")
    )


def _apply(row: Any, values: dict[str, Any], label: str, created: bool, report: LoadReport) -> None:
    """Set values on a row; a staff-edited row (made_by not the demo's) is left alone."""
    if not created and not str(row.made_by or "").startswith(DEMO_MARK):
        return
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    if created:
        report.created.append(label)
    elif changed:
        report.updated.append(label)


def load_demo() -> LoadReport:
    """Create or bring up to date the demo consultation; flushes, does not commit."""
    structure = _read_json("consultation.json")
    report = LoadReport()
    slug = structure["slug"]
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        consultation = Consultation(
            slug=slug,
            source_language=structure["source_language"],
            working_languages=structure["working_languages"],
            status=structure["status"],
            consent_version=structure["consent_version"],
        )
        db.session.add(consultation)
        report.created.append(f"consultation {slug}")

    recommendations = {r.key: r for r in consultation.recommendations}
    for position, item in enumerate(structure["recommendations"], start=1):
        rec = recommendations.get(item["key"])
        values = {"position": position, "section": item["section"], "stage": item["stage"]}
        if rec is None:
            rec = Recommendation(key=item["key"], **values)
            consultation.recommendations.append(rec)
            recommendations[rec.key] = rec
            report.created.append(f"recommendation {rec.key}")
        elif any(getattr(rec, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(rec, k, v)
            report.updated.append(f"recommendation {rec.key}")
    db.session.flush()

    for language in demo_languages():
        _load_texts(consultation, recommendations, language, report)
    db.session.flush()
    return report


def _load_texts(
    consultation: Consultation,
    recommendations: dict[str, Recommendation],
    language: str,
    report: LoadReport,
) -> None:
    data = _read_json("texts", f"{language}.json")
    common = {"status": data["status"], "made_by": data["made_by"]}
    row, created = _text_row(consultation.texts, ConsultationText, language)
    label = f"consultation text {language}"
    _apply(row, {**data["consultation"], **common}, label, created, report)
    for key, values in data["recommendations"].items():
        row, created = _text_row(recommendations[key].texts, RecommendationText, language)
        label = f"recommendation text {key} {language}"
        _apply(row, {**values, **common}, label, created, report)


def _text_row(rows: list[Any], model: type[Any], language: str) -> tuple[Any, bool]:
    """The row in `language`, appended to `rows` if missing; and whether it is new."""
    for row in rows:
        if row.language == language:
            return row, False
    row = model(language=language)
    rows.append(row)
    return row, True
