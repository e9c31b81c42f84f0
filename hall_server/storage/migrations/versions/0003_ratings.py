"""ratings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 13:00:01.477744
"""
import sqlalchemy as sa
from alembic import op

import hall_server.storage.tables

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ratings',
    sa.Column('ticket', sa.Integer(), nullable=False),
    sa.Column('hall', sa.String(length=64), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=False),
    sa.Column('clerk', sa.String(length=64), nullable=True),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('at', hall_server.storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hall'], ['halls.id'], ),
    sa.ForeignKeyConstraint(['ticket'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('ticket')
    )


def downgrade() -> None:
    op.drop_table('ratings')
