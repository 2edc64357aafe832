"""Issue 11: the employer's own social insurance figures (``employer_rates``, with who imported
them and when), true-ups of months run on figures carried forward (``trueups``), and on each
result whether it rests on a carried figure, the figure notes and the true-ups paid with it.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "employer_rates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("employer_id", sa.Integer(), sa.ForeignKey("employers.id"), nullable=False),
        sa.Column("city", sa.String(40), nullable=False),
        sa.Column("scheme", sa.String(20), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("base_floor_fen", sa.BigInteger(), nullable=True),
        sa.Column("base_ceiling_fen", sa.BigInteger(), nullable=True),
        sa.Column("no_ceiling", sa.Boolean(), nullable=False),
        sa.Column("employer_rate", sa.Numeric(10, 6), nullable=True),
        sa.Column("employee_rate", sa.Numeric(10, 6), nullable=True),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("imported_by", sa.String(200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "trueups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("employer_id", sa.Integer(), sa.ForeignKey("employers.id"), nullable=False),
        sa.Column("employee_id", sa.Integer(), sa.ForeignKey("employees.id"), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("month", sa.SmallInteger(), nullable=False),
        sa.Column("employee_fen", sa.BigInteger(), nullable=False),
        sa.Column("employer_fen", sa.BigInteger(), nullable=False),
        sa.Column("deductible_fen", sa.BigInteger(), nullable=False),
        sa.Column("iit_fen", sa.BigInteger(), nullable=False),
        sa.Column("carried_to", sa.String(7), nullable=False),
        sa.Column("law_digest", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("run_results") as batch:
        batch.add_column(sa.Column("employee_carried", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("employer_carried", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("figure_notes", sa.Text(), nullable=True))
        batch.add_column(sa.Column("employee_makeup", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("employer_makeup", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("run_results") as batch:
        for name in ("employer_makeup", "employee_makeup", "figure_notes", "employer_carried", "employee_carried"):
            batch.drop_column(name)
    op.drop_table("trueups")
    op.drop_table("employer_rates")
