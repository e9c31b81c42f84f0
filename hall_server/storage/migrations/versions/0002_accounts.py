"""accounts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 12:56:07.862061
"""
import sqlalchemy as sa
from alembic import op

import hall_server.storage.tables

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('users',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=True),
    sa.Column('badge', sa.String(length=32), nullable=True),
    sa.Column('created_at', hall_server.storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('username')
    )
    op.create_table('devices',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('hall', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=True),
    sa.Column('created_at', hall_server.storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hall'], ['halls.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hall', 'name', name='uq_device_name')
    )
    op.create_table('user_halls',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('hall', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['hall'], ['halls.id'], ),
    sa.ForeignKeyConstraint(['username'], ['users.username'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('username', 'hall')
    )
    op.create_table('tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('device', sa.Integer(), nullable=True),
    sa.Column('created_at', hall_server.storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', hall_server.storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['device'], ['devices.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['username'], ['users.username'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash')
    )


def downgrade() -> None:
    op.drop_table('tokens')
    op.drop_table('user_halls')
    op.drop_table('devices')
    op.drop_table('users')
