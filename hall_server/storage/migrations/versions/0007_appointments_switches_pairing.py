"""appointments, the manager's service switches, device pairing links, server settings

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 04:00:00
"""
import sqlalchemy as sa
from alembic import op

from hall_server.storage.tables import UTCDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('appointments',
                    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
                    sa.Column('hall', sa.String(length=64), nullable=False),
                    sa.Column('code', sa.String(length=16), nullable=False),
                    sa.Column('service', sa.String(length=64), nullable=False),
                    sa.Column('slot_start', UTCDateTime(), nullable=False),
                    sa.Column('slot_end', UTCDateTime(), nullable=False),
                    sa.Column('name', sa.String(length=64), nullable=True),
                    sa.Column('phone', sa.String(length=32), nullable=True),
                    sa.Column('status', sa.String(length=16), nullable=False),
                    sa.Column('ticket', sa.Integer(), nullable=True),
                    sa.Column('booked_by', sa.String(length=64), nullable=False),
                    sa.Column('booked_at', UTCDateTime(), nullable=False),
                    sa.Column('changed_at', UTCDateTime(), nullable=True),
                    sa.ForeignKeyConstraint(['hall'], ['halls.id']),
                    sa.ForeignKeyConstraint(['ticket'], ['tickets.id']),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('hall', 'code', name='uq_appointment_code'))
    op.create_index('ix_appointments_slot', 'appointments', ['hall', 'slot_start'])
    op.create_table('service_switches',
                    sa.Column('hall', sa.String(length=64), nullable=False),
                    sa.Column('service', sa.String(length=64), nullable=False),
                    sa.Column('issuing', sa.Boolean(), nullable=False),
                    sa.Column('daily_cap', sa.Integer(), nullable=True),
                    sa.Column('changed_by', sa.String(length=64), nullable=False),
                    sa.Column('changed_at', UTCDateTime(), nullable=False),
                    sa.ForeignKeyConstraint(['hall'], ['halls.id']),
                    sa.PrimaryKeyConstraint('hall', 'service'))
    op.create_table('pairings',
                    sa.Column('code_hash', sa.String(length=64), nullable=False),
                    sa.Column('device', sa.Integer(), nullable=False),
                    sa.Column('created_at', UTCDateTime(), nullable=False),
                    sa.Column('expires_at', UTCDateTime(), nullable=False),
                    sa.Column('used_at', UTCDateTime(), nullable=True),
                    sa.ForeignKeyConstraint(['device'], ['devices.id'], ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('code_hash'))
    op.create_table('settings',
                    sa.Column('name', sa.String(length=64), nullable=False),
                    sa.Column('value', sa.String(length=255), nullable=False),
                    sa.PrimaryKeyConstraint('name'))


def downgrade() -> None:
    op.drop_table('settings')
    op.drop_table('pairings')
    op.drop_table('service_switches')
    op.drop_index('ix_appointments_slot', table_name='appointments')
    op.drop_table('appointments')
