"""indexes for a ticket's place and a service's recent handling times

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 16:10:00
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tickets_service_queue', 'tickets',
                    ['hall', 'status', 'service', 'effective_at', 'issued_at', 'id'])
    op.create_index('ix_tickets_handled', 'tickets', ['hall', 'service', 'status', 'finished_at'])


def downgrade() -> None:
    op.drop_index('ix_tickets_handled', table_name='tickets')
    op.drop_index('ix_tickets_service_queue', table_name='tickets')
