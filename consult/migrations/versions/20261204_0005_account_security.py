"""account security: recovery codes in their own table, the enrolment secret on the server

Revision ID: 0005_account_security
Revises: 0004_audit_chain
Create Date: 2026-12-04 10:00:00.000000

Recovery codes move from a JSON list on `staff_user` to one row each, so that using a code is one
conditional UPDATE; the unused codes are carried over. A browser's pending second-factor secret is
kept on its server-side session.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005_account_security"
down_revision = "0004_audit_chain"
branch_labels = None
depends_on = None

staff_user = sa.table(
    "staff_user", sa.column("id", sa.Integer), sa.column("recovery_code_hashes", sa.JSON)
)
recovery_code = sa.table(
    "staff_recovery_code",
    sa.column("user_id", sa.Integer),
    sa.column("code_hash", sa.String),
    sa.column("created_at", sa.DateTime),
    sa.column("used_at", sa.DateTime),
)


def upgrade():
    op.create_table(
        "staff_recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_user.id"],
            name=op.f("fk_staff_recovery_code_user_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_recovery_code")),
        sa.UniqueConstraint(
            "user_id", "code_hash", name=op.f("uq_staff_recovery_code_user_id_code_hash")
        ),
    )
    connection = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)  # naive UTC, as everywhere in the database
    rows = [
        {"user_id": user_id, "code_hash": code_hash, "created_at": now, "used_at": None}
        for user_id, hashes in connection.execute(
            sa.select(staff_user.c.id, staff_user.c.recovery_code_hashes)
        )
        for code_hash in dict.fromkeys(hashes or [])
    ]
    if rows:
        op.bulk_insert(recovery_code, rows)
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("recovery_code_hashes")
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_totp_secret", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.drop_column("pending_totp_secret")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recovery_code_hashes", sa.JSON(), nullable=False, server_default="[]")
        )
    connection = op.get_bind()
    unused: dict[int, list[str]] = {}
    for user_id, code_hash in connection.execute(
        sa.select(recovery_code.c.user_id, recovery_code.c.code_hash).where(
            recovery_code.c.used_at.is_(None)
        )
    ):
        unused.setdefault(user_id, []).append(code_hash)
    for user_id, hashes in unused.items():
        connection.execute(
            staff_user.update()
            .where(staff_user.c.id == user_id)
            .values(recovery_code_hashes=hashes)
        )
    op.drop_table("staff_recovery_code")
