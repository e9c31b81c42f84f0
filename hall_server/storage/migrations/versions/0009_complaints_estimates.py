"""the complaint register; the wait each customer was told at issue; webhook items queued once

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 10:40:00
"""
import sqlalchemy as sa
from alembic import op

from hall_server.storage.tables import UTCDateTime

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tickets', sa.Column('estimated_wait_s', sa.Integer(), nullable=True))
    with op.batch_alter_table('webhook_outbox') as batch:
        batch.add_column(sa.Column('once_key', sa.String(length=128), nullable=True))
        batch.create_unique_constraint('uq_webhook_once', ['hall', 'once_key'])
    op.create_table('complaints',
                    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
                    sa.Column('hall', sa.String(length=64), nullable=False),
                    sa.Column('kind', sa.String(length=16), nullable=False),
                    sa.Column('category', sa.String(length=32), nullable=False),
                    sa.Column('channel', sa.String(length=16), nullable=False),
                    sa.Column('status', sa.String(length=16), nullable=False),
                    sa.Column('description', sa.String(length=2000), nullable=False),
                    sa.Column('ticket', sa.Integer(), nullable=True),
                    sa.Column('clerk', sa.String(length=64), nullable=True),
                    sa.Column('contact', sa.String(length=128), nullable=True),
                    sa.Column('source', sa.String(length=16), nullable=False),
                    sa.Column('source_seq', sa.Integer(), nullable=True),
                    sa.Column('received_at', UTCDateTime(), nullable=False),
                    sa.Column('received_by', sa.String(length=64), nullable=False),
                    sa.Column('due_at', UTCDateTime(), nullable=False),
                    sa.Column('taken_at', UTCDateTime(), nullable=True),
                    sa.Column('taken_by', sa.String(length=64), nullable=True),
                    sa.Column('answered_at', UTCDateTime(), nullable=True),
                    sa.Column('answered_by', sa.String(length=64), nullable=True),
                    sa.Column('followed_up_at', UTCDateTime(), nullable=True),
                    sa.Column('followed_up_by', sa.String(length=64), nullable=True),
                    sa.Column('history', sa.JSON(), nullable=False),
                    sa.ForeignKeyConstraint(['hall'], ['halls.id']),
                    sa.ForeignKeyConstraint(['ticket'], ['tickets.id']),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_complaints_received', 'complaints', ['hall', 'received_at'])
    op.create_index('ix_complaints_open', 'complaints', ['hall', 'status', 'due_at'])


def downgrade() -> None:
    op.drop_index('ix_complaints_open', table_name='complaints')
    op.drop_index('ix_complaints_received', table_name='complaints')
    op.drop_table('complaints')
    with op.batch_alter_table('webhook_outbox') as batch:
        batch.drop_constraint('uq_webhook_once', type_='unique')
        batch.drop_column('once_key')
    op.drop_column('tickets', 'estimated_wait_s')
