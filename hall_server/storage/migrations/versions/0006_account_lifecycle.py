"""account lifecycle: disabled users, revoked devices, failed logins for the throttle

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 10:00:00
"""
import sqlalchemy as sa
from alembic import op

from hall_server.storage.tables import UTCDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE ADD COLUMN on both databases (a batch copy of `users` on SQLite would
    # cascade-delete the tokens that reference it)
    op.add_column('users', sa.Column('disabled_at', UTCDateTime(timezone=True), nullable=True))
    op.add_column('devices', sa.Column('revoked_at', UTCDateTime(timezone=True), nullable=True))
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_login_failures_username', 'login_failures', ['username', 'at'])
    op.create_index('ix_login_failures_address', 'login_failures', ['address', 'at'])


def downgrade() -> None:
    op.drop_index('ix_login_failures_address', table_name='login_failures')
    op.drop_index('ix_login_failures_username', table_name='login_failures')
    op.drop_table('login_failures')
    # ALTER TABLE DROP COLUMN: SQLite has it since 3.35
    op.drop_column('devices', 'revoked_at')
    op.drop_column('users', 'disabled_at')
