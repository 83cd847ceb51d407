"""theme tallies: kept theme counts per dashboard filter combination, filled from theme members

Members per (theme, filter combination) and, per (recommendation, filter combination), the
answers the last theme run considered and how many of them it read untranslated (see
consult/models/theme_tallies.py and docs/decisions.md, "Themes"). Filled here from the stored
theme members and answers, grouped in the database and expanded into the filter combinations
here, as `consult.themes.tallies` does, so an upgraded deployment's filtered theme counts are
right at once.

Revision ID: 0016_theme_tallies
Revises: 0015_export_files
Create Date: 2026-12-15 10:00:00.000000
"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_theme_tallies"
down_revision = "0015_export_files"
branch_labels = None
depends_on = None

# The group vocabulary at this revision, sorted: the group set key is these names joined by ",".
GROUPS = sorted(["woman_or_girl", "under_18", "disability", "lgbtqi", "older_person"])
ANY = "*"
BATCH = 1000


def _groups_sql() -> str:
    parts = [
        f"CASE WHEN EXISTS (SELECT 1 FROM submission_group g WHERE g.submission_id = s.id "
        f"AND g.\"group\" = '{name}') THEN '{name},' ELSE '' END"
        for name in GROUPS
    ]
    return "rtrim(" + " || ".join(parts) + ", ',')"


COUNTED = f"""
SELECT s.id AS id, s.consultation_id AS consultation_id, s.language AS language,
       coalesce(s.stage, '') AS stage, {_groups_sql()} AS group_set
FROM submission s WHERE s.state = 'submitted'
"""
FINE_MEMBERS = (
    "SELECT m.theme_id, c.language, c.stage, c.group_set, count(*) "
    f"FROM theme_member m JOIN response r ON r.id = m.response_id JOIN ({COUNTED}) c "
    "ON c.id = r.submission_id WHERE NOT m.excluded "
    "GROUP BY m.theme_id, c.language, c.stage, c.group_set"
)
FINE_INPUTS = (
    "SELECT r.recommendation_id, c.language, c.stage, c.group_set, count(*), "
    "coalesce(sum(CASE WHEN (coalesce(r.detected_language, r.text_language) IS NULL "
    "OR coalesce(r.detected_language, r.text_language) NOT IN :wanted) AND NOT EXISTS "
    "(SELECT 1 FROM response_translation t WHERE t.response_id = r.id "
    "AND t.language IN :wanted AND t.text IS NOT NULL AND trim(t.text) != '') "
    "THEN 1 ELSE 0 END), 0) "
    f"FROM response r JOIN ({COUNTED}) c ON c.id = r.submission_id "
    "JOIN theme_run tr ON tr.recommendation_id = r.recommendation_id "
    "WHERE c.consultation_id = :consultation AND r.moderation_state = 'approved' "
    "AND r.public_text IS NOT NULL AND trim(r.public_text) != '' "
    "AND tr.data_as_of IS NOT NULL "
    "AND (r.moderated_at IS NULL OR r.moderated_at <= tr.data_as_of) "
    "GROUP BY r.recommendation_id, c.language, c.stage, c.group_set"
)


def _combinations(language, stage, groups):
    return [(lf, sf, gf) for lf in (ANY, language) for sf in (ANY, stage) for gf in (ANY, *groups)]


def _expand(rows, kept):
    for owner, language, stage, group_set, *numbers in rows:
        groups = group_set.split(",") if group_set else []
        for lf, sf, gf in _combinations(language, stage, groups):
            found = kept.setdefault((owner, lf, sf, gf), [0] * len(numbers))
            for i, n in enumerate(numbers):
                found[i] += int(n)


def _insert(table, key, columns, kept):
    rows = [
        {**dict(zip(key, k, strict=True)), **dict(zip(columns, v, strict=True))}
        for k, v in sorted(kept.items())
        if any(v)
    ]
    for start in range(0, len(rows), BATCH):
        op.bulk_insert(table, rows[start : start + BATCH])


def upgrade():
    tally = op.create_table(
        "theme_tally",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("language_filter", sa.String(length=16), nullable=False),
        sa.Column("stage_filter", sa.String(length=16), nullable=False),
        sa.Column("group_filter", sa.String(length=32), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("theme_id", "language_filter", "stage_filter", "group_filter"),
    )
    inputs = op.create_table(
        "theme_input_tally",
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("language_filter", sa.String(length=16), nullable=False),
        sa.Column("stage_filter", sa.String(length=16), nullable=False),
        sa.Column("group_filter", sa.String(length=32), nullable=False),
        sa.Column("considered", sa.Integer(), nullable=False),
        sa.Column("untranslated", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["recommendation_id"], ["recommendation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "recommendation_id", "language_filter", "stage_filter", "group_filter"
        ),
    )
    connection = op.get_bind()
    members = {}
    _expand(connection.execute(sa.text(FINE_MEMBERS)), members)
    key = ("language_filter", "stage_filter", "group_filter")
    _insert(tally, ("theme_id", *key), ("n",), members)
    considered = {}
    statement = sa.text(FINE_INPUTS).bindparams(sa.bindparam("wanted", expanding=True))
    for cid, configured, source in connection.execute(
        sa.text("SELECT id, working_languages, source_language FROM consultation")
    ):
        if isinstance(configured, str):  # SQLite returns the JSON text it stores
            configured = json.loads(configured)
        wanted = list(dict.fromkeys(configured or [])) or [source]
        _expand(connection.execute(statement, {"consultation": cid, "wanted": wanted}), considered)
    _insert(inputs, ("recommendation_id", *key), ("considered", "untranslated"), considered)


def downgrade():
    op.drop_table("theme_input_tally")
    op.drop_table("theme_tally")
