"""the reports' indexes: the ratings given since a day

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 11:15:00
"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_ratings_at', 'ratings', ['hall', 'at'])


def downgrade() -> None:
    op.drop_index('ix_ratings_at', table_name='ratings')
