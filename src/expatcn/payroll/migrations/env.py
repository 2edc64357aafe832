"""Alembic environment, configured in code (no alembic.ini): :func:`expatcn.payroll.db.upgrade`
passes the open connection in ``config.attributes["connection"]``."""

from alembic import context

from expatcn.payroll.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
