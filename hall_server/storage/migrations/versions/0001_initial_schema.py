"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 12:51:10.952048
"""
import sqlalchemy as sa
from alembic import op

import hall_server.storage.tables

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('halls',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('counters',
    sa.Column('hall', sa.String(length=64), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('clerk', sa.String(length=64), nullable=True),
    sa.Column('ticket', sa.Integer(), nullable=True),
    sa.Column('pause_reason', sa.String(length=32), nullable=True),
    sa.Column('since', hall_server.storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['hall'], ['halls.id'], ),
    sa.PrimaryKeyConstraint('hall', 'number')
    )
    op.create_table('events',
    sa.Column('hall', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', hall_server.storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('ticket', sa.Integer(), nullable=True),
    sa.Column('counter', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['hall'], ['halls.id'], ),
    sa.PrimaryKeyConstraint('hall', 'seq')
    )
    op.create_table('number_sequences',
    sa.Column('hall', sa.String(length=64), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('prefix', sa.String(length=4), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hall'], ['halls.id'], ),
    sa.PrimaryKeyConstraint('hall', 'business_day', 'prefix')
    )
    op.create_table('tickets',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('hall', sa.String(length=64), nullable=False),
    sa.Column('service', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=4), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('priority', sa.String(length=64), nullable=False),
    sa.Column('issued_at', hall_server.storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('queued_at', hall_server.storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('effective_at', hall_server.storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('appointment', sa.String(length=64), nullable=True),
    sa.Column('slot_start', hall_server.storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('client_request_id', sa.String(length=128), nullable=True),
    sa.Column('counter', sa.Integer(), nullable=True),
    sa.Column('clerk', sa.String(length=64), nullable=True),
    sa.Column('responsible_clerk', sa.String(length=64), nullable=True),
    sa.Column('called_at', hall_server.storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', hall_server.storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', hall_server.storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('no_show_at', hall_server.storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recall_count', sa.Integer(), nullable=False),
    sa.Column('transfer_count', sa.Integer(), nullable=False),
    sa.Column('wait_s', sa.Float(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['hall'], ['halls.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hall', 'business_day', 'prefix', 'number', name='uq_ticket_number'),
    sa.UniqueConstraint('hall', 'client_request_id', name='uq_ticket_client_request')
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_queue', ['hall', 'status', 'effective_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_queue')

    op.drop_table('tickets')
    op.drop_table('number_sequences')
    op.drop_table('events')
    op.drop_table('counters')
    op.drop_table('halls')
