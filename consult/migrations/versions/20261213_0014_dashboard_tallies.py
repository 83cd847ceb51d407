"""dashboard tallies: kept counts for the organiser's dashboard, filled from existing answers

Answers per (consultation, filter combination, recommendation, breakdown, category, stance),
participants per (consultation, filter combination, day), and a version per consultation (see
consult/models/tallies.py and docs/decisions.md, "Dashboard aggregates"). The tables are filled
here from the submitted submissions, so an upgraded deployment shows the right numbers at once:
answers grouped in the database (INSERT .. SELECT would need the expansion into filter
combinations in SQL; the grouped rows are few, so they are expanded here, as
`consult.summaries.tallies.expand` does, and inserted in batches).

Revision ID: 0014_dashboard_tallies
Revises: 0013_dashboard
Create Date: 2026-12-13 10:00:00.000000
"""

from collections import Counter
from datetime import date

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_dashboard_tallies"
down_revision = "0013_dashboard"
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
SELECT s.id AS id, s.consultation_id AS consultation_id, s.submitted_on AS submitted_on,
       s.language AS language, coalesce(s.stage, '') AS stage, {_groups_sql()} AS group_set
FROM submission s WHERE s.state = 'submitted'
"""
FINE_ANSWERS = (
    "SELECT c.consultation_id, r.recommendation_id, c.language, c.stage, c.group_set, r.stance, "
    f"count(*) FROM ({COUNTED}) c JOIN response r ON r.submission_id = c.id "
    "GROUP BY c.consultation_id, r.recommendation_id, c.language, c.stage, c.group_set, r.stance"
)
FINE_DAYS = (
    "SELECT c.consultation_id, c.submitted_on, c.language, c.stage, c.group_set, count(*) "
    f"FROM ({COUNTED}) c "
    "GROUP BY c.consultation_id, c.submitted_on, c.language, c.stage, c.group_set"
)


def _combinations(language, stage, groups):
    return [(lf, sf, gf) for lf in (ANY, language) for sf in (ANY, stage) for gf in (ANY, *groups)]


def _insert(table, columns, counts):
    rows = [dict(zip(columns, key, strict=True), n=n) for key, n in counts.items() if n]
    for start in range(0, len(rows), BATCH):
        op.bulk_insert(table, rows[start : start + BATCH])


def upgrade():
    tally = op.create_table(
        "dashboard_tally",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("language_filter", sa.String(length=16), nullable=False),
        sa.Column("stage_filter", sa.String(length=16), nullable=False),
        sa.Column("group_filter", sa.String(length=32), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("stance", sa.String(length=16), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recommendation_id"], ["recommendation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "consultation_id",
            "language_filter",
            "stage_filter",
            "group_filter",
            "recommendation_id",
            "dimension",
            "category",
            "stance",
        ),
    )
    day = op.create_table(
        "dashboard_day",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("stage_filter", sa.String(length=16), nullable=False),
        sa.Column("group_filter", sa.String(length=32), nullable=False),
        sa.Column("language_filter", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "consultation_id", "stage_filter", "group_filter", "language_filter", "day"
        ),
    )
    op.create_table(
        "dashboard_version",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("consultation_id"),
    )
    connection = op.get_bind()
    answers = Counter()
    for cid, rec, language, stage, group_set, stance, n in connection.execute(
        sa.text(FINE_ANSWERS)
    ):
        groups = group_set.split(",") if group_set else []
        categories = [("", ""), ("language", language), ("stage", stage)]
        categories += [("group", g) for g in groups]
        for lf, sf, gf in _combinations(language, stage, groups):
            for dimension, category in categories:
                answers[(cid, lf, sf, gf, rec, dimension, category, stance)] += n
    _insert(
        tally,
        (
            "consultation_id",
            "language_filter",
            "stage_filter",
            "group_filter",
            "recommendation_id",
            "dimension",
            "category",
            "stance",
        ),
        answers,
    )
    days = Counter()
    for cid, submitted_on, language, stage, group_set, n in connection.execute(sa.text(FINE_DAYS)):
        groups = group_set.split(",") if group_set else []
        if isinstance(submitted_on, str):  # SQLite returns the text it stores
            submitted_on = date.fromisoformat(submitted_on)
        for lf, sf, gf in _combinations(language, stage, groups):
            days[(cid, lf, sf, gf, submitted_on)] += n
    _insert(
        day,
        ("consultation_id", "language_filter", "stage_filter", "group_filter", "day"),
        days,
    )
    op.execute(
        "INSERT INTO dashboard_version (consultation_id, version) SELECT id, 1 FROM consultation"
    )


def downgrade():
    op.drop_table("dashboard_version")
    op.drop_table("dashboard_day")
    op.drop_table("dashboard_tally")
