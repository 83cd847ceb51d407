"""export files: large exports built in the background and kept for a day (issue 11, item 6)

Revision ID: 0015_export_files
Revises: 0014_dashboard_tallies
Create Date: 2026-12-14 10:00:00.000000

One row per file requested: who, which consultation, format, with or without the original texts,
status (queued / building / ready / failed), the random name of the file in instance/exports/, its
size and expiry. No participant text. See consult/models/export_file.py.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_export_files"
down_revision = "0014_dashboard_tallies"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'building', 'ready', 'failed')",
            name=op.f("ck_export_file_status"),
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_export_file_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["staff_user.id"],
            name=op.f("fk_export_file_requested_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_file")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_export_file_stored_name")),
    )
    op.create_index(
        "ix_export_file_consultation_requested_by",
        "export_file",
        ["consultation_id", "requested_by_id"],
        unique=False,
    )
    op.create_index(op.f("ix_export_file_expires_at"), "export_file", ["expires_at"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_export_file_expires_at"), table_name="export_file")
    op.drop_index("ix_export_file_consultation_requested_by", table_name="export_file")
    op.drop_table("export_file")
