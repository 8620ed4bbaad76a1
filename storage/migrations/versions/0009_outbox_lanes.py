"""outbox lanes: a lane per row, the in-flight message index, and the send lease (budget) table.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa
import storage.base


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# Lanes as storage.models.outbox names them: 1 notice, 2 scheduled, 3 broadcast.
BROADCAST_KINDS = ("lesson.push", "survey.invite", "survey.shared")
SCHEDULED_KINDS = ("lesson.reminder", "survey.reminder", "survey.closed", "tasks.reminder", "tasks.alert",
                   "tasks.escalation", "tasks.digest", "feedback.escalation", "feedback.digest")


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lane', sa.SmallInteger(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('inflight', sa.Integer(), nullable=True))
        batch_op.create_index('ix_outbox_lane_order', ['status', 'lane', 'id'], unique=False)
    outbox = sa.table('outbox', sa.column('kind', sa.String), sa.column('lane', sa.SmallInteger))
    op.execute(outbox.update().where(outbox.c.kind.in_(BROADCAST_KINDS)).values(lane=3))
    op.execute(outbox.update().where(outbox.c.kind.in_(SCHEDULED_KINDS)).values(lane=2))
    op.create_table('send_leases',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=64), nullable=False),
    sa.Column('lease_until', storage.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_send_leases'))
    )


def downgrade() -> None:
    op.drop_table('send_leases')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_lane_order')
        batch_op.drop_column('inflight')
        batch_op.drop_column('lane')
