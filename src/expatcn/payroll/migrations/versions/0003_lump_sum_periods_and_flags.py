"""Bonus / equity periods on pay items (MOF/STA 2019 No. 35 §1(2)) and the roster flags for
STA 2020 No. 13 (first income of the year) and No. 19 (low income last year).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("employees") as batch:
        batch.add_column(sa.Column("first_income_this_year", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("low_income_last_year", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("pay_items") as batch:
        batch.add_column(sa.Column("period_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("period_to", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pay_items") as batch:
        batch.drop_column("period_to")
        batch.drop_column("period_from")
    with op.batch_alter_table("employees") as batch:
        batch.drop_column("low_income_last_year")
        batch.drop_column("first_income_this_year")
