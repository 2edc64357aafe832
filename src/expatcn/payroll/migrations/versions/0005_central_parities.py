"""Issue 14 item 4 (the store part): pay in a foreign currency. The employer's RMB central parities
(``central_parities``: day, currency, rate per unit, source, who imported them when); a currency on
each pay item (None: CNY; the amount then in hundredths of that currency); and on each result the
conversions the run made (JSON).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "central_parities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("employer_id", sa.Integer(), sa.ForeignKey("employers.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("rate", sa.Numeric(18, 6), nullable=False),
        sa.Column("unit", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("imported_by", sa.String(200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("employer_id", "day", "currency", name="uq_central_parity"),
    )
    with op.batch_alter_table("pay_items") as batch:
        batch.add_column(sa.Column("currency", sa.String(3), nullable=True))
    with op.batch_alter_table("run_results") as batch:
        batch.add_column(sa.Column("conversions", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run_results") as batch:
        batch.drop_column("conversions")
    with op.batch_alter_table("pay_items") as batch:
        batch.drop_column("currency")
    op.drop_table("central_parities")
