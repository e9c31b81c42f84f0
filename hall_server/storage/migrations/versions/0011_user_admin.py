"""administration of users: the reset password changed at first sign-in, the last sign-in,
and who changed which account

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 14:00:00
"""
import sqlalchemy as sa
from alembic import op

from hall_server.storage.tables import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE ADD COLUMN (see 0006: a batch copy of `users` would drop their tokens)
    op.add_column('users', sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.add_column('users', sa.Column('last_login_at', UTCDateTime(timezone=True), nullable=True))
    op.create_table('user_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('change', sa.String(length=32), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_user_changes_by', 'user_changes', ['by', 'id'])
    op.create_index('ix_user_changes_username', 'user_changes', ['username', 'id'])


def downgrade() -> None:
    op.drop_index('ix_user_changes_username', table_name='user_changes')
    op.drop_index('ix_user_changes_by', table_name='user_changes')
    op.drop_table('user_changes')
    op.drop_column('users', 'last_login_at')
    op.drop_column('users', 'must_change_password')
