"""day close, visits, request ids per device and day, scheduler lease

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 02:00:00
"""
import sqlalchemy as sa
from alembic import op

from hall_server.storage.tables import UTCDateTime

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

#: a ticket's one visit, rebuilt from the columns kept before visits existed
_OUTCOMES = {"done": ("finished", "finished_at"), "no_show": ("no_show", "no_show_at"),
             "cancelled": ("cancelled", None), "called": (None, None), "serving": (None, None)}


def _iso(value):
    return value.isoformat() if value is not None else None


def _backfill_visits() -> None:
    tickets = sa.table('tickets', sa.column('id', sa.Integer), sa.column('status', sa.String),
                       sa.column('service', sa.String), sa.column('counter', sa.Integer),
                       sa.column('clerk', sa.String), sa.column('called_at', UTCDateTime),
                       sa.column('started_at', UTCDateTime), sa.column('finished_at', UTCDateTime),
                       sa.column('no_show_at', UTCDateTime), sa.column('items', sa.JSON),
                       sa.column('visits', sa.JSON))
    conn = op.get_bind()
    rows = conn.execute(sa.select(tickets).where(tickets.c.called_at.is_not(None))).all()
    for row in rows:
        if row.status not in _OUTCOMES or row.counter is None:
            continue
        outcome, ended = _OUTCOMES[row.status]
        visit = {"counter": row.counter, "clerk": row.clerk, "service": row.service,
                 "called_at": _iso(row.called_at), "started_at": _iso(row.started_at),
                 "ended_at": _iso(getattr(row, ended)) if ended else None, "outcome": outcome,
                 "items": row.items if row.status == "done" else []}
        conn.execute(sa.update(tickets).where(tickets.c.id == row.id).values(visits=[visit]))


def upgrade() -> None:
    with op.batch_alter_table('halls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_day', sa.Date(), nullable=True))
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issued_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('visits', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.drop_constraint('uq_ticket_client_request', type_='unique')
        batch_op.create_unique_constraint(
            'uq_ticket_request', ['hall', 'business_day', 'issued_by', 'client_request_id'])
    _backfill_visits()
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.alter_column('visits', server_default=None)
    op.create_table('leases',
                    sa.Column('name', sa.String(length=64), nullable=False),
                    sa.Column('holder', sa.String(length=128), nullable=False),
                    sa.Column('expires_at', UTCDateTime(), nullable=False),
                    sa.PrimaryKeyConstraint('name'))


def downgrade() -> None:
    op.drop_table('leases')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_constraint('uq_ticket_request', type_='unique')
        batch_op.create_unique_constraint('uq_ticket_client_request', ['hall', 'client_request_id'])
        batch_op.drop_column('visits')
        batch_op.drop_column('issued_by')
    with op.batch_alter_table('halls', schema=None) as batch_op:
        batch_op.drop_column('closed_day')
