"""Initial payroll schema: employer, employees, trips, pay items, declarations, runs, results,
corrections, and the lock row.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('employers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tax_number', sa.String(length=40), nullable=False),
    sa.Column('city', sa.String(length=40), nullable=False),
    sa.Column('work_injury_rate', sa.Numeric(precision=10, scale=6), nullable=True),
    sa.Column('housing_fund_rate', sa.Numeric(precision=10, scale=6), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tax_number')
    )
    op.create_table('payroll_locks',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('employees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('id_type', sa.String(length=20), nullable=False),
    sa.Column('id_number', sa.String(length=40), nullable=False),
    sa.Column('nationality', sa.String(length=2), nullable=False),
    sa.Column('domiciled', sa.Boolean(), nullable=False),
    sa.Column('resident', sa.Boolean(), nullable=True),
    sa.Column('treaty_country', sa.String(length=2), nullable=True),
    sa.Column('executive', sa.Boolean(), nullable=False),
    sa.Column('allowance_election', sa.Boolean(), nullable=False),
    sa.Column('bonus_method', sa.String(length=12), nullable=False),
    sa.Column('certificate_from', sa.Date(), nullable=True),
    sa.Column('certificate_until', sa.Date(), nullable=True),
    sa.Column('hire_date', sa.Date(), nullable=False),
    sa.Column('leave_date', sa.Date(), nullable=True),
    sa.Column('local_hukou', sa.Boolean(), nullable=False),
    sa.Column('housing_fund', sa.Boolean(), nullable=True),
    sa.Column('opt_in', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('employer_id', 'code', name='uq_employee_code')
    )
    op.create_table('runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('month', sa.SmallInteger(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('law_digest', sa.String(length=64), nullable=False),
    sa.Column('inputs', sa.LargeBinary(), nullable=False),
    sa.Column('inputs_sha256', sa.String(length=64), nullable=False),
    sa.Column('results_sha256', sa.String(length=64), nullable=False),
    sa.Column('employees', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('employer_id', 'year', 'month', name='uq_run_month')
    )
    op.create_table('corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.Column('tax_filed_fen', sa.BigInteger(), nullable=False),
    sa.Column('tax_corrected_fen', sa.BigInteger(), nullable=False),
    sa.Column('difference_fen', sa.BigInteger(), nullable=False),
    sa.Column('treatment', sa.String(length=10), nullable=False),
    sa.Column('carried_to', sa.String(length=7), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('deduction_declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('from_month', sa.SmallInteger(), nullable=False),
    sa.Column('to_month', sa.SmallInteger(), nullable=False),
    sa.Column('children_education', sa.SmallInteger(), nullable=False),
    sa.Column('infant_care', sa.SmallInteger(), nullable=False),
    sa.Column('elderly_support', sa.String(length=20), nullable=False),
    sa.Column('housing_rent_tier', sa.SmallInteger(), nullable=False),
    sa.Column('housing_loan_interest', sa.Boolean(), nullable=False),
    sa.Column('continuing_education', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('employee_id', 'year', 'from_month', name='uq_declaration')
    )
    op.create_table('pay_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('month', sa.SmallInteger(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('employee_id', 'year', 'month', 'kind', name='uq_pay_item')
    )
    op.create_table('run_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('resident', sa.Boolean(), nullable=False),
    sa.Column('wage_method', sa.SmallInteger(), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('gross', sa.BigInteger(), nullable=False),
    sa.Column('wages', sa.BigInteger(), nullable=False),
    sa.Column('allowances', sa.BigInteger(), nullable=False),
    sa.Column('exempt_income', sa.BigInteger(), nullable=False),
    sa.Column('bonus', sa.BigInteger(), nullable=False),
    sa.Column('labour', sa.BigInteger(), nullable=False),
    sa.Column('equity', sa.BigInteger(), nullable=False),
    sa.Column('contribution_wage', sa.BigInteger(), nullable=False),
    sa.Column('employee_pension', sa.BigInteger(), nullable=False),
    sa.Column('employee_medical', sa.BigInteger(), nullable=False),
    sa.Column('employee_unemployment', sa.BigInteger(), nullable=False),
    sa.Column('employee_social', sa.BigInteger(), nullable=False),
    sa.Column('employee_housing_fund', sa.BigInteger(), nullable=False),
    sa.Column('employee_contributions', sa.BigInteger(), nullable=False),
    sa.Column('employee_deduction', sa.BigInteger(), nullable=False),
    sa.Column('housing_fund_employer_taxable', sa.BigInteger(), nullable=False),
    sa.Column('special_additional_deductions', sa.BigInteger(), nullable=False),
    sa.Column('other_deductions', sa.BigInteger(), nullable=False),
    sa.Column('basic_deduction', sa.BigInteger(), nullable=False),
    sa.Column('wage_taxable', sa.BigInteger(), nullable=False),
    sa.Column('wage_rate', sa.BigInteger(), nullable=False),
    sa.Column('wage_quick_deduction', sa.BigInteger(), nullable=False),
    sa.Column('wage_tax_to_date', sa.BigInteger(), nullable=False),
    sa.Column('wage_withheld_to_date', sa.BigInteger(), nullable=False),
    sa.Column('wage_tax', sa.BigInteger(), nullable=False),
    sa.Column('bonus_tax', sa.BigInteger(), nullable=False),
    sa.Column('labour_tax', sa.BigInteger(), nullable=False),
    sa.Column('equity_tax', sa.BigInteger(), nullable=False),
    sa.Column('iit', sa.BigInteger(), nullable=False),
    sa.Column('net', sa.BigInteger(), nullable=False),
    sa.Column('employer_social', sa.BigInteger(), nullable=False),
    sa.Column('employer_housing_fund', sa.BigInteger(), nullable=False),
    sa.Column('employer_contributions', sa.BigInteger(), nullable=False),
    sa.Column('employer_cost', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('run_id', 'employee_id', name='uq_run_result')
    )
    op.create_table('trips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('entry', sa.DateTime(), nullable=False),
    sa.Column('exit', sa.DateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('employee_id', 'entry', name='uq_trip_entry')
    )
    op.create_index(op.f('ix_trips_employee_id'), 'trips', ['employee_id'], unique=False)
    op.bulk_insert(sa.table("payroll_locks", sa.column("name", sa.String)), [{"name": "payroll"}])


def downgrade() -> None:
    op.drop_table("trips")
    op.drop_table("run_results")
    op.drop_table("pay_items")
    op.drop_table("deduction_declarations")
    op.drop_table("corrections")
    op.drop_table("runs")
    op.drop_table("employees")
    op.drop_table("payroll_locks")
    op.drop_table("employers")
