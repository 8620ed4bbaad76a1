"""inbox: updates recorded before they are acknowledged, handled once.

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa
import storage.base


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbox_updates',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('lease_until', storage.base.UTCDateTime(), nullable=True),
    sa.Column('sealed', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_inbox_updates'))
    )
    with op.batch_alter_table('inbox_updates', schema=None) as batch_op:
        batch_op.create_index('ix_inbox_updates_status_received_on', ['status', 'received_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inbox_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_updates_status_received_on')
    op.drop_table('inbox_updates')
