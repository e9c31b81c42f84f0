"""alerts, the webhook's outbox, when each device was last heard from, indexes for the rules

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 08:00:00
"""
import sqlalchemy as sa
from alembic import op

from hall_server.storage.tables import UTCDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('devices', sa.Column('last_seen_at', UTCDateTime(), nullable=True))
    op.create_index('ix_events_type', 'events', ['hall', 'type', 'seq'])
    op.create_index('ix_tickets_issued', 'tickets', ['hall', 'issued_at'])
    op.create_table('alerts',
                    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
                    sa.Column('hall', sa.String(length=64), nullable=False),
                    sa.Column('rule', sa.String(length=32), nullable=False),
                    sa.Column('subject', sa.String(length=96), nullable=False),
                    sa.Column('severity', sa.String(length=16), nullable=False),
                    sa.Column('escalated', sa.Boolean(), nullable=False),
                    sa.Column('sticky', sa.Boolean(), nullable=False),
                    sa.Column('message', sa.JSON(), nullable=False),
                    sa.Column('data', sa.JSON(), nullable=False),
                    sa.Column('raised_at', UTCDateTime(), nullable=False),
                    sa.Column('updated_at', UTCDateTime(), nullable=False),
                    sa.Column('acknowledged_at', UTCDateTime(), nullable=True),
                    sa.Column('acknowledged_by', sa.String(length=64), nullable=True),
                    sa.Column('resolved_at', UTCDateTime(), nullable=True),
                    sa.Column('resolved_by', sa.String(length=64), nullable=True),
                    sa.Column('held', sa.Boolean(), nullable=False),
                    sa.Column('escalated_at', UTCDateTime(), nullable=True),
                    sa.Column('critical_at', UTCDateTime(), nullable=True),
                    sa.Column('notes', sa.JSON(), nullable=False),
                    sa.ForeignKeyConstraint(['hall'], ['halls.id']),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('uq_alerts_open', 'alerts', ['hall', 'rule', 'subject'], unique=True,
                    sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))
    op.create_index('ix_alerts_standing', 'alerts', ['hall', 'resolved_at', 'held'])
    op.create_index('ix_alerts_raised', 'alerts', ['hall', 'raised_at'])
    op.create_table('webhook_outbox',
                    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
                    sa.Column('hall', sa.String(length=64), nullable=False),
                    sa.Column('payload', sa.JSON(), nullable=False),
                    sa.Column('created_at', UTCDateTime(), nullable=False),
                    sa.Column('attempts', sa.Integer(), nullable=False),
                    sa.Column('next_attempt_at', UTCDateTime(), nullable=False),
                    sa.Column('delivered_at', UTCDateTime(), nullable=True),
                    sa.Column('abandoned_at', UTCDateTime(), nullable=True),
                    sa.Column('last_error', sa.String(length=255), nullable=True),
                    sa.ForeignKeyConstraint(['hall'], ['halls.id']),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_webhook_due', 'webhook_outbox', ['delivered_at', 'abandoned_at', 'next_attempt_at'])


def downgrade() -> None:
    op.drop_index('ix_webhook_due', table_name='webhook_outbox')
    op.drop_table('webhook_outbox')
    op.drop_index('ix_alerts_raised', table_name='alerts')
    op.drop_index('ix_alerts_standing', table_name='alerts')
    op.drop_index('uq_alerts_open', table_name='alerts')
    op.drop_table('alerts')
    op.drop_index('ix_tickets_issued', table_name='tickets')
    op.drop_index('ix_events_type', table_name='events')
    op.drop_column('devices', 'last_seen_at')
