"""A consultation with all its languages as one document, and back (docs/consultation-format.md).

`export_document` writes what `apply_document` reads: exporting, then importing the file, gives
the same consultation (its settings, texts in every language with who made and reviewed them,
recommendations in order, hidden ones, and the archived text versions). The demo consultation is
such a document, loaded by the same code (`consult.consultations.demo`).

Domain code: flushes, never commits; the caller commits once, so a bad file changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from consult.consultations.document import FORMAT
from consult.core.extensions import db
from consult.models import (
    Consultation,
    ConsultationText,
    Recommendation,
    RecommendationOutcome,
    RecommendationText,
    RecommendationVersion,
)
from consult.vocab import ConsultationStatus, RecommendationStage, TranslationStatus

SETTINGS = (
    "source_language",
    "working_languages",
    "interface_languages",
    "drafts_shown_languages",
    "status",
    "opens_on",
    "closes_on",
    "consent_version",
    "retention_days",
    "small_group_threshold",
)
CONSULTATION_TEXT_FIELDS = (
    "title",
    "summary",
    "introduction",
    "consent",
    "question",
    "question_why",
    "section_titles",
    "outcome",
)
RECOMMENDATION_TEXT_FIELDS = ("title", "explanation")
PROVENANCE = ("status", "made_by", "reviewed_by", "reviewed_at")


@dataclass
class ImportReport:
    consultation: Consultation | None = None
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


# --- export -------------------------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat()
    return value.isoformat()


def _provenance(row: ConsultationText | RecommendationText) -> dict[str, Any]:
    return {
        "status": row.status,
        "made_by": row.made_by or "",
        "reviewed_by": row.reviewed_by,
        "reviewed_at": _iso(row.reviewed_at),
    }


def export_document(consultation: Consultation) -> dict[str, Any]:
    """The consultation as a document that follows the schema."""
    doc: dict[str, Any] = {"format": FORMAT, "slug": consultation.slug}
    for name in SETTINGS:
        value = getattr(consultation, name)
        doc[name] = _iso(value) if isinstance(value, date) else value
    doc["texts"] = {
        row.language: {
            **{name: getattr(row, name) for name in CONSULTATION_TEXT_FIELDS},
            "section_titles": dict(row.section_titles or {}),
            **_provenance(row),
        }
        for row in sorted(consultation.texts, key=lambda r: r.language)
    }
    visible = [r for r in consultation.recommendations if r.position > 0]
    hidden = sorted(
        (r for r in consultation.recommendations if r.position <= 0), key=lambda r: r.key
    )
    versions = _versions_by_recommendation(consultation)
    outcomes = _outcomes_by_recommendation(consultation)
    doc["recommendations"] = []
    for rec in sorted(visible, key=lambda r: r.position) + hidden:
        item: dict[str, Any] = {
            "key": rec.key,
            "section": rec.section,
            "stage": rec.stage,
            "hidden": rec.position <= 0,
            "text_version": rec.text_version,
            "texts": {
                row.language: {
                    **{name: getattr(row, name) for name in RECOMMENDATION_TEXT_FIELDS},
                    **_provenance(row),
                }
                for row in sorted(rec.texts, key=lambda r: r.language)
            },
        }
        if versions.get(rec.id):
            item["versions"] = versions[rec.id]
        if outcomes.get(rec.id):
            item["outcomes"] = outcomes[rec.id]
        doc["recommendations"].append(item)
    return doc


def _versions_by_recommendation(consultation: Consultation) -> dict[int, list[dict[str, Any]]]:
    ids = [r.id for r in consultation.recommendations]
    if not ids:
        return {}
    rows = db.session.scalars(
        db.select(RecommendationVersion)
        .where(RecommendationVersion.recommendation_id.in_(ids))
        .order_by(RecommendationVersion.version, RecommendationVersion.language)
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row.recommendation_id, []).append(
            {
                "version": row.version,
                "language": row.language,
                "title": row.title,
                "explanation": row.explanation or "",
                "made_by": row.made_by or "",
                "archived_at": _iso(row.archived_at),
            }
        )
    return found


def _outcomes_by_recommendation(consultation: Consultation) -> dict[int, dict[str, Any]]:
    """ "What we heard" and "what we will do" per recommendation and language (consult.outcomes)."""
    ids = [r.id for r in consultation.recommendations]
    if not ids:
        return {}
    rows = db.session.scalars(
        db.select(RecommendationOutcome)
        .where(RecommendationOutcome.recommendation_id.in_(ids))
        .order_by(RecommendationOutcome.language)
    )
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        found.setdefault(row.recommendation_id, {})[row.language] = {
            "heard": row.heard or "",
            "will_do": row.will_do or "",
            "status": row.status,
            "made_by": row.made_by or "",
        }
    return found


def dump_yaml(doc: dict[str, Any]) -> str:
    import yaml  # only exports of consultations need it: not loaded at start

    class LiteralDumper(yaml.SafeDumper):
        """Multi-line text as YAML literal blocks (`|`), so the file reads like the text."""

    def represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    LiteralDumper.add_representer(str, represent_str)
    return yaml.dump(doc, Dumper=LiteralDumper, allow_unicode=True, sort_keys=False, width=100)


def dump_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# --- import -------------------------------------------------------------------------------------


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _text_values(values: dict[str, Any], fields: tuple[str, ...], made_by: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        if name == "section_titles":
            out[name] = dict(values.get(name) or {})
        elif name in ("question", "question_why", "outcome"):
            out[name] = values.get(name)
        elif name == "title":
            out[name] = values[name]
        else:
            out[name] = values.get(name) or ""
    out["status"] = values.get("status", TranslationStatus.DRAFT)
    out["made_by"] = values.get("made_by") or made_by
    out["reviewed_by"] = values.get("reviewed_by")
    out["reviewed_at"] = _when(values.get("reviewed_at"))
    return out


Protect = Callable[[Any], bool]


def _set(
    row: Any,
    values: dict[str, Any],
    label: str,
    created: bool,
    report: ImportReport,
    protect: Protect,
) -> None:
    """Set values on a row; an existing row `protect` says to keep is left alone."""
    if not created and protect(row):
        return
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    if created:
        report.created.append(label)
    elif changed:
        report.updated.append(label)


def _row_in(rows: list[Any], model: type[Any], language: str) -> tuple[Any, bool]:
    for row in rows:
        if row.language == language:
            return row, False
    row = model(language=language)
    rows.append(row)
    return row, True


def apply_document(
    doc: dict[str, Any],
    *,
    made_by: str,
    consultation: Consultation | None = None,
    status: str | None = None,
    protect: Protect = lambda _row: False,
) -> ImportReport:
    """Create the consultation the (checked) document describes, or bring `consultation` up to
    date with it: settings only when it is created; recommendations by key; texts by language,
    except rows `protect` keeps (the demo keeps what staff edited). `status` overrides the
    document's (an organiser's import always starts as a draft)."""
    report = ImportReport(consultation=consultation)
    if consultation is None:
        consultation = Consultation(slug=doc["slug"])
        for name in SETTINGS:
            if name in doc:
                value = doc[name]
                setattr(consultation, name, _day(value) if name.endswith("_on") else value)
        if status is not None:
            consultation.status = status
        elif "status" not in doc:
            consultation.status = ConsultationStatus.DRAFT
        db.session.add(consultation)
        report.consultation = consultation
        report.created.append(f"consultation {consultation.slug}")

    for language, values in doc["texts"].items():
        row, created = _row_in(consultation.texts, ConsultationText, language)
        values = _text_values(values, CONSULTATION_TEXT_FIELDS, made_by)
        _set(row, values, f"consultation text {language}", created, report, protect)

    existing = {r.key: r for r in consultation.recommendations}
    position = 0
    hidden: list[Recommendation] = []
    for index, item in enumerate(doc["recommendations"]):
        rec = existing.get(item["key"])
        is_hidden = bool(item.get("hidden"))
        if not is_hidden:
            position += 1
        values = {
            "section": item["section"],
            "stage": item.get("stage", RecommendationStage.ALL),
            "text_version": item.get("text_version", 1),
        }
        if rec is None:
            # A hidden one's position is minus its id (authoring's convention), known after the
            # flush; until then a number no other row of this consultation uses.
            temporary = -(10_000_000 + index)
            rec = Recommendation(
                key=item["key"], position=temporary if is_hidden else position, **values
            )
            consultation.recommendations.append(rec)
            existing[rec.key] = rec
            report.created.append(f"recommendation {rec.key}")
        else:
            wanted = {**values}
            if not is_hidden:
                wanted["position"] = position
            if any(getattr(rec, k) != v for k, v in wanted.items()):
                for k, v in wanted.items():
                    setattr(rec, k, v)
                report.updated.append(f"recommendation {rec.key}")
        if is_hidden:
            hidden.append(rec)
        for language, text in item["texts"].items():
            row, created = _row_in(rec.texts, RecommendationText, language)
            text_values = _text_values(text, RECOMMENDATION_TEXT_FIELDS, made_by)
            _set(
                row,
                text_values,
                f"recommendation text {rec.key} {language}",
                created,
                report,
                protect,
            )
    db.session.flush()
    for rec in hidden:
        if rec.position != -rec.id:
            rec.position = -rec.id
    _add_versions(doc, existing, report)
    _set_outcomes(doc, existing, report, made_by, protect)
    db.session.flush()
    return report


def _add_versions(
    doc: dict[str, Any], recs: dict[str, Recommendation], report: ImportReport
) -> None:
    for item in doc["recommendations"]:
        versions = item.get("versions") or []
        if not versions:
            continue
        rec = recs[item["key"]]
        have = {
            (v.version, v.language)
            for v in db.session.scalars(
                db.select(RecommendationVersion).where(
                    RecommendationVersion.recommendation_id == rec.id
                )
            )
        }
        for version in versions:
            if (version["version"], version["language"]) in have:
                continue
            db.session.add(
                RecommendationVersion(
                    recommendation_id=rec.id,
                    version=version["version"],
                    language=version["language"],
                    title=version["title"],
                    explanation=version.get("explanation", ""),
                    made_by=version.get("made_by", ""),
                    archived_at=_when(version.get("archived_at")) or datetime.now(),
                )
            )
            report.created.append(f"version {rec.key} {version['version']} {version['language']}")


def _set_outcomes(
    doc: dict[str, Any],
    recs: dict[str, Recommendation],
    report: ImportReport,
    made_by: str,
    protect: Protect,
) -> None:
    for item in doc["recommendations"]:
        outcomes = item.get("outcomes") or {}
        if not outcomes:
            continue
        rec = recs[item["key"]]
        have = {
            row.language: row
            for row in db.session.scalars(
                db.select(RecommendationOutcome).where(
                    RecommendationOutcome.recommendation_id == rec.id
                )
            )
        }
        for language, values in outcomes.items():
            row = have.get(language)
            created = row is None
            if row is None:
                row = RecommendationOutcome(recommendation_id=rec.id, language=language)
                db.session.add(row)
            wanted = {
                "heard": values.get("heard", ""),
                "will_do": values.get("will_do", ""),
                "status": values.get("status", TranslationStatus.DRAFT),
                "made_by": values.get("made_by") or made_by,
            }
            _set(row, wanted, f"outcome {rec.key} {language}", created, report, protect)
